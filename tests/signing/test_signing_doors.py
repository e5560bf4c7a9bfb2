"""The signing pages' actions through the API and the CLI (the same operations): sessions
(create, edit, open, close, reopen), agreements (list, amend with a reason, void) - happy
path, role refusal, bad input that writes nothing."""

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_agreement, make_investor, make_session, make_user

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.extensions import db
from matchmaker.signing.models import Agreement, SessionState, SigningSession


def _audited(entity: str) -> list[tuple[str, str | None]]:
    return [(e.action, (e.after or {}).get("reason")) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))]


# --- API ------------------------------------------------------------------------------------


def test_api_session_life_cycle(client, api_headers):
    headers = api_headers(Role.ORGANIZER)
    created = client.post("/api/v1/signing/sessions", headers=headers, json={
        "name": "绿色产业项目签约", "edition": 2025, "kind": "major_projects",
        "held_on": "2025-07-12", "venue": "贵阳国际生态会议中心", "target": "160"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["name"], body["edition"], body["kind"], body["state"], body["target_yuan"]) == (
        "绿色产业项目签约", 2025, "major_projects", "planned", "16000000000.00")
    sid = body["id"]
    edited = client.post(f"/api/v1/signing/sessions/{sid}/edit", headers=headers,
                         json={"venue": "主会场", "target": "200亿元"})
    assert edited.status_code == 200, edited.get_json()
    assert (edited.get_json()["venue"], edited.get_json()["name"],
            edited.get_json()["target_yuan"]) == ("主会场", "绿色产业项目签约", "20000000000.00")
    for action, state in (("open", "open"), ("close", "closed")):
        answer = client.post(f"/api/v1/signing/sessions/{sid}/{action}", headers=headers)
        assert answer.status_code == 200 and answer.get_json()["state"] == state
    no_reason = client.post(f"/api/v1/signing/sessions/{sid}/reopen", headers=headers, json={})
    assert no_reason.status_code == 400 and no_reason.get_json()["error"]["field"] == "reason"
    reopened = client.post(f"/api/v1/signing/sessions/{sid}/reopen", headers=headers,
                           json={"reason": "漏录一项"})
    assert reopened.status_code == 200 and reopened.get_json()["state"] == "open"
    assert client.get(f"/api/v1/signing/sessions/{sid}").get_json()["state"] == "open"
    assert _audited("signing_session")[-1] == ("reopen", "漏录一项")


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/signing/sessions", {"name": "S", "edition": 2025}),
    ("/api/v1/signing/sessions/{sid}/edit", {"name": "S2"}),
    ("/api/v1/signing/sessions/{sid}/open", None),
    ("/api/v1/signing/sessions/{sid}/close", None),
    ("/api/v1/signing/sessions/{sid}/reopen", {"reason": "r"}),
    ("/api/v1/signing/agreements/{aid}/amend", {"reason": "r", "amount": "9亿元"}),
])
def test_api_session_and_amend_writes_need_an_organizer_token(client, api_headers, path, body):
    agreement = make_agreement()
    url = path.format(sid=agreement.session_id, aid=agreement.id)
    assert client.post(url, json=body).status_code == 401
    for role in (Role.INVESTOR, Role.STAFF):
        answer = client.post(url, json=body, headers=api_headers(role))
        assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(SigningSession.id))) == 1
    assert db.session.get(SigningSession, agreement.session_id).name != "S2"
    assert db.session.get(Agreement, agreement.id).amount_yuan != Decimal("900000000.00")


@pytest.mark.parametrize(("body", "field"), [
    ({"edition": 2025}, "name"),
    ({"name": "S"}, "edition"),
    ({"name": "S", "edition": 2025, "kind": "party"}, "kind"),
    ({"name": "S", "edition": 2025, "target": "很多"}, "target"),
    ({"name": "S", "edition": 2025, "held_on": "tomorrow"}, "held_on"),
    ({"name": "S", "edition": 2025, "rates": "USD=abc"}, "rates"),
])
def test_api_create_session_refuses_bad_input(client, api_headers, body, field):
    answer = client.post("/api/v1/signing/sessions", headers=api_headers(Role.ORGANIZER), json=body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"]["message"]
    assert answer.get_json()["error"].get("field") == field
    assert db.session.scalar(sa.select(sa.func.count(SigningSession.id))) == 0


def test_api_lists_and_amends_agreements(client, api_headers):
    headers = api_headers(Role.ORGANIZER)
    agreement = make_agreement(amount_yuan=Decimal("500000000.00"))
    listed = client.get(f"/api/v1/signing/sessions/{agreement.session_id}/agreements",
                        headers=headers)
    assert [a["id"] for a in listed.get_json()["items"]] == [agreement.id]
    assert client.get(f"/api/v1/signing/sessions/{agreement.session_id}/agreements").status_code == 401
    other = make_investor("贵州乌江能源集团有限责任公司")
    amended = client.post(f"/api/v1/signing/agreements/{agreement.id}/amend", headers=headers,
                          json={"reason": "金额录错", "amount": "6亿元", "investor": other.id})
    assert amended.status_code == 200, amended.get_json()
    body = amended.get_json()
    assert (body["amount_yuan"], body["investor"]["id"]) == ("600000000.00", other.id)
    assert body["project_name"] == agreement.project_name  # kept
    assert _audited("agreement")[-1] == ("amend", "金额录错")

    for refused, field in (({"amount": "7亿元"}, "reason"),
                           ({"reason": "r", "amount": "seven"}, "amount"),
                           ({"reason": "r", "signed_at": "2025-07-12T10:00"}, "signed_at")):
        answer = client.post(f"/api/v1/signing/agreements/{agreement.id}/amend",
                             headers=headers, json=refused)
        assert answer.status_code == 400, (refused, answer.get_json())
        assert answer.get_json()["error"]["field"] == field
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).amount_yuan == Decimal("600000000.00")
    unresolved = client.post(f"/api/v1/signing/agreements/{agreement.id}/amend", headers=headers,
                             json={"reason": "r", "investor": "完全不认识的公司甲乙丙"})
    assert unresolved.status_code == 409
    assert unresolved.get_json()["error"]["code"] == "investor_unresolved"


