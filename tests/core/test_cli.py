"""The `matchmaker` commands as INTERFACES.md describes them."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from factories import make_user

from matchmaker.__main__ import main
from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.accounts.operations import user_for_token
from matchmaker.extensions import db


@pytest.mark.parametrize("command", ["run", "init", "demo", "create-user", "create-token"])
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_init_is_repeatable(runner):
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "reference data loaded" in result.output


def test_create_user_reads_the_password_from_stdin(runner):
    result = runner.invoke(main, ["create-user", "Org@Example.org", "--role", "organizer"],
                           input="green-2023-ok\ngreen-2023-ok\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "org@example.org"))
    assert user.role == Role.ORGANIZER and user.check_password("green-2023-ok")


def test_create_user_refuses_unknown_role_weak_password_and_duplicates(runner):
    unknown = runner.invoke(main, ["create-user", "a@example.org", "--role", "king"], input="x\nx\n")
    assert unknown.exit_code == 2
    weak = runner.invoke(main, ["create-user", "a@example.org", "--role", "staff"], input="abc\nabc\n")
    assert weak.exit_code == 1 and "10" in weak.output
    make_user(email="b@example.org")
    duplicate = runner.invoke(main, ["create-user", "b@example.org", "--role", "staff"],
                              input="green-2023-ok\ngreen-2023-ok\n")
    assert duplicate.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_token_prints_a_working_token(runner):
    user = make_user(role=Role.STAFF, email="staff@example.org")
    result = runner.invoke(main, ["create-token", "staff@example.org"])
    assert result.exit_code == 0
    plain = result.output.strip()
    assert user_for_token(plain).id == user.id
    assert db.session.scalar(sa.select(ApiToken.token_hash)) != plain
    missing = runner.invoke(main, ["create-token", "nobody@example.org"])
    assert missing.exit_code == 1


def test_unreachable_database_is_one_line_and_exit_1(tmp_path):
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
           "MATCHMAKER_INSTANCE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "matchmaker", "init"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MATCHMAKER_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_refuses_the_development_secret_key():
    from matchmaker.app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_a_fresh_process_lists_investors(tmp_path):
    """`matchmaker investors list` as the first command of a process: its statement names a
    backref (Investor.profile) before any query has configured the mappers."""
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
           "MATCHMAKER_INSTANCE": str(tmp_path)}
    init = subprocess.run([sys.executable, "-m", "matchmaker", "init"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    listed = subprocess.run([sys.executable, "-m", "matchmaker", "investors", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "No investors." in listed.stdout
