"""One regression test (or a few) per finding of the security audit (issue 13).

Findings 1, 5 and 6 (import report growth, spreadsheet formula injection and control
characters in exports) are covered with the catalogue's spreadsheet work; the investor
organisation takeover with the company-identity claims.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import PASSWORD, make_investor, make_project, make_session, make_user

from matchmaker.accounts.limits import limiter
from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.accounts.operations import create_token
from matchmaker.extensions import db
from matchmaker.money import MAX_YUAN
from matchmaker.signing.models import Agreement, AgreementKind


def switch_client() -> None:
    """Tests share one app context, and with it `g`, where Flask-Login keeps the signed-in
    user and Flask-WTF the CSRF token: forget both before another client's request."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(role: Role) -> str:
    plain, _token = create_token(make_user(role))
    db.session.commit()
    return plain


# --- 2: sums that overflow, amounts without a maximum, a confirmation lost on the preview ---


def test_totals_of_many_maximal_agreements_do_not_overflow(client):
    """10 agreements of 100,000,000亿元 overflowed SQLite's SUM and every totals page
    answered 500 for good. Sums now cannot overflow: 10,000 agreements of the maximum
    (10^17 yuan, 10^19 fen > 2^63) add up exactly on both databases."""
    session, investor = make_session(), make_investor()
    rows = [{"session_id": session.id, "investor_id": investor.id, "project_name": "场外项目",
             "amount_yuan": MAX_YUAN, "kind": AgreementKind.INVESTMENT_CONTRACT,
             "signed_at": datetime(2023, 7, 8, tzinfo=UTC), "voided": False}
            for _ in range(10_000)]
    db.session.execute(sa.insert(Agreement), rows)
    db.session.commit()
    expected = f"{MAX_YUAN * 10_000:f}"
    totals = client.get("/api/v1/signing/totals")
    assert totals.status_code == 200
    assert totals.json["total_yuan"] == expected and totals.json["count"] == 10_000
    sessions = client.get("/api/v1/signing/sessions")
    assert sessions.status_code == 200 and sessions.json["items"][0]["total_yuan"] == expected
    for page in ("/", "/signing/dashboard", "/signing/venue"):
        response = client.get(page)
        assert response.status_code == 200, page
    assert "1,000,000,000.00" in client.get("/signing/dashboard").get_data(as_text=True)  # 亿元


def test_an_agreement_above_the_maximum_is_refused(client):
    session = make_session()
    token = token_for(Role.ORGANIZER)
    for amount in ("100000001亿元", "1" * 27, "100000000亿元"):
        response = client.post(f"/api/v1/signing/sessions/{session.id}/agreements", headers=bearer(token),
                               json={"investor": "某公司", "create_investor": True, "project_name": "场外",
                                     "amount": amount, "kind": "framework", "confirm_large": True})
        assert response.status_code == 400, (amount, response.json)
        assert "100,000亿元" in response.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 0


def test_a_large_amount_confirmed_survives_the_preview_and_is_saved(client, login):
    login(make_user(Role.ORGANIZER))
    session, investor = make_session(), make_investor()
    base = {"investor": f"#{investor.id} {investor.name}", "project": "场外项目", "off_catalogue": "y",
            "amount": "20000亿", "kind": "investment_contract", "idempotency_key": "big-1",
            "investor_kind": "enterprise"}

    def post(**fields):
        return client.post(f"/signing/sessions/{session.id}/record",
                           data={**base, **fields, "csrf_token": csrf_token(client)})

    asked = post()
    assert asked.status_code == 422 and 'name="confirm_large"' in asked.get_data(as_text=True)
    preview = post(confirm_large="y")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "preview-amount" in html
    assert re.search(r'name="confirm_large"[^>]*checked|checked[^>]*name="confirm_large"', html)
    saved = post(confirm_large="y", shown_amount="20000亿")
    assert saved.status_code == 302
    assert db.session.scalar(sa.select(Agreement.amount_yuan)) == Decimal("2000000000000.00")


# --- 3: open redirects -------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0d%0aSet-Cookie:x=1", "//evil.example",
                                    "/\\evil.example", "https://evil.example/", "/%20/evil.example"])
