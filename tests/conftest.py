"""Shared fixtures: one migrated database per test run (SQLite file, or the PostgreSQL
database named by MATCHMAKER_DATABASE_URL), emptied after every test except for the
reference data (sectors, regions), which is loaded once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from matchmaker.app import create_app
from matchmaker.config import ROOT
from matchmaker.db import MIGRATIONS_DIR
from matchmaker.extensions import db
from matchmaker.reference.loaders import load_reference_data

# The browser fixtures (live server, Chromium) live in a plugin module, not a second
# conftest.py: two non-package conftest.py files would fight over the module name.
pytest_plugins = ["e2e.browser"]

REFERENCE_TABLES = {"sectors", "regions", "alembic_version"}
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def pytest_report_header(config):
    url = os.environ.get("MATCHMAKER_DATABASE_URL", "sqlite (temporary file)")
    return f"matchmaker database: {sa.engine.make_url(url).render_as_string(hide_password=True) if '://' in url else url}"


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": None,
        "DATA_DIR": str(ROOT / "data"),
        # Production hashes with scrypt (~170 ms a password); the suite hashes ~90 of them.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Every test signs in from 127.0.0.1; the rate-limit tests turn the limits on.
        "RATE_LIMITS": False,
        "REQUEST_LOG": False,
    }
    if not os.environ.get("MATCHMAKER_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'test.sqlite'}"
    os.environ["MATCHMAKER_INSTANCE"] = str(instance)
    app = create_app(config)
    with app.app_context():
        _drop_everything()
        upgrade(directory=MIGRATIONS_DIR)
        load_reference_data(app.config["DATA_DIR"])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _drop_everything() -> None:
    """Start from an empty database (a PostgreSQL test database may hold a previous run)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=db.engine)
    metadata.drop_all(bind=db.engine)


def _empty_tables() -> None:
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app(_app):
    """The app with an app context pushed; every non-reference table empty afterwards."""
    saved = dict(_app.config)
    with _app.app_context():
        yield _app
        db.session.rollback()
        _empty_tables()
        from matchmaker import cache

        cache.clear_local()  # the emptied database must not meet last test's caches
    _app.config.clear()
    _app.config.update(saved)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    html = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on /login"
    return match.group(1) or match.group(2)


@pytest.fixture
def login(client):
    """login(user, password='correct horse 1') signs the test client in through the form."""

    def _login(user, password: str = "correct horse 1"):
        response = client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
        return user

    return _login


@pytest.fixture
def api_headers(app):
    """api_headers(role or user) -> Authorization headers with a new API token of a new user
    with that role (or of that user)."""
    from factories import make_user

    from matchmaker.accounts.models import User
    from matchmaker.accounts.operations import create_token

    def _headers(who) -> dict[str, str]:
        user = who if isinstance(who, User) else make_user(who)
        token, _row = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only when the database is PostgreSQL."""
    url = os.environ.get("MATCHMAKER_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set MATCHMAKER_DATABASE_URL=postgresql+psycopg://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


DATA_DIR = Path(__file__).parent / "data"
