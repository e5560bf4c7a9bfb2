"""Two app instances (two machines behind one proxy) on one PostgreSQL and one Redis behave
as one platform: nothing a request needs lives only in one process or on one disk."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from matchmaker.app import create_app
from matchmaker.extensions import db

pytestmark = pytest.mark.postgres
REDIS_URL = "redis://127.0.0.1:6379/14"
SHEET = Path(__file__).resolve().parents[1] / "data" / "catalogue" / "import" / "guiyang_v1.xlsx"
PASSWORD = "correct horse 1"


@pytest.fixture
def machines(app, tmp_path):
    """Machines A and B: separate apps, instance folders and in-process caches."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    connection.flushdb()
    apps = []
    for name in ("a", "b"):
        os.environ["MATCHMAKER_INSTANCE"] = str(tmp_path / name)
        apps.append(create_app({
            "SECRET_KEY": "shared-secret-of-both-machines", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": REDIS_URL, "REDIS_PREFIX": "mmtwo", "JOBS_INLINE": True, "REQUEST_LOG": False,
            "RATE_LIMITS": False, "LOGIN_LIMIT": "4 per minute",
        }))
    os.environ["MATCHMAKER_INSTANCE"] = app.instance_path
    yield apps
    for other in apps:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    connection.flushdb()


def csrf(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]


def make(app, role: str, email: str):
    from matchmaker.accounts.operations import create_user

    with app.app_context():
        user = create_user(email, PASSWORD, role)
        db.session.commit()
        return user.id


def test_an_upload_previewed_on_one_machine_imports_on_the_other(machines):
    a, b = machines
    make(a, "staff", "staff@example.org")
    on_a, on_b = a.test_client(), b.test_client()
    sign_in(on_a, "staff@example.org")
    sign_in(on_b, "staff@example.org")
    created = on_a.post("/catalogues/", data={"name": "贵阳市2023", "year": "2023", "csrf_token": csrf(on_a)})
    catalogue_url = created.headers["Location"]
    preview = on_a.post(catalogue_url + "/upload", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(SHEET.read_bytes()), "v1.xlsx"), "csrf_token": csrf(on_a)})
    batch_url = preview.headers["Location"]
    assert not list(Path(a.instance_path).rglob("*uploads*"))  # nothing on A's disk
    committed = on_b.post(batch_url + "/commit", data={"commit": "1", "csrf_token": csrf(on_b)})
    assert committed.status_code == 302
    with b.app_context():
        from matchmaker.catalogue.models import Project

        assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 5


def test_a_project_created_on_one_machine_is_found_by_search_on_the_other(machines):
    from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project

    a, b = machines
    on_b = b.test_client()
    assert on_b.get("/api/v1/projects?q=氢能").json["total"] == 0  # B builds its index now
    with a.app_context():
        from matchmaker.editions.operations import ensure_edition

        catalogue = Catalogue(name="新目录", year=2025, edition=ensure_edition(2025, user=None),
                              status=CatalogueStatus.PUBLISHED)
        db.session.add(catalogue)
        db.session.flush()
        db.session.add(Project(catalogue_id=catalogue.id, code="1", name="六盘水氢能产业园项目",
                               investment_sought_yuan=500_000_000))
        db.session.commit()
    found = on_b.get("/api/v1/projects?q=氢能").json
    assert [item["name"] for item in found["items"]] == ["六盘水氢能产业园项目"]


def test_a_revoked_session_or_token_is_refused_by_both(machines):
    from matchmaker.accounts.models import User
    from matchmaker.accounts.operations import create_token, revoke_token

    a, b = machines
    user_id = make(a, "organizer", "org@example.org")
    on_a, on_b = a.test_client(), b.test_client()
    sign_in(on_a, "org@example.org")
    on_b.set_cookie("session", on_a.get_cookie("session").value)  # the proxy sends it to B
    assert on_b.get("/signing/").status_code == 200
    on_a.post("/logout", data={"csrf_token": csrf(on_a)})
    assert on_b.get("/signing/").status_code == 302  # signed out on A: B refuses the cookie

    with a.app_context():
        plain, token = create_token(db.session.get(User, user_id))
        db.session.commit()
        token_id = token.id
    headers = {"Authorization": f"Bearer {plain}"}
    assert on_b.post("/api/v1/signing/sessions/1/agreements", headers=headers, json={}).status_code == 404
    with b.app_context():
        from matchmaker.accounts.models import ApiToken

        revoke_token(db.session.get(ApiToken, token_id), actor=None)
        db.session.commit()
    for client in (on_a, on_b):
        assert client.post("/api/v1/signing/sessions/1/agreements", headers=headers, json={}).status_code == 401


def test_login_attempts_count_together_on_both_machines(machines):
    from matchmaker.accounts.limits import limiter

    a, b = machines
    make(a, "staff", "staff@example.org")
    for app in machines:
        app.config["RATE_LIMITS"] = True
    with a.app_context():
        limiter.reset()
    statuses = []
    for attempt in range(6):
        client = (a if attempt % 2 else b).test_client()
        statuses.append(client.post("/login", data={"email": "staff@example.org", "password": "wrong-guess-1",
                                                    "csrf_token": csrf(client)}).status_code)
    assert statuses[:4] == [400] * 4 and statuses[4:] == [429, 429]
    import redis

    assert any(b"login-email" in key or b"email" in key
               for key in redis.Redis.from_url(REDIS_URL).keys("*"))  # the counters are in Redis
