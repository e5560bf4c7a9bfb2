"""The platform's commands on `app.cli`: init, demo, run, and every feature's commands.

The console script itself (`matchmaker`, a FlaskGroup that creates the app) lives in
`matchmaker/__main__.py`, above the app factory; this module sits below it, so the factory
can register the commands without an import cycle.

Exit codes: 0 success; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import click
import sqlalchemy.exc
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from matchmaker import demo, jobs_cli
from matchmaker.accounts import cli as accounts_cli
from matchmaker.catalogue import cli as catalogue_cli
from matchmaker.console import fail
from matchmaker.db import MIGRATIONS_DIR
from matchmaker.editions import cli as editions_cli
from matchmaker.extensions import db
from matchmaker.followup import cli as followup_cli
from matchmaker.investors import cli as investors_cli
from matchmaker.matching import cli as matching_cli
from matchmaker.meetings import cli as meetings_cli
from matchmaker.notifications import cli as notifications_cli
from matchmaker.reference.loaders import load_reference_data
from matchmaker.search import cli as search_cli
from matchmaker.signing import cli as signing_cli

__all__ = ["ensure_database", "fail", "register_commands"]  # fail: moved to console.py

# Each feature's cli.py exposes `commands`, a list of click commands or groups.
FEATURE_CLI_MODULES = (accounts_cli, jobs_cli, editions_cli, catalogue_cli, search_cli, investors_cli,
                       matching_cli, signing_cli, followup_cli, notifications_cli,
                       meetings_cli)


def _describe_url(url) -> str:
    return url.render_as_string(hide_password=True)


def ensure_database() -> None:
    """Create or migrate the database and load reference data; one line and exit 1 if the
    database named by MATCHMAKER_DATABASE_URL cannot be reached."""
    try:
        with db.engine.connect():
            pass
    except (sqlalchemy.exc.SQLAlchemyError, ModuleNotFoundError, OSError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        fail(
            f"Error: cannot open the database set by MATCHMAKER_DATABASE_URL "
            f"({_describe_url(db.engine.url)}): {reason}"
        )
    upgrade(directory=MIGRATIONS_DIR)
    load_reference_data(current_app.config["DATA_DIR"])
    db.session.commit()


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or migrate the database and load reference data (sectors, regions)."""
    ensure_database()
    click.echo("Database ready; reference data loaded.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the illustrative demo data (idempotent)."""
    ensure_database()
    result = demo.load_demo()
    demo.echo_result(result)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug/--no-debug", default=False, help="Reload on code changes, show tracebacks.")
@with_appcontext
def run_command(host: str, port: int, debug: bool) -> None:
    """Migrate the database, load reference data and (into an empty database) the demo data; serve."""
    ensure_database()
    if demo.database_is_empty():
        demo.echo_result(demo.load_demo())
    app = current_app._get_current_object()
    click.echo(f"Serving matchmaker on http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


def register_commands(app) -> None:
    for command in (init_command, demo_command, run_command):
        app.cli.add_command(command)
    for module in FEATURE_CLI_MODULES:
        for command in module.commands:
            app.cli.add_command(command)