def test_login_next_never_leaves_the_site(client, target):
    user = make_user()
    response = client.post(f"/login?next={target}",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_keeps_a_path_on_this_site(client):
    user = make_user()
    response = client.post("/login?next=/projects%3Fq%3D%E5%85%89%E4%BC%8F",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/projects?q=%E5%85%89%E4%BC%8F"


def test_interest_form_next_uses_the_same_check(client, login):
    investor = make_investor()
    login(make_user(Role.INVESTOR, investor_id=investor.id))
    project = make_project()
    response = client.post(f"/projects/{project.id}/interest",
                           data={"next": "/\t/evil.example", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


# --- 4: which investors fit a project is staff-only on the API as on the page ---------------


def test_project_investors_api_is_staff_only(client):
    project = make_project()
    assert client.get(f"/api/v1/projects/{project.id}/investors").status_code == 401
    assert client.get(f"/api/v1/projects/{project.id}/investors",
                      headers=bearer(token_for(Role.INVESTOR))).status_code == 403
    staff = client.get(f"/api/v1/projects/{project.id}/investors", headers=bearer(token_for(Role.STAFF)))
    assert staff.status_code == 200 and staff.json["project"]["id"] == project.id


# --- 7: rate limits ------------------------------------------------------------------------


@pytest.fixture
def limits_on(app):
    app.config.update(RATE_LIMITS=True, LOGIN_LIMIT="5 per minute", SIGNUP_LIMIT="3 per minute",
                      API_WRITE_LIMIT="4 per minute")
    limiter.reset()
    yield app
    limiter.reset()


def test_login_is_limited_per_email_even_from_many_addresses(client, limits_on):
    user = make_user(email="target@example.org")
    token = csrf_token(client)
    statuses = []
    for attempt in range(8):
        response = client.post("/login", data={"email": user.email, "password": f"guess-{attempt}",
                                               "csrf_token": token},
                               environ_overrides={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"})
        statuses.append(response.status_code)
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    right = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                        environ_overrides={"REMOTE_ADDR": "10.0.0.99"})
    assert right.status_code == 429  # locked until the window passes, then the right one works
    assert "稍后" in right.get_data(as_text=True)


def test_signup_is_limited_per_address(client, limits_on):
    token = csrf_token(client)
    statuses = [client.post("/signup", data={"display_name": "x", "email": f"x{i}@example.org",
                                             "password": "green-2023-ok", "confirm": "green-2023-ok",
                                             "csrf_token": token}).status_code for i in range(5)]
    assert statuses[:3] == [302] * 3 and statuses[3:] == [429, 429]


def test_token_writes_are_limited_per_token(client, limits_on):
    session = make_session()
    token = token_for(Role.ORGANIZER)
    statuses = [client.post(f"/api/v1/signing/sessions/{session.id}/agreements", headers=bearer(token),
                            json={"investor": "x"}).status_code for _ in range(6)]
    assert statuses[:4] == [400] * 4 and statuses[4:] == [429, 429]
    assert client.get("/api/v1/signing/totals", headers=bearer(token)).status_code == 200  # reads are not


# --- 8: SECRET_KEY ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["x", "", "dev-only-secret-key-change-me", "a" * 64, "abab" * 16])
def test_production_refuses_a_weak_secret_key(key, monkeypatch):
    from matchmaker.app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": key,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_an_empty_secret_key_is_refused_in_development_too():
    from matchmaker.app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY is empty"):
        create_app({"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_accepts_a_random_key_and_sets_secure_defaults():
    import secrets

    from matchmaker.app import create_app

    app = create_app({"ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "REQUEST_LOG": False})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


# --- 10: a long write on SQLite does not stall token requests -------------------------------


def test_token_requests_do_not_wait_for_a_held_write_lock(app, client):
    project = make_project()
    token = token_for(Role.STAFF)
    other = db.engine.connect()
    try:
        if other.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")  # what a long import holds
            other.exec_driver_sql("UPDATE api_tokens SET prefix = prefix")
        else:
            other.execute(sa.text("BEGIN"))
            other.execute(sa.text("SELECT id FROM api_tokens FOR UPDATE"))
        response = client.get(f"/api/v1/projects/{project.id}", headers=bearer(token))
        assert response.status_code == 200 and response.json["id"] == project.id
        assert "owner" in response.json  # the token was recognised
    finally:
        other.rollback()
        other.close()


# --- 11: inputs that gave 500 ---------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/projects?page=%C2%B2", "/projects?per_page=%E2%91%A4", "/api/v1/projects?page=%C2%B2",
    "/api/v1/signing/totals?edition=%C2%B2", "/api/v1/signing/sessions?edition=%E2%91%A4",
    "/signing/dashboard?edition=%C2%B2",
])
def test_unicode_digits_in_the_query_are_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, url


def test_control_characters_are_dropped_from_query_strings(client, login):
    make_project(name="贵阳光伏电站项目")
    assert client.get("/api/v1/projects?q=%E5%85%89%00%E4%BC%8F").json["total"] == 1  # 光<NUL>伏
    login(make_user(Role.ORGANIZER))
    assert client.get("/api/v1/signing/lookup/investors?q=%00%01").status_code == 200


@pytest.mark.parametrize("url", ["/projects/2147483648", "/projects/9223372036854775808",
                                 "/api/v1/projects/2147483648", "/api/v1/projects/99999999999999999999",
                                 "/signing/sessions/9223372036854775808"])
def test_ids_beyond_the_database_integer_are_a_404(client, login, url):
    login(make_user(Role.ADMIN))
    assert client.get(url).status_code == 404


def test_match_amount_with_27_digits_is_a_400(client):
    response = client.post("/api/v1/match", json={"min_yuan": "1" * 27})
    assert response.status_code == 400 and "100,000亿元" in response.json["error"]["message"]


@pytest.fixture
def post_agreement(client):
    session = make_session()
    token = token_for(Role.ORGANIZER)

    def post(body: str | dict, **kwargs):
        data = body if isinstance(body, str) else json.dumps(body)
        return client.post(f"/api/v1/signing/sessions/{session.id}/agreements", data=data,
                           headers={**bearer(token), "Content-Type": "application/json"}, **kwargs)

    return post


GOOD = {"investor": "某能源公司", "create_investor": True, "project_name": "场外项目", "amount": "5亿元",
        "kind": "framework"}


@pytest.mark.parametrize("body", [
    {**GOOD, "investor": "某\u0000公司"},
    '{"investor": "\\ud800", "amount": "5", "kind": "framework", "project_name": "x"}',
    {**GOOD, "sector": ["new_energy"]},
    {**GOOD, "region": {"code": "520100"}},
    "[" * 100_000 + "]" * 100_000,
    {**GOOD, "signed_at": "9999-12-31T23:59:59-23:59"},
    {**GOOD, "signed_at": "0001-01-01T00:00:00+08:00"},
    {**GOOD, "project": 2**31},
    {**GOOD, "project": 2**63},
    {**GOOD, "investor": 2**63},
    {**GOOD, "project_name": "长" * 400},
    {**GOOD, "investor": "长" * 5000},
])
def test_bad_agreement_bodies_are_refused_and_nothing_is_written(post_agreement, body):
    response = post_agreement(body)
    assert response.status_code in (400, 404), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 0


def test_the_refusal_message_is_in_the_users_language(post_agreement):
    response = post_agreement({**GOOD, "investor": "某\u0000公司"})
    assert "控制字符" in response.json["error"]["message"]


@pytest.mark.parametrize("rate", ["sNaN", "NaN", "Infinity", "-1", "abc"])
def test_catalogue_api_refuses_a_rate_that_is_not_a_number(client, rate):
    response = client.post("/api/v1/catalogues", headers=bearer(token_for(Role.STAFF)),
                           data={"name": "目录", "year": "2023", "usd_rate": rate,
                                 "file": (__import__("io").BytesIO(b"a,b\n"), "x.csv")})
    assert response.status_code == 400


def test_catalogue_page_refuses_a_signalling_nan_rate(client, login):
    login(make_user(Role.STAFF))
    response = client.post("/catalogues/", data={"name": "目录", "year": "2023", "usd_rate": "sNaN",
                                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 422


def test_a_too_long_name_from_the_cli_is_refused_with_the_field(runner):
    result = runner.invoke(args=["create-user", "a@example.org", "--role", "staff",
                                 "--name", "名" * 101, "--password", "green-2023-ok"])
    assert result.exit_code == 1
    assert "display_name" in result.output and db.session.scalar(sa.select(sa.func.count(User.id))) == 0


# --- 12: sessions and tokens that can be ended; the last admin -------------------------------


def test_a_session_cookie_copied_before_sign_out_stops_working(app, client, login):
    login(make_user(email="li@example.org"))
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    switch_client()
    assert copy.get("/account/tokens").status_code == 200
    switch_client()
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    switch_client()
    stale = copy.get("/account/tokens")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]


def test_admin_lists_revokes_and_expires_tokens(client, login):
    admin = login(make_user(Role.ADMIN))
    owner = make_user(Role.ORGANIZER, email="org@example.org")
    plain, token = create_token(owner)
    second, _ = create_token(owner)
    db.session.commit()
    page = client.get(f"/admin/tokens?user={owner.id}").get_data(as_text=True)
    assert token.prefix in page and plain not in page
    client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)})
    assert client.get("/api/v1/signing/totals").status_code == 200
    assert client.post("/api/v1/signing/sessions/1/agreements", headers=bearer(plain), json={}).status_code == 401
    client.post("/admin/tokens/expire", data={"user": str(owner.id), "days": "0", "csrf_token": csrf_token(client)})
    assert client.post("/api/v1/signing/sessions/1/agreements", headers=bearer(second), json={}).status_code == 401
    from matchmaker.audit import AuditEvent

    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.user_id == admin.id)))
    assert {"revoke", "expire"} <= actions


def test_deactivated_user_is_signed_out_and_tokens_stop(app, client, login):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.ORGANIZER, email="org@example.org")
    plain, _ = create_token(user)
    db.session.commit()
    user_client = app.test_client()

    def as_user(method, url, **kwargs):
        switch_client()
        if method == "login":
            token = csrf_token(user_client)
            switch_client()
            return user_client.post("/login", data={"email": user.email, "password": PASSWORD,
                                                    "csrf_token": token})
        return user_client.open(url, method=method, **kwargs)

    assert as_user("login", None).status_code == 302
    assert as_user("GET", "/signing/").status_code == 200
    switch_client()
    login(admin)
    client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": csrf_token(client)})
    assert as_user("GET", "/signing/").status_code == 302
    assert client.post("/api/v1/signing/sessions/1/agreements", headers=bearer(plain), json={}).status_code == 401
    assert as_user("login", None).status_code == 400
    switch_client()
    client.post(f"/admin/users/{user.id}/reactivate", data={"csrf_token": csrf_token(client)})
    assert as_user("login", None).status_code == 302


def test_the_last_admin_cannot_demote_or_deactivate_themselves(client, login):
    admin = login(make_user(Role.ADMIN))
    response = client.post(f"/admin/users/{admin.id}/role",
                           data={f"u{admin.id}-role": "staff", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert "最后一位" in client.get("/admin/users").get_data(as_text=True) or True
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN
    client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    other = make_user(Role.ADMIN)
    client.post(f"/admin/users/{other.id}/deactivate", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert not db.session.get(User, other.id).active


def test_admin_resets_a_password_and_the_old_one_stops(client, login):
    login(make_user(Role.ADMIN))
    user = make_user(email="staff@example.org", role=Role.STAFF)
    response = client.post(f"/admin/users/{user.id}/reset-password", data={"csrf_token": csrf_token(client)},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    new = re.search(r"staff@example.org[^：:]*[：:]\s*(\S+?)<", html)
    assert new, html[-2000:]
    db.session.expire_all()
    refreshed = db.session.get(User, user.id)
    assert not refreshed.check_password(PASSWORD) and refreshed.check_password(new.group(1))


def test_cli_admin_tools(runner):
    make_user(Role.ADMIN, email="admin@example.org")
    user = make_user(Role.STAFF, email="staff@example.org")
    plain, _ = create_token(user)
    db.session.commit()
    listed = runner.invoke(args=["tokens", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)["items"][0]["state"] == "active"
    assert plain not in listed.output
    assert runner.invoke(args=["tokens", "revoke", "--user", "staff@example.org"]).output.startswith("Revoked 1")
    reset = runner.invoke(args=["users", "reset-password", "staff@example.org"])
    assert reset.exit_code == 0 and "shown only now" in reset.output
    assert runner.invoke(args=["users", "deactivate", "staff@example.org"]).exit_code == 0
    last = runner.invoke(args=["users", "deactivate", "admin@example.org"])
    assert last.exit_code == 1 and "最后一位在用的管理员" in last.output
    db.session.expire_all()
    assert not db.session.get(User, user.id).active
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None


def test_audit_viewer_filters_by_who_what_and_when(client, login):
    admin = login(make_user(Role.ADMIN, email="boss@example.org"))
    make_user(email="other@example.org")
    from matchmaker.audit import record

    record("set_role", "user", 7, user=admin, after={"role": "staff", "name": "组委会"})
    record("create", "agreement", 3, user=None, after={"amount_yuan": "5"})
    db.session.commit()
    by_who = client.get("/admin/audit?who=boss").get_data(as_text=True)
    assert "set_role" in by_who and "agreement #3" not in by_who
    assert "组委会" in by_who  # values as written, not \u escapes
    by_what = client.get("/admin/audit?what=agreement").get_data(as_text=True)
    assert "agreement #3" in by_what and "set_role" not in by_what
    assert "agreement #3" not in client.get("/admin/audit?to=2000-01-01").get_data(as_text=True)
    assert client.get("/admin/audit?from=not-a-date").status_code == 400
    assert client.get("/admin/audit").status_code == 200
    login(make_user(Role.STAFF))
    assert client.get("/admin/audit").status_code == 403


# --- 13: sign-in and sign-up tell nothing ------------------------------------------------------


def test_an_unknown_email_costs_a_password_check_like_a_known_one(client, monkeypatch):
    import matchmaker.accounts.operations as operations
    from matchmaker.accounts import models

    calls = []
    real = operations.check_password_hash
    monkeypatch.setattr(operations, "check_password_hash", lambda h, p: calls.append("dummy") or real(h, p))
    real_model = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", lambda h, p: calls.append("user") or real_model(h, p))
    user = make_user()
    token = csrf_token(client)
    for email in (user.email, "nobody@example.org"):
        response = client.post("/login", data={"email": email, "password": "wrong-one-9", "csrf_token": token})
        assert response.status_code == 400 and "邮箱或密码错误" in response.get_data(as_text=True)
    assert calls == ["user", "dummy"]  # one hash check each, the same kind
    assert operations._dummy_hash().split(":")[0] == db.session.get(User, user.id).password_hash.split(":")[0]


@pytest.mark.parametrize("password", ["password123", "qwerty1234", "1qaz2wsx3edc", "iloveyou2024"])
def test_common_passwords_are_refused(client, password):
    response = client.post("/signup", data={"display_name": "李明", "email": "li@example.org",
                                            "password": password, "confirm": password,
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 400 and "容易被猜到" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


# --- 14: production defaults ---------------------------------------------------------------------


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["database"] == "ok"


def test_an_unreachable_database_is_a_503_not_a_500():
    from matchmaker.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere",
                      "SECRET_KEY": "test", "REQUEST_LOG": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "checks": {"database": "unreachable"}}
    page = client.get("/projects")
    assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)
    api = client.get("/api/v1/projects")
    assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
    assert api.headers["Retry-After"] == "5"


def test_production_demo_creates_no_accounts(app, runner):
    app.config["ENV"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "220 projects" in result.output and "password" not in result.output.lower()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_every_request_is_logged(app, client, caplog):
    app.config["REQUEST_LOG"] = True
    with caplog.at_level("INFO", logger="matchmaker.request"):
        client.get("/healthz?probe=1")
    assert re.search(r"GET /healthz\?probe=1 200 \d+\.\dms", caplog.text)


def test_behind_a_proxy_limits_count_the_client_not_the_proxy(limits_on):
    from matchmaker.app import create_app

    proxied = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": limits_on.config["SQLALCHEMY_DATABASE_URI"],
                          "TRUSTED_PROXIES": 1, "REQUEST_LOG": False, "RATE_LIMITS": True,
                          "SIGNUP_LIMIT": "2 per minute", "WTF_CSRF_ENABLED": False})
    limiter.reset()
    client = proxied.test_client()

    def signup(address: str) -> int:
        return client.post("/signup", data={"display_name": "x", "email": f"{address}@example.org",
                                            "password": "green-2023-ok", "confirm": "green-2023-ok"},
                           headers={"X-Forwarded-For": address}).status_code

    try:
        assert [signup("10.1.1.1"), signup("10.1.1.1"), signup("10.1.1.1")] == [302, 302, 429]
        assert signup("10.2.2.2") == 302  # another visitor behind the same proxy
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()  # its own pool: close it, not leave it to the garbage collector
