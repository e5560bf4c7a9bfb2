"""No double counting: an agreement that repeats one of another session or edition (same
investor and project, or a close project name in the same prefecture) is shown at the desk
with "same agreement / a new one"; linked agreements count once in any total spanning them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from conftest import csrf_token
from factories import make_agreement, make_investor, make_project, make_session, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.editions.operations import ALL
from matchmaker.extensions import db
from matchmaker.followup.rates import edition_rates
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, AgreementLink
from matchmaker.signing.operations import AgreementInput, SameAgreementFound
from matchmaker.signing.totals import signed_totals

YI = Decimal("100000000")
SIGNED_2024 = datetime(2024, 7, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def earlier(app):
    """A 2023 agreement: 宁德 invests 3亿 in a Zunyi catalogue project."""
    investor = make_investor("宁德时代新能源科技股份有限公司")
    project = make_project(region_code="520300", name="遵义锂电池材料项目")
    agreement = make_agreement(make_session(edition=2023), investor, project=project,
                               amount_yuan=3 * YI)
    return agreement


def _input(agreement: Agreement, **fields) -> AgreementInput:
    values = {"investor": agreement.investor.id, "amount": "3亿元",
              "project_id": agreement.project_id, "signed_at": SIGNED_2024}
    values.update(fields)
    return AgreementInput(**values)


def test_the_same_investor_and_project_at_another_edition_is_asked(earlier):
    session = make_session(edition=2024)
    organiser = make_user(Role.ORGANIZER)
    with pytest.raises(SameAgreementFound) as caught:
        operations.record_agreement(session, _input(earlier), user=organiser)
    db.session.rollback()
    assert [a.id for a in caught.value.candidates] == [earlier.id]
    assert db.session.query(Agreement).count() == 1  # nothing recorded yet

    linked = operations.record_agreement(session, _input(earlier, same_as=earlier.id),
                                         user=organiser)
    db.session.commit()
    assert db.session.get(AgreementLink, linked.id).original_id == earlier.id
    # 2024 alone: its original is in 2023, so it counts there (once)
    alone = signed_totals(edition=2024)
    assert (alone.count, alone.total_yuan, alone.linked_count) == (1, 3 * YI, 0)
    # every edition: the pair counts once
    every = signed_totals(edition=ALL)
    assert (every.count, every.total_yuan, every.linked_count) == (1, 3 * YI, 1)
    for name, rows in every.breakdowns().items():
        assert sum(r.count for r in rows) == 1, name
        assert sum((r.total_yuan for r in rows), Decimal(0)) == 3 * YI, name


def test_a_new_one_is_counted_again(earlier):
    session = make_session(edition=2024)
    operations.record_agreement(session, _input(earlier, new_agreement=True), user=None)
    db.session.commit()
    assert signed_totals(edition=ALL).count == 2
    assert db.session.query(AgreementLink).count() == 0


def test_a_close_name_in_the_same_prefecture_is_asked_not_elsewhere(app):
    investor = make_investor("贵州磷化（集团）有限责任公司")
    earlier = make_agreement(make_session(edition=2023), investor,
                             project_name="开阳磷石膏综合利用项目", region=region("520100"))
    session = make_session(edition=2024)
    close = AgreementInput(investor=investor.id, amount="2亿元", project_name="开阳县磷石膏综合利用项目",
                           region_code="520121", signed_at=SIGNED_2024)  # 开阳县, in Guiyang
    with pytest.raises(SameAgreementFound) as caught:
        operations.record_agreement(session, close, user=None)
    db.session.rollback()
    assert [a.id for a in caught.value.candidates] == [earlier.id]
    elsewhere = AgreementInput(investor=investor.id, amount="2亿元",
                               project_name="开阳县磷石膏综合利用项目", region_code="520300",
                               signed_at=SIGNED_2024)
    recorded = operations.record_agreement(session, elsewhere, user=None)
    db.session.commit()
    assert db.session.get(AgreementLink, recorded.id) is None


def test_two_sessions_of_one_edition_count_a_linked_pair_once(earlier):
    other = make_session(edition=2023)
    duplicate = operations.record_agreement(other, _input(earlier, same_as=earlier.id,
                                                          signed_at=earlier.signed_at), user=None)
    db.session.commit()
    totals = signed_totals(edition=2023)
    assert (totals.count, totals.total_yuan, totals.linked_count) == (1, 3 * YI, 1)
    by_session = {row.key: row.count for row in totals.by_session}
    assert by_session == {str(earlier.session_id): 1, str(other.id): 0}
    # follow-through counts it once too
    rates = edition_rates(earlier.session.edition, today=date(2024, 1, 1))
    assert (rates.whole.count, rates.whole.signed_yuan, rates.linked) == (1, 3 * YI, 1)
    # voiding the original: the duplicate counts
    operations.void_agreement(earlier, "录入错误", user=None)
    db.session.commit()
    assert signed_totals(edition=2023).count == 1
    assert duplicate.id in {a.id for a in db.session.query(Agreement).filter_by(voided=False)}


def test_the_desk_asks_and_links(earlier, client, login):
    session = make_session(edition=2024)
    login(make_user(Role.ORGANIZER))
    form = {"csrf_token": csrf_token(client), "investor": f"#{earlier.investor_id}",
            "project": f"#{earlier.project_id}", "amount": "3", "shown_amount": "3",
            "kind": "investment_contract", "idempotency_key": "desk-1"}
    asked = client.post(f"/signing/sessions/{session.id}/record", data=form)
    assert asked.status_code == 409
    page = asked.get_data(as_text=True)
    assert f'name="same_as" value="{earlier.id}"' in page and 'name="new_agreement"' in page
    done = client.post(f"/signing/sessions/{session.id}/record",
                       data={**form, "same_as": str(earlier.id)})
    assert done.status_code == 302
    duplicate = db.session.query(Agreement).filter(Agreement.session_id == session.id).one()
    assert db.session.get(AgreementLink, duplicate.id).original_id == earlier.id
    everything = client.get("/signing/editions?lang=en").get_data(as_text=True)
    assert "linked as the same agreement as another (announced twice): 1, each counted once" in everything
    alone = client.get("/signing/dashboard?edition=2024&lang=en").get_data(as_text=True)
    assert "another one counted here: 0, counted once" in alone


def test_the_api_answers_409_with_the_candidates(earlier, client):
    session = make_session(edition=2024)
    plain, _ = create_token(make_user(Role.ORGANIZER))
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"investor": earlier.investor_id, "project": earlier.project_id, "amount": "3亿元",
            "kind": "investment_contract"}
    asked = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body,
                        headers=headers)
    assert asked.status_code == 409
    assert asked.json["error"]["code"] == "same_agreement"
    assert [c["id"] for c in asked.json["error"]["candidates"]] == [earlier.id]
    linked = client.post(f"/api/v1/signing/sessions/{session.id}/agreements",
                         json={**body, "same_as": earlier.id}, headers=headers)
    assert linked.status_code == 201, linked.json
    totals = client.get("/api/v1/signing/totals?edition=all").json
    assert (totals["count"], totals["linked_count"]) == (1, 1)


def test_a_link_can_be_undone_with_a_reason(earlier, client, login):
    duplicate = operations.record_agreement(make_session(edition=2024),
                                            _input(earlier, same_as=earlier.id), user=None)
    db.session.commit()
    login(make_user(Role.ORGANIZER))
    page = client.get(f"/signing/agreements/{duplicate.id}").get_data(as_text=True)
    assert 'id="same-as"' in page
    refused = client.post(f"/signing/agreements/{duplicate.id}/unlink",
                          data={"csrf_token": csrf_token(client), "reason": ""})
    assert refused.status_code == 400
    done = client.post(f"/signing/agreements/{duplicate.id}/unlink",
                       data={"csrf_token": csrf_token(client), "reason": "二期，另签"})
    assert done.status_code == 302
    assert db.session.get(AgreementLink, duplicate.id) is None
    assert signed_totals(edition=ALL).count == 2
