"""The `matchmaker` console script (and `python -m matchmaker`): Flask's CLI around the
app factory, with the platform's commands (registered by the factory, see `cli.py`)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from matchmaker.app import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False,
             load_dotenv=False)
def main() -> None:
    """matchmaker: green-industry investment promotion (绿色产业招商)."""


main.add_command(shell_command)
main.add_command(routes_command)

if __name__ == "__main__":
    main()
