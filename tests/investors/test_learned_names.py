"""A short name the organiser resolves by choosing a candidate is learned: written exactly,
it resolves to that investor from then on, it never changes the answer for any other text,
and staff can forget it. Real exchange short names: 隆基股份 is 隆基绿能科技股份有限公司 (Shanghai
601012), and 山东隆基机械股份有限公司 (Shenzhen 002363, 隆基机械) holds 隆基 as well."""

import pytest
from conftest import csrf_token
from factories import make_investor, make_project, make_session, make_user

from matchmaker import audit
from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.investors import operations
from matchmaker.investors.models import Investor
from matchmaker.investors.names import InvestorName, NameResolver
from matchmaker.investors.resolution import learn_name, resolve_investor
from matchmaker.signing.models import Agreement

LONGI = "隆基绿能科技股份有限公司"
LONGI_MACHINERY = "山东隆基机械股份有限公司"


def _resolver(known_as=()):
    return NameResolver([
        InvestorName(1, LONGI, "LONGi Green Energy Technology Co., Ltd.", (), tuple(known_as)),
        InvestorName(2, LONGI_MACHINERY),
        InvestorName(3, "宁德时代新能源科技股份有限公司"),
    ])


def _answer(resolver, text):
    match = resolver.resolve(text).match
    return match.id if match else None


# --- the resolver ------------------------------------------------------------------------


def test_a_learned_name_resolves_written_exactly_and_changes_no_other_answer():
    before = _resolver()
    assert _answer(before, "隆基股份") is None  # two companies hold 隆基: the organiser chooses
    after = _resolver(known_as=["隆基股份"])
    found = after.resolve("隆基股份")
    assert found.match.id == 1 and found.candidates[0].kind == "chosen"
    assert found.candidates[0].source == "known_as" and found.candidates[1].record.id == 2
    # the same text in another width or with spaces is the same text ...
    assert _answer(after, "隆基 股份") == _answer(after, "隆基股份") == 1
    # ... but nothing else moves: not a shorter or longer text, not a share mark
    for text in ("隆基", "隆基机械", "隆基绿能", "ST隆基股份", "隆基股份有限公司", "LONGi", "宁德时代"):
        assert _answer(after, text) == _answer(before, text), text


def test_a_learned_name_never_beats_another_investors_own_name():
    resolver = NameResolver([
        InvestorName(1, LONGI, known_as=("隆基机械",)),  # a wrong lesson
        InvestorName(2, LONGI_MACHINERY),
    ])
    assert _answer(resolver, "隆基机械") == 2  # the registered name of 2 still wins


def test_a_text_learned_for_two_investors_is_no_answer():
    resolver = NameResolver([
        InvestorName(1, LONGI, known_as=("隆基股份",)),
        InvestorName(2, LONGI_MACHINERY, known_as=("隆基股份",)),
    ])
    found = resolver.resolve("隆基股份")
    assert found.match is None and {c.record.id for c in found.candidates[:2]} == {1, 2}


def test_a_removed_investor_takes_its_learned_names_along():
    resolver = _resolver(known_as=["隆基股份"])
    resolver.remove(1)
    found = resolver.resolve("隆基股份")
    assert 1 not in [c.record.id for c in found.candidates]
    assert found.match is None or found.match.id == 2  # decided as if never learned


# --- learning in the database ---------------------------------------------------------------


@pytest.fixture
def longi(app):
    return {"longi": make_investor(LONGI, name_en="LONGi Green Energy Technology Co., Ltd."),
            "machinery": make_investor(LONGI_MACHINERY)}


def test_learning_is_audited_and_every_worker_sees_it_after_the_commit(app, longi):
    organiser = make_user(Role.ORGANIZER)
    assert resolve_investor("隆基股份").match is None
    assert learn_name(longi["longi"], "隆基股份", user=organiser) == "隆基股份"
    db.session.commit()
    assert longi["longi"].known_as == ["隆基股份"]
    assert resolve_investor("隆基股份").match.id == longi["longi"].id  # the cache was bumped
    event = db.session.query(audit.AuditEvent).filter_by(action="learn_name").one()
    assert event.entity_id == longi["longi"].id and event.user_id == organiser.id
    assert {c["name"] for c in event.after["candidates"]} == {LONGI, LONGI_MACHINERY}


