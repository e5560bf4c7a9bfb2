"""The signing API: shapes clients read, role checks, idempotency, 409 with candidates."""

from decimal import Decimal

import pytest
from factories import make_agreement, make_investor, make_project, make_session, make_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.extensions import db
from matchmaker.signing.models import SessionState


@pytest.fixture
def bearer(app):
    """bearer(role) -> Authorization headers of a new user with that role."""

    def _bearer(role: Role = Role.ORGANIZER) -> dict[str, str]:
        user = make_user(role)
        token, _row = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/signing/sessions/{sid}/agreements", {"investor": "x", "amount": "1", "kind": "framework",
                                                     "project_name": "p"}),
     ("/api/v1/signing/agreements/{aid}/void", {"reason": "r"})],
)
def test_writes_need_an_organizer_token(client, bearer, path, body):
    agreement = make_agreement()
    url = path.format(sid=agreement.session_id, aid=agreement.id)
    assert client.post(url, json=body).status_code == 401
    for role in (Role.INVESTOR, Role.STAFF):
        response = client.post(url, json=body, headers=bearer(role))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_record_accepts_chinese_kind_and_units_and_repeats_idempotently(client, bearer):
    session, project = make_session(), make_project()
    investor = make_investor("中国电力建设集团有限公司", name_en="Power Construction Corporation of China")
    headers = bearer()
    body = {"investor": "中国电力建设", "project": project.id, "amount": "5000万", "kind": "框架协议",
            "signed_at": "2025-07-12T10:30:00+08:00", "idempotency_key": "abc-1"}
    first = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    data = first.get_json()
    assert set(data) == {"id", "session_id", "investor", "project", "project_name", "amount_yuan", "kind",
                         "signed_at", "voided", "void_reason", "currency", "amount_original", "rate",
                         "learned_name"}
    assert (data["currency"], data["amount_original"], data["rate"]) == ("CNY", None, None)
    assert data["investor"] == {"id": investor.id, "name": investor.name, "name_en": investor.name_en}
    assert (data["amount_yuan"], data["kind"], data["project"]["id"]) == ("50000000.00", "framework", project.id)
    assert data["signed_at"] == "2025-07-12T02:30:00+00:00"
    again = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == data["id"]
    totals = client.get("/api/v1/signing/totals").get_json()
    assert (totals["count"], totals["total_yuan"]) == (1, "50000000.00")


def test_unresolved_investor_answers_409_with_candidates(client, bearer):
    session = make_session()
    known = make_investor("贵州磷化（集团）有限责任公司", name_en="Guizhou Phosphate Chemical Group")
    body = {"investor": "贵州磷都化工", "project_name": "p", "amount": "1", "kind": "strategic"}
    response = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=bearer())
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "investor_unresolved"
    assert error["candidates"][0]["id"] == known.id
    assert set(error["candidates"][0]) == {"id", "name", "name_en", "score", "why"}
    assert error["candidates"][0]["why"]["text"]
    body["create_investor"] = True
    created = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=bearer())
    assert created.status_code == 201 and created.get_json()["investor"]["name"] == "贵州磷都化工"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount": "-3"}, 400, "invalid"),
        ({"amount": 5.5}, 400, "invalid"),
        ({"amount": "20000亿"}, 422, "amount_unconfirmed"),
        ({"project": 999_999}, 404, "not_found"),
        ({"kind": "合同书"}, 400, "invalid"),
        ({"signed_at": "2025-07-12T10:30:00"}, 400, "invalid"),
    ],
)
def test_bad_input_answers_with_a_code_and_writes_nothing(client, bearer, change, status, code):
    session, investor = make_session(), make_investor()
    body = {"investor": investor.id, "project_name": "p", "amount": "1", "kind": "framework", **change}
    response = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=bearer())
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert client.get("/api/v1/signing/totals").get_json()["count"] == 0


def test_closed_session_is_refused(client, bearer):
    session = make_session(state=SessionState.CLOSED)
    body = {"investor": make_investor().id, "project_name": "p", "amount": "1", "kind": "framework"}
    response = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", json=body, headers=bearer())
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"


def test_void_and_void_again(client, bearer):
    agreement = make_agreement()
    headers = bearer()
    url = f"/api/v1/signing/agreements/{agreement.id}/void"
    assert client.post(url, json={}, headers=headers).status_code == 400
    response = client.post(url, json={"reason": "重复"}, headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["voided"], response.get_json()["void_reason"]) == (True, "重复")
    assert client.post(url, json={"reason": "again"}, headers=headers).status_code == 409


def test_totals_and_sessions_shapes(client):
    session = make_session(name="绿色产业项目签约", name_en="Green signing", target_yuan=Decimal("6000000000"))
    make_agreement(session, amount_yuan=Decimal("325000000.00"))
    totals = client.get("/api/v1/signing/totals").get_json()
    assert {"total_yuan", "count", "target_yuan", "by_session", "by_sector", "by_region", "by_kind",
            "by_investor_kind"} <= set(totals)
    assert totals["by_session"] == [{"key": str(session.id), "name": "绿色产业项目签约", "name_en": "Green signing",
                                     "count": 1, "total_yuan": "325000000.00"}]
    assert totals["press"]["zh"] == "2023年生态文明贵阳国际论坛共签约项目1个，签约金额3.25亿元"
    sessions = client.get("/api/v1/signing/sessions").get_json()["items"]
    assert (sessions[0]["count"], sessions[0]["total_yuan"], sessions[0]["target_yuan"]) == (
        1, "325000000.00", "6000000000.00")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/signing/sessions/{id}/agreements" in spec["paths"]
