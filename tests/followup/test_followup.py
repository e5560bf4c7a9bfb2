"""Follow-through of agreements: stages, funds in place, state; refusals that change
nothing; scoped staff; the history as sentences in local time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_agreement, make_project, make_staff, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.audit import AuditEvent
from matchmaker.errors import Conflict, DomainError, Forbidden
from matchmaker.extensions import db
from matchmaker.followup import operations
from matchmaker.followup.history import history
from matchmaker.followup.models import Followup, FollowupState, ProgressEntry, Stage
from matchmaker.followup.operations import FundsInput, StageInput, StateInput
from matchmaker.signing import operations as signing
from matchmaker.signing.operations import AgreementInput

ZUNYI, HUICHUAN, GUIYANG = "520300", "520303", "520100"
SIGNED = datetime(2024, 7, 5, 2, 42, tzinfo=UTC)  # 10:42 in Guiyang


def _agreement(region_code: str = ZUNYI, amount: str = "300000000.00", **fields):
    project = make_project(region_code=region_code)
    return make_agreement(project=project, amount_yuan=Decimal(amount), signed_at=SIGNED,
                          **fields)


def _staff(*codes: str, name: str = "李四"):
    return make_staff(*codes, display_name=name)


def _rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_stages_and_funds_move_the_agreement_forward(app):
    agreement = _agreement()
    staff = _staff(ZUNYI)
    operations.record_stage(agreement, StageInput("registered", date(2024, 8, 1), "营业执照 91520300"),
                            user=staff)
    operations.record_stage(agreement, StageInput("开工", date(2024, 10, 8), "施工许可证"), user=staff)
    operations.record_funds(agreement, FundsInput("0.5", date(2024, 9, 1), "银行回单"), user=staff)
    operations.record_funds(agreement, FundsInput("5000万元", date(2024, 11, 1), "验资报告"),
                            user=staff)
    db.session.commit()
    followup = db.session.get(Followup, agreement.id)
    assert followup.stage == Stage.STARTED
    assert (followup.registered_on, followup.started_on) == (date(2024, 8, 1), date(2024, 10, 8))
    assert followup.funds_yuan == Decimal("100000000.00") and followup.payments == 2
    assert [p.amount_yuan for p in operations.payments_of(agreement)] == [
        Decimal("50000000.00"), Decimal("50000000.00")]
    assert _rows(ProgressEntry) == 4
    actions = [e.action for e in operations.agreement_events(agreement)]
    assert actions.count("progress_stage") == 2 and actions.count("progress_funds") == 2


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        (lambda a, u: operations.record_stage(a, StageInput("started", date(2024, 7, 4), "许可证"), user=u),
         "occurred_on", "before the agreement was signed (2024-07-05)"),
        (lambda a, u: operations.record_stage(a, StageInput("started", date(2099, 1, 1), "许可证"), user=u),
         "occurred_on", "in the future"),
        (lambda a, u: operations.record_stage(a, StageInput("started", date(2024, 8, 1), ""), user=u),
         "note", "evidence"),
        (lambda a, u: operations.record_stage(a, StageInput("in_production", date(2024, 8, 1), "验收"), user=u),
         "stage", "start of construction"),
        (lambda a, u: operations.record_stage(a, StageInput("signed", date(2024, 8, 1), "x"), user=u),
         "stage", "Choose the stage"),
        (lambda a, u: operations.record_funds(a, FundsInput("3.5", date(2024, 8, 1), "回单"), user=u),
         "over_reason", "would exceed the signed amount (3.00亿元)"),
        (lambda a, u: operations.record_funds(a, FundsInput("0", date(2024, 8, 1), "回单"), user=u),
         "amount", "more than zero"),
        (lambda a, u: operations.record_funds(a, FundsInput("1", date(2024, 6, 1), "回单"), user=u),
         "paid_on", "before the agreement was signed"),
        (lambda a, u: operations.change_state(a, StateInput("stalled", ""), user=u),
         "reason", "reason"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(app, action, field, message):
    agreement = _agreement()
    staff = _staff(ZUNYI)
    events = _rows(AuditEvent)
    with pytest.raises(DomainError) as caught:
        action(agreement, staff)
    db.session.rollback()
    assert caught.value.field == field
    assert message in str(caught.value)
    assert _rows(ProgressEntry) == 0 and _rows(Followup) == 0 and _rows(AuditEvent) == events


def test_funds_above_the_signed_amount_with_a_reason(app):
    agreement = _agreement()
    operations.record_funds(agreement, FundsInput("3.25", date(2024, 8, 1), "回单",
                                                  over_reason="二期追加投资"), user=None)
    db.session.commit()
    assert db.session.get(Followup, agreement.id).funds_yuan == Decimal("325000000.00")


def test_voided_agreement_takes_no_progress(app):
    agreement = _agreement()
    agreement.voided, agreement.void_reason = True, "重复录入"
    db.session.commit()
    with pytest.raises(Conflict):
        operations.record_stage(agreement, StageInput("started", date(2024, 8, 1), "许可证"), user=None)
    db.session.rollback()
    assert _rows(Followup) == 0


def test_terminated_agreement_takes_no_stage_until_resumed(app):
    agreement = _agreement()
    operations.change_state(agreement, StateInput("terminated", "投资方退出", date(2024, 9, 1)),
                            user=None)
    db.session.commit()
    with pytest.raises(Conflict):
        operations.record_stage(agreement, StageInput("started", date(2024, 9, 2), "许可证"), user=None)
    db.session.rollback()
    operations.change_state(agreement, StateInput("on_track", "重新谈妥", date(2024, 9, 3)), user=None)
    operations.record_stage(agreement, StageInput("started", date(2024, 9, 4), "许可证"), user=None)
    db.session.commit()
    assert db.session.get(Followup, agreement.id).state == FollowupState.ON_TRACK


def test_a_corrected_date_needs_a_reason_and_keeps_the_old_one(app):
    agreement = _agreement()
    operations.record_stage(agreement, StageInput("started", date(2024, 8, 1), "许可证"), user=None)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        operations.record_stage(agreement, StageInput("started", date(2024, 9, 1), "许可证"), user=None)
    assert caught.value.field == "reason"
    db.session.rollback()
    operations.record_stage(agreement, StageInput("started", date(2024, 9, 1), "许可证",
                                                  reason="原日期录错"), user=None)
    db.session.commit()
    assert db.session.get(Followup, agreement.id).started_on == date(2024, 9, 1)
    assert "2024年8月1日 → 2024年9月1日，原因：原日期录错" in history(agreement)[-1].text


def test_scoped_staff_write_only_in_their_prefecture(app):
    in_county = _agreement(HUICHUAN)  # a county of Zunyi
    elsewhere = _agreement(GUIYANG)
    no_place = make_agreement(project_name="场外", signed_at=SIGNED)
    staff = _staff(ZUNYI)
    operations.record_stage(in_county, StageInput("started", date(2024, 8, 1), "许可证"), user=staff)
    for agreement in (elsewhere, no_place):
        with pytest.raises(Forbidden):
            operations.record_stage(agreement, StageInput("started", date(2024, 8, 1), "许可证"),
                                    user=staff)
    county_staff = _staff(HUICHUAN)
    assert operations.may_follow(county_staff, in_county)
    assert not operations.may_follow(county_staff, _agreement(ZUNYI))
    assert operations.may_follow(make_user(Role.STAFF), elsewhere)  # province level
    assert not operations.may_follow(make_user(Role.INVESTOR), in_county)


def test_history_reads_as_sentences_in_local_time(app):
    organiser = make_user(Role.ORGANIZER, display_name="张三")
    project = make_project(region_code=ZUNYI)
    agreement = signing.record_agreement(
        make_agreement(signed_at=SIGNED).session,
        AgreementInput(investor="贵州示范投资有限公司", amount="3亿元", project_id=project.id,
                       signed_at=SIGNED, create_investor=True),
        user=organiser)
    signing.amend_agreement(agreement, AgreementInput(
        investor=agreement.investor, amount="3.25亿元", project_id=project.id, signed_at=SIGNED),
        "补充二期", user=organiser)
    staff = _staff(ZUNYI)
    operations.record_stage(agreement, StageInput("started", date(2024, 8, 1), "施工许可证"),
                            user=staff)
    db.session.commit()
    for event in operations.agreement_events(agreement):
        event.at = SIGNED  # the clock of the test: 2024-07-05 10:42 in Guiyang
    db.session.commit()
    lines = [line.text for line in history(agreement)]
    assert lines[0] == "签约 3.00亿元（投资合同），组织方 张三，2024年7月5日 10:42"
    assert lines[1] == "金额 3.00亿元 → 3.25亿元，原因：补充二期，组织方 张三，2024年7月5日 10:42"
    assert lines[2] == ("开工 2024年8月1日，凭证：施工许可证，省市招商工作人员 李四，"
                        "2024年7月5日 10:42")


def test_pages_list_only_the_scope_and_refuse_writes_outside(app, client, login):
    mine, theirs = _agreement(ZUNYI), _agreement(GUIYANG)
    login(_staff(ZUNYI))
    page = client.get("/followup/?edition=2023").get_data(as_text=True)
    assert f'/followup/agreements/{mine.id}"' in page
    assert f'/followup/agreements/{theirs.id}"' not in page
    assert client.get(f"/followup/agreements/{theirs.id}").status_code == 403
    token = csrf_token(client)
    refused = client.post(f"/followup/agreements/{theirs.id}/stage", data={
        "csrf_token": token, "stage": "started", "occurred_on": "2024-08-01", "note": "许可证"})
    assert refused.status_code == 403
    bad = client.post(f"/followup/agreements/{mine.id}/stage", data={
        "csrf_token": token, "stage": "started", "occurred_on": "2024-07-01", "note": "许可证"})
    assert bad.status_code == 400 and "签约" in bad.get_data(as_text=True)
    done = client.post(f"/followup/agreements/{mine.id}/funds", data={
        "csrf_token": token, "amount": "1.5", "paid_on": "2024-08-01", "note": "回单"})
    assert done.status_code == 302
    assert db.session.get(Followup, mine.id).funds_yuan == Decimal("150000000.00")
    assert _rows(Followup) == 1


def test_api_records_and_refuses(app, client):
    mine, theirs = _agreement(ZUNYI), _agreement(GUIYANG)
    plain, _ = create_token(_staff(ZUNYI))
    db.session.commit()
    auth = {"Authorization": f"Bearer {plain}"}
    answer = client.post(f"/api/v1/followup/agreements/{mine.id}/stages", headers=auth,
                         json={"stage": "started", "date": "2024-08-01", "note": "许可证"})
    assert answer.status_code == 200, answer.json
    assert answer.json["stage"] == "started" and answer.json["started_on"] == "2024-08-01"
    funds = client.post(f"/api/v1/followup/agreements/{mine.id}/funds", headers=auth,
                        json={"amount": "4亿元", "date": "2024-08-02", "note": "回单"})
    assert funds.status_code == 400 and funds.json["error"]["field"] == "over_reason"
    outside = client.post(f"/api/v1/followup/agreements/{theirs.id}/stages", headers=auth,
                          json={"stage": "started", "date": "2024-08-01", "note": "许可证"})
    assert outside.status_code == 403
    assert client.get(f"/api/v1/followup/agreements/{theirs.id}", headers=auth).status_code == 403
    shown = client.get(f"/api/v1/followup/agreements/{mine.id}", headers=auth).json
    assert shown["funds_yuan"] == "0.00" and len(shown["history"]) == 1
    bad_date = client.post(f"/api/v1/followup/agreements/{mine.id}/state", headers=auth,
                           json={"state": "stalled", "reason": "x", "date": "01/08/2024"})
    assert bad_date.status_code == 400


def test_cli_records_and_shows(app, runner):
    agreement = _agreement()
    result = runner.invoke(args=["followup", "funds", str(agreement.id), "1亿元", "--date",
                                 "2024-08-01", "--note", "回单", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["funds_yuan"] == "100000000.00"
    refused = runner.invoke(args=["followup", "stage", str(agreement.id), "started", "--date",
                                  "2024-07-01", "--note", "x"])
    assert refused.exit_code == 1 and "2024-07-05" in refused.output


def test_scope_is_set_from_the_console(app, runner):
    user = make_user(Role.STAFF, email="zunyi@example.org")
    done = runner.invoke(args=["users", "scope", "zunyi@example.org", "520300", "520303"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert [r.code for r in user.scope_regions] == ["520300", "520303"]
    unknown = runner.invoke(args=["users", "scope", "zunyi@example.org", "999999"])
    assert unknown.exit_code == 1 and "999999" in unknown.output
    cleared = runner.invoke(args=["users", "scope", "zunyi@example.org"])
    assert cleared.exit_code == 0 and "whole province" in cleared.output


def test_history_tells_stalls_ends_and_payments(app):
    agreement = _agreement()
    operations.record_funds(agreement, FundsInput("3.5", date(2024, 8, 1), "回单",
                                                  over_reason="二期追加"), user=None)
    operations.change_state(agreement, StateInput("stalled", "用地未落实", date(2024, 9, 1)), user=None)
    operations.change_state(agreement, StateInput("on_track", "用地已落实", date(2024, 10, 1)),
                            user=None)
    db.session.commit()
    lines = [line.text for line in history(agreement)]
    assert lines[0].startswith("资金到位 3.50亿元（2024年8月1日），累计到位 0.00亿元 → 3.50亿元（签约 3.00亿元），"
                               "超过签约金额，原因：二期追加，凭证：回单，命令行，")
    assert lines[1].startswith("停滞，原因：用地未落实，命令行，")
    assert lines[2].startswith("恢复推进，原因：用地已落实，命令行，")