def test_nothing_is_learned_unless_it_was_a_real_choice(app, longi):
    organiser = make_user(Role.ORGANIZER)
    # already confident (to this investor, or to the other one: never two answers for a text)
    assert learn_name(longi["longi"], "隆基绿能", user=organiser) is None
    assert learn_name(longi["longi"], "隆基机械", user=organiser) is None
    # an investor the text was not even close to
    other = make_investor("宁德时代新能源科技股份有限公司")
    assert learn_name(other, "隆基股份", user=organiser) is None
    # blank, a legal form alone, one of its own names
    for text in ("", "   ", "有限公司", LONGI):
        assert learn_name(longi["longi"], text, user=organiser) is None
    # an investor or an anonymous caller teaches nothing
    assert learn_name(longi["longi"], "隆基股份", user=make_user(Role.INVESTOR)) is None
    assert learn_name(longi["longi"], "隆基股份", user=None) is None
    # a merged investor learns nothing
    longi["machinery"].merged_into_id = longi["longi"].id
    db.session.flush()
    assert learn_name(longi["machinery"], "隆基股份", user=organiser) is None
    assert db.session.query(audit.AuditEvent).filter_by(action="learn_name").count() == 0
    assert longi["longi"].known_as == [] and other.known_as == []


def test_a_merge_carries_the_learned_names_and_its_undo_takes_them_back(app, longi):
    staff = make_user(Role.STAFF)
    learn_name(longi["machinery"], "隆基股份", user=make_user(Role.ORGANIZER))
    survivor = make_investor("隆基股份有限公司集团")  # a survivor with names of its own
    merge = operations.merge_investors(survivor, longi["machinery"], user=staff)
    db.session.commit()
    assert "隆基股份" in survivor.known_as
    event = db.session.get(audit.AuditEvent, merge["event_id"])
    operations.undo_merge(event, user=staff)
    db.session.commit()
    assert "隆基股份" not in survivor.known_as and longi["machinery"].known_as == ["隆基股份"]


# --- the signing desk, the API and the staff page ----------------------------------------------


@pytest.fixture
def desk(app, longi):
    return {**longi, "session": make_session(),
            "project": make_project(name="贵州六盘水光伏组件项目", location="六盘水市")}


def _record(client, session, **fields):
    data = {"investor": "", "project": "", "amount": "", "kind": "investment_contract",
            "investor_kind": "enterprise", "csrf_token": csrf_token(client)}
    data.update(fields)
    return client.post(f"/signing/sessions/{session.id}/record?lang=en", data=data)


def test_the_desk_asks_once_then_knows_the_name(client, login, desk):
    login(make_user(Role.ORGANIZER))
    fields = {"investor": "隆基股份", "project": f"#{desk['project'].id}", "amount": "3",
              "shown_amount": "3"}
    first = _record(client, desk["session"], idempotency_key="k1", **fields)
    assert first.status_code == 409 and "Save under 隆基绿能科技股份有限公司" in first.get_data(as_text=True)
    saved = _record(client, desk["session"], idempotency_key="k1", pick_investor=f"#{desk['longi'].id}",
                    **fields)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "From now on “隆基股份” is read as 隆基绿能科技股份有限公司" in page
    # the next agreement typed the same way is saved without a question
    again = _record(client, desk["session"], idempotency_key="k2", **fields)
    assert again.status_code == 302
    assert [a.investor_id for a in db.session.query(Agreement).order_by(Agreement.id)] == \
        [desk["longi"].id] * 2
    # the type-ahead now offers it as a confident suggestion (Tab accepts it)
    lookup = client.get("/api/v1/signing/lookup/investors", query_string={"q": "隆基股份"}).json
    assert lookup["match"]["id"] == desk["longi"].id
    # a type-ahead pick ("#id name") is not a typed name: nothing more is learned
    _record(client, desk["session"], idempotency_key="k3", pick_investor=f"#{desk['machinery'].id}",
            **{**fields, "investor": f"#{desk['machinery'].id} {LONGI_MACHINERY}"})
    assert desk["machinery"].known_as == []


def test_the_api_learns_with_investor_text(client, api_headers, desk):
    headers = api_headers(Role.ORGANIZER)
    url = f"/api/v1/signing/sessions/{desk['session'].id}/agreements"
    body = {"project": desk["project"].id, "amount": "3亿元", "kind": "投资合同"}
    unsure = client.post(url, json={**body, "investor": "隆基股份"}, headers=headers)
    assert unsure.status_code == 409
    assert unsure.get_json()["error"]["code"] == "investor_unresolved"
    chosen = client.post(url, json={**body, "investor": desk["longi"].id, "investor_text": "隆基股份"},
                         headers=headers)
    assert chosen.status_code == 201 and chosen.get_json()["learned_name"] == "隆基股份"
    sure = client.post(url, json={**body, "investor": "隆基股份"}, headers=headers)
    assert sure.status_code == 201 and sure.get_json()["investor"]["id"] == desk["longi"].id
    assert sure.get_json()["learned_name"] is None


