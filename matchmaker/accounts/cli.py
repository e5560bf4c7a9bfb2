"""`matchmaker create-user` and `matchmaker create-token`."""

import json
import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.accounts.operations import (
    create_token,
    create_user,
    deactivate_user,
    expire_tokens,
    find_user,
    normalize_email,
    reactivate_user,
    reset_password,
    revoke_token,
    revoke_tokens,
    set_scope,
    token_query,
    token_state,
)
from matchmaker.console import fail
from matchmaker.errors import DomainError
from matchmaker.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Read from stdin or prompted when not given.")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str, password: str) -> None:
    """Create a user with a role; the password is read from stdin or prompted."""

    try:
        user = create_user(email, password, role, display_name=display_name)
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("create-token")
@click.argument("email")
@with_appcontext
def create_token_command(email: str) -> None:
    """Print a new API token for that user (shown once; only its hash is stored)."""


    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        fail(f"Error: no user with the email {email}.")
    plain, _token = create_token(user)
    db.session.commit()
    click.echo(plain)


commands = [create_user_command, create_token_command]


# --- admin tools: `matchmaker users …`, `matchmaker tokens …` ------------------------------


def _user_or_fail(email: str):

    try:
        return find_user(email)
    except DomainError as error:
        fail(f"Error: {error.translated()}")


def _commit_or_fail(action) -> object:

    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        fail(f"Error: {error.translated()}")
    db.session.commit()
    return result


@click.group("users")
def users_group() -> None:
    """List, deactivate, reactivate users; reset a password."""


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@with_appcontext
def users_list(as_json: bool) -> None:
    """Every user with role and state."""



    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    rows = [{"id": u.id, "email": u.email, "role": u.role.value, "active": u.active,
             "name": u.display_name} for u in users]
    if as_json:
        click.echo(json.dumps({"items": rows}, ensure_ascii=False))
        return
    for row in rows:
        state = "active" if row["active"] else "deactivated"
        click.echo(f"{row['id']:>5}  {row['email']:<36} {row['role']:<10} {state}")


@users_group.command("scope")
@click.argument("email")
@click.argument("regions", nargs=-1)
@with_appcontext
def users_scope(email: str, regions: tuple[str, ...]) -> None:
    """Limit a staff account to REGIONS (prefecture or county codes, e.g. 520300 520303);
    none: the whole province."""

    user = _user_or_fail(email)
    _commit_or_fail(lambda: set_scope(user, list(regions), actor=None))
    names = "、".join(r.name for r in user.scope_regions) or "the whole province"
    click.echo(f"{user.email} covers {names}.")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """The user can no longer sign in; their sessions end and their API tokens are revoked."""

    user = _user_or_fail(email)
    _commit_or_fail(lambda: deactivate_user(user, actor=None))
    click.echo(f"Deactivated {user.email}; sessions ended, API tokens revoked.")


@users_group.command("reactivate")
@click.argument("email")
@with_appcontext
def users_reactivate(email: str) -> None:
    """Let a deactivated user sign in again (their old tokens stay revoked)."""

    user = _user_or_fail(email)
    _commit_or_fail(lambda: reactivate_user(user, actor=None))
    click.echo(f"Reactivated {user.email}.")


@users_group.command("reset-password")
@click.argument("email")
@click.option("--password", help="The new password (read from stdin with --stdin); random when omitted.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the new password from stdin.")
@with_appcontext
def users_reset_password(email: str, password: str | None, from_stdin: bool) -> None:
    """Set a new password (printed once when generated); every session of the user ends."""

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    user = _user_or_fail(email)
    new = _commit_or_fail(lambda: reset_password(user, password, actor=None))
    if password is None:
        click.echo(f"New password for {user.email} (shown only now): {new}")
    else:
        click.echo(f"Password of {user.email} changed; sessions ended.")


@click.group("tokens")
def tokens_group() -> None:
    """List, revoke and expire API tokens."""


@tokens_group.command("list")
@click.option("--user", "email", help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@with_appcontext
def tokens_list(email: str | None, as_json: bool) -> None:
    """Every token (prefix, owner, state, dates); never the token itself."""


    user = _user_or_fail(email) if email else None
    tokens = db.session.scalars(token_query(user_id=user.id if user else None)).all()

    def when(value):
        return value.isoformat(timespec="seconds") if value else None

    rows = [{"id": t.id, "prefix": t.prefix, "user": t.user.email, "state": token_state(t),
             "created_at": when(t.created_at), "expires_at": when(t.expires_at),
             "last_used_at": when(t.last_used_at)} for t in tokens]
    if as_json:
        click.echo(json.dumps({"items": rows}, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['prefix']}…  {row['user']:<32} {row['state']:<8} "
                   f"expires {row['expires_at'] or 'never'}  last used {row['last_used_at'] or 'never'}")


@tokens_group.command("revoke")
@click.argument("token_ids", nargs=-1, type=int)
@click.option("--user", "email", help="Revoke every token of this user.")
@click.option("--all", "everyone", is_flag=True, help="Revoke every token of every user.")
@with_appcontext
def tokens_revoke(token_ids: tuple[int, ...], email: str | None, everyone: bool) -> None:
    """Revoke tokens by id (see `tokens list`), all of one user, or all."""

    if sum(bool(x) for x in (token_ids, email, everyone)) != 1:
        raise click.UsageError("give token ids, or --user EMAIL, or --all")
    if token_ids:
        tokens = [db.session.get(ApiToken, i) for i in token_ids if 0 < i < 2**31]
        if len([t for t in tokens if t]) != len(token_ids):
            fail("Error: no token with one of these ids; see `matchmaker tokens list`.")
        _commit_or_fail(lambda: [revoke_token(t, actor=None) for t in tokens])
        click.echo(f"Revoked {len(tokens)} token(s).")
        return
    user = _user_or_fail(email) if email else None
    count = _commit_or_fail(lambda: revoke_tokens(user_id=user.id if user else None, actor=None))
    click.echo(f"Revoked {count} token(s).")


@tokens_group.command("expire")
@click.option("--user", "email", help="Only this user's tokens.")
@click.option("--all", "everyone", is_flag=True, help="Every user's tokens.")
@click.option("--days", type=click.IntRange(0, 3650), required=True,
              help="Expire within this many days (0: now).")
@with_appcontext
def tokens_expire(email: str | None, everyone: bool, days: int) -> None:
    """Make live tokens expire within DAYS (tokens expiring sooner keep their date)."""

    if bool(email) == everyone:
        raise click.UsageError("give --user EMAIL or --all")
    user = _user_or_fail(email) if email else None
    count = _commit_or_fail(
        lambda: expire_tokens(user_id=user.id if user else None, days=days, actor=None)
    )
    click.echo(f"{count} token(s) now expire within {days} day(s).")


commands += [users_group, tokens_group]
