"""The `matchmaker` command: Flask's CLI with the platform's own commands.

Exit codes: 0 success; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import importlib
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

# Each feature's cli.py exposes `commands`, a list of click commands or groups.
FEATURE_CLI_MODULES = (
    "matchmaker.accounts.cli",
    "matchmaker.jobs_cli",
    "matchmaker.editions.cli",
    "matchmaker.catalogue.cli",
    "matchmaker.search.cli",
    "matchmaker.investors.cli",
    "matchmaker.matching.cli",
    "matchmaker.signing.cli",
)


def fail(message: str) -> None:
    """Print one line on stderr and exit 1 (the input was refused)."""
    click.echo(message, err=True)
    sys.exit(1)


PHASES = {"reading": "reading the file", "checking": "checking rows", "writing": "writing",
          "matching": "matching every investor", "workbook": "writing the workbook",
          "export": "writing the file"}


def terminal_progress():
    """A progress reporter `(phase, done, total)` that redraws one line on stderr when it is
    a terminal (long imports, event-wide matching); None otherwise (scripts, --json)."""
    stream = sys.stderr
    if not stream.isatty():
        return None

    def report(phase: str, done: int, total: int) -> None:
        label = PHASES.get(phase, phase)
        if total:
            width = 30
            filled = int(width * done / total)
            line = f"{label:<24} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows"
        else:
            line = f"{label:<24} …"
        stream.write("\r" + line.ljust(79))
        if total and done >= total:
            stream.write("\n")
        stream.flush()

    return report


def _describe_url(url) -> str:
    return url.render_as_string(hide_password=True)


def ensure_database() -> None:
    """Create or migrate the database and load reference data; one line and exit 1 if the
    database named by MATCHMAKER_DATABASE_URL cannot be reached."""
    import sqlalchemy.exc
    from flask_migrate import upgrade

    from matchmaker.app import MIGRATIONS_DIR
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import load_reference_data

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
    from matchmaker import demo

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
    from werkzeug.serving import run_simple

    from matchmaker import demo

    ensure_database()
    if demo.database_is_empty():
        demo.echo_result(demo.load_demo())
    app = current_app._get_current_object()
    click.echo(f"Serving matchmaker on http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


def register_commands(app) -> None:
    for command in (init_command, demo_command, run_command):
        app.cli.add_command(command)
    for name in FEATURE_CLI_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "commands", []):
            app.cli.add_command(command)


def _create_app():
    from matchmaker.app import create_app

    try:
        return create_app()
    except RuntimeError as error:  # a refused configuration: one line, exit 1
        fail(f"Error: {error}")


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, load_dotenv=False)
def main() -> None:
    """matchmaker: green-industry investment promotion (绿色产业招商)."""


from matchmaker.serve import serve_command  # noqa: E402 - builds its own production app

main.add_command(serve_command)
main.add_command(shell_command)
main.add_command(routes_command)