def test_staff_see_learned_names_and_forget_a_wrong_one(client, login, desk):
    learn_name(desk["machinery"], "隆基股份", user=make_user(Role.ORGANIZER))  # the wrong company
    db.session.commit()
    login(make_user(Role.STAFF))
    page = client.get("/investors/learned?lang=en").get_data(as_text=True)
    assert "隆基股份" in page and LONGI_MACHINERY in page and "Forget this name" in page
    event = db.session.query(audit.AuditEvent).filter_by(action="learn_name").one()
    url = f"/investors/learned/{event.id}/forget?lang=en"
    response = client.post(url, data={"decision": "forget", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Investor, desk["machinery"].id).known_as == []
    assert resolve_investor("隆基股份").match is None
    assert "forgotten" in client.get("/investors/learned?lang=en").get_data(as_text=True)
    again = client.post(url, data={"decision": "forget", "csrf_token": csrf_token(client)},
                        follow_redirects=True)
    assert "This name is not kept any more." in again.get_data(as_text=True)


def test_only_staff_reach_the_learned_names(client, login, desk):
    login(make_user(Role.ORGANIZER))
    assert client.get("/investors/learned").status_code == 403
    assert client.post("/investors/learned/1/forget",
                       data={"decision": "forget", "csrf_token": csrf_token(client)}).status_code == 403


def test_a_claim_approved_by_staff_teaches_the_written_name(app, longi):
    from matchmaker.investors.models import ClaimStatus

    member = make_user(Role.INVESTOR)
    # 隆基股份 resolves to no company with confidence: the new user picked LONGi among the candidates
    _draft, claim = operations.link_user_to_investor(member, "隆基股份", create=False,
                                                     investor_id=longi["longi"].id)
    assert claim.status == ClaimStatus.PENDING and longi["longi"].known_as == []
    operations.decide_claim(claim, True, user=make_user(Role.STAFF))
    db.session.commit()
    assert longi["longi"].known_as == ["隆基股份"]
    event = db.session.query(audit.AuditEvent).filter_by(action="learn_name").one()
    assert event.after["via"] == "claim"


def test_the_api_and_the_cli_list_and_forget_learned_names(client, api_headers, runner, desk):
    learn_name(desk["machinery"], "隆基股份", user=make_user(Role.ORGANIZER))
    db.session.commit()
    staff = make_user(Role.STAFF)
    listed = client.get("/api/v1/investors/learned", headers=api_headers(staff)).get_json()["items"]
    assert [(i["text"], i["investor"]["id"], i["via"], i["kept"]) for i in listed] == \
        [("隆基股份", desk["machinery"].id, "signing", True)]
    assert client.get("/api/v1/investors/learned", headers=api_headers(Role.ORGANIZER)).status_code == 403
    shown = runner.invoke(args=["investors", "learned"])
    assert shown.exit_code == 0 and "隆基股份" in shown.output and LONGI_MACHINERY in shown.output
    event_id = listed[0]["event_id"]
    forgot = client.post(f"/api/v1/investors/learned/{event_id}/forget", headers=api_headers(staff))
    assert forgot.status_code == 200 and forgot.get_json()["id"] == desk["machinery"].id
    again = runner.invoke(args=["investors", "forget", str(event_id), "--as", staff.email])
    assert again.exit_code == 1 and "该名称已不再保留" in again.output  # the CLI speaks Chinese by default
    assert '"kept": false' in runner.invoke(args=["investors", "learned", "--json"]).output


def test_a_correction_at_the_desk_learns_the_name_too(client, login, desk):
    login(make_user(Role.ORGANIZER))
    fields = {"investor": f"#{desk['machinery'].id} {LONGI_MACHINERY}", "project": f"#{desk['project'].id}",
              "amount": "3", "shown_amount": "3"}
    assert _record(client, desk["session"], idempotency_key="k1", **fields).status_code == 302
    agreement = db.session.query(Agreement).one()
    amend = {**fields, "investor": "隆基股份", "pick_investor": f"#{desk['longi'].id}",
             "kind": "investment_contract", "reason": "saved under the wrong company",
             "csrf_token": csrf_token(client)}
    response = client.post(f"/signing/agreements/{agreement.id}/amend?lang=en", data=amend)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "From now on “隆基股份” is read as 隆基绿能科技股份有限公司" in page
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).investor_id == desk["longi"].id
    assert db.session.get(Investor, desk["longi"].id).known_as == ["隆基股份"]
