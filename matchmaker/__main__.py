"""The `matchmaker` console script (and `python -m matchmaker`): Flask's CLI around the
app factory, with the platform's commands (registered by the factory, see `cli.py`) and
`serve`, which builds its own production app."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from matchmaker.app import create_app
from matchmaker.console import fail
from matchmaker.serve import serve_command


def _create_app():
    try:
        return create_app()
    except RuntimeError as error:  # a refused configuration: one line, exit 1
        fail(f"Error: {error}")


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, load_dotenv=False)
def main() -> None:
    """matchmaker: green-industry investment promotion (绿色产业招商)."""


main.add_command(serve_command)
main.add_command(shell_command)
main.add_command(routes_command)

if __name__ == "__main__":
    main()
