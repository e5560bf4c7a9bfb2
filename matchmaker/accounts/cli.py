"""`matchmaker create-user` and `matchmaker create-token`."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.accounts.models import Role, User
from matchmaker.accounts.operations import create_token, create_user, normalize_email
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
