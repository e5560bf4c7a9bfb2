"""Sign-up, sign-in, sign-out and API tokens, with the messages a user sees."""

import re
from datetime import timedelta

import sqlalchemy as sa
from conftest import csrf_token
from factories import PASSWORD, make_user

from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.accounts.operations import create_token, user_for_token
from matchmaker.db import utcnow
from matchmaker.extensions import db


def signup(client, **overrides):
    data = {"display_name": "李明", "email": "li@example.org", "password": "green-2023-ok",
            "confirm": "green-2023-ok", "csrf_token": csrf_token(client)}
    data.update(overrides)
    return client.post("/signup", data=data)


def test_signup_creates_an_investor_with_a_hashed_password(client):
    response = signup(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db.session.scalar(sa.select(User).where(User.email == "li@example.org"))
    assert user.role == Role.INVESTOR
    assert "green-2023-ok" not in user.password_hash and user.check_password("green-2023-ok")
    client.post("/login", data={"email": "li@example.org", "password": "green-2023-ok",
                                "csrf_token": csrf_token(client)})
    assert "李明" in client.get("/").get_data(as_text=True)


def test_weak_password_is_refused_next_to_the_field_and_input_is_kept(client):
    response = signup(client, password="12345678901", confirm="12345678901")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="password-error"' in html and "密码太弱" in html
    assert 'value="li@example.org"' in html  # what the user typed is still there
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_signup_with_an_existing_email_answers_like_a_new_one(client):
    """Audit finding 13: sign-up told which e-mails have accounts."""
    new = signup(client, email="new@example.org")
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)
    owner = make_user(email="li@example.org", password="owner-password-77")
    again = signup(client, email="LI@example.org")
    again_page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert (again.status_code, again.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert "已存在" not in again_page
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731 - the CSRF token differs
    assert strip(again_page) == strip(new_page)
    db.session.expire_all()
    assert db.session.get(User, owner.id).check_password("owner-password-77")  # untouched
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_english_messages_when_english_is_chosen(client):
    client.get("/?lang=en")
    response = signup(client, password="short", confirm="short")
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_login_wrong_password_then_right_then_logout(client):
    user = make_user(email="staff@example.org", role=Role.STAFF)
    token = csrf_token(client)
    wrong = client.post("/login", data={"email": user.email, "password": "nope", "csrf_token": token})
    assert wrong.status_code == 400 and "邮箱或密码错误" in wrong.get_data(as_text=True)
    right = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 302
    assert "staff@example.org" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "staff@example.org" not in client.get("/").get_data(as_text=True)


def test_login_redirect_stays_on_this_site(client):
    user = make_user()
    response = client.post(
        "/login?next=//evil.example.com/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    response = client.post("/signup", data={"display_name": "x", "email": "x@example.org",
                                            "password": "green-2023-ok", "confirm": "green-2023-ok"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_tokens_are_stored_hashed_and_expire(app):
    user = make_user(role=Role.ORGANIZER)
    plain, token = create_token(user)
    db.session.commit()
    assert plain.startswith("mm_") and plain not in token.token_hash
    assert user_for_token(plain).id == user.id
    assert user_for_token("mm_unknown") is None
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert user_for_token(plain) is None


def test_token_page_shows_a_new_token_once(client, login):
    login(make_user())
    response = client.post("/account/tokens", data={"csrf_token": csrf_token(client)})
    assert 'id="new-token"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1
    assert 'id="new-token"' not in client.get("/account/tokens").get_data(as_text=True)


def test_admin_creates_users_and_changes_roles(client, login):
    login(make_user(role=Role.ADMIN))
    response = client.post("/admin/users", data={
        "email": "org@example.org", "display_name": "组委会", "role": "organizer",
        "password": "green-2023-ok", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(User).where(User.email == "org@example.org"))
    assert created.role == Role.ORGANIZER
    client.post(f"/admin/users/{created.id}/role",
                data={f"u{created.id}-role": "staff", "csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert db.session.get(User, created.id).role == Role.STAFF
