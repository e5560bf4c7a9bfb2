"""The test configuration's cheap password hash never reaches production; one message source."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from factories import make_user

from matchmaker.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_suite_hashes_cheaply_and_still_verifies(app):
    user = make_user(password="green-2023-ok")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert user.check_password("green-2023-ok") and not user.check_password("green-2023-no")


def test_production_hashes_with_scrypt_and_refuses_a_cheap_method(app, tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_INSTANCE", str(tmp_path))
    production = {"ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    assert create_app(production).config["PASSWORD_HASH_METHOD"] == "scrypt"
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_METHOD"):
        create_app({**production, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def test_the_po_file_is_the_only_message_list():
    found = [p for folder in ("matchmaker", "tests") for p in (ROOT / folder).rglob("MESSAGES_*.txt")]
    assert found == []