def test_api_closed_session_refuses_edits_and_amends(client, api_headers):
    headers = api_headers(Role.ORGANIZER)
    agreement = make_agreement()
    session = db.session.get(SigningSession, agreement.session_id)
    session.state = SessionState.CLOSED
    db.session.commit()
    assert client.post(f"/api/v1/signing/sessions/{session.id}/edit", headers=headers,
                       json={"venue": "x"}).status_code == 409
    assert client.post(f"/api/v1/signing/agreements/{agreement.id}/amend", headers=headers,
                       json={"reason": "r", "amount": "1亿元"}).status_code == 409
    assert client.post(f"/api/v1/signing/sessions/{session.id}/open",
                       headers=headers).status_code == 409
    assert client.post("/api/v1/signing/sessions/999999/open", headers=headers).status_code == 404


# --- CLI ------------------------------------------------------------------------------------


def test_cli_session_life_cycle_and_amend(runner):
    make_user(Role.ORGANIZER, email="desk@example.org")
    created = runner.invoke(args=["signing", "session", "create", "--name", "命令行签约",
                                  "--edition", "2025", "--target", "50", "--as",
                                  "desk@example.org", "--json"])
    assert created.exit_code == 0, created.output
    sid = json.loads(created.output)["id"]
    assert runner.invoke(args=["signing", "session", "edit", str(sid), "--venue", "主会场"]).exit_code == 0
    assert runner.invoke(args=["signing", "session", "open", str(sid)]).exit_code == 0
    assert db.session.get(SigningSession, sid).state == SessionState.OPEN
    listed = runner.invoke(args=["signing", "session", "list", "--edition", "2025", "--json"])
    assert [(s["name"], s["venue"]) for s in json.loads(listed.output)["items"]] == [
        ("命令行签约", "主会场")]
    agreement = make_agreement(db.session.get(SigningSession, sid))
    amended = runner.invoke(args=["signing", "agreement", "amend", str(agreement.id), "--amount",
                                  "8亿元", "--reason", "更正", "--json"])
    assert amended.exit_code == 0, amended.output
    assert json.loads(amended.output)["amount_yuan"] == "800000000.00"
    assert runner.invoke(args=["signing", "session", "close", str(sid)]).exit_code == 0
    reopened = runner.invoke(args=["signing", "session", "reopen", str(sid), "--reason", "补录"])
    assert reopened.exit_code == 0 and "open" in reopened.output
    voided = runner.invoke(args=["signing", "agreement", "void", str(agreement.id), "--reason", "重复"])
    assert voided.exit_code == 0 and "voided" in voided.output


def test_cli_session_refusals(runner):
    make_user(Role.INVESTOR, email="investor@example.org")
    session = make_session(state=SessionState.PLANNED)
    refused = runner.invoke(args=["signing", "session", "open", str(session.id), "--as",
                                  "investor@example.org"])
    assert refused.exit_code == 1
    missing = runner.invoke(args=["signing", "session", "open", "999999", "--json"])
    assert missing.exit_code == 1 and json.loads(missing.stdout)["error"]["code"] == "not_found"
    assert runner.invoke(args=["signing", "session", "reopen", str(session.id)]).exit_code == 2
    bad = runner.invoke(args=["signing", "session", "create", "--name", "S", "--edition", "2025",
                              "--held-on", "someday"])
    assert bad.exit_code == 1 and "held_on" in bad.output
    db.session.expire_all()
    assert db.session.get(SigningSession, session.id).state == SessionState.PLANNED
    assert db.session.scalar(sa.select(sa.func.count(SigningSession.id))) == 1


def test_the_type_ahead_is_documented_api_and_its_first_urls_redirect(client, login, api_headers):
    investor = make_investor("宁德时代新能源科技股份有限公司")
    moved = client.get("/signing/lookup/investors?q=宁德时代")
    assert moved.status_code == 308
    assert moved.headers["Location"].endswith("/api/v1/signing/lookup/investors?q=" +
                                              "%E5%AE%81%E5%BE%B7%E6%97%B6%E4%BB%A3")
    url = "/api/v1/signing/lookup/investors?q=宁德时代"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=api_headers(Role.STAFF)).status_code == 403
    by_token = client.get(url, headers=api_headers(Role.ORGANIZER)).get_json()
    assert by_token["match"]["id"] == investor.id
    login(make_user(Role.ORGANIZER))  # the recording page's script: signed in, no token
    by_page = client.get(url).get_json()
    assert by_page["items"][0]["value"] == f"#{investor.id} {investor.name}"
    amount = client.get("/api/v1/signing/lookup/amount?amount=3.25").get_json()
    assert (amount["ok"], amount["yuan"], amount["yi"]) == (True, "325000000.00", "3.25")
    refused = client.get("/api/v1/signing/lookup/amount?amount=很多").get_json()
    assert refused["ok"] is False and refused["message"]
    assert client.post("/api/v1/signing/sessions", json={"name": "S", "edition": 2025}
                       ).status_code == 401  # writes need a token even when signed in
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/signing/lookup/investors", "/signing/lookup/projects", "/signing/lookup/amount"} <= set(paths)
