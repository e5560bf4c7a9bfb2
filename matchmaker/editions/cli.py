"""`matchmaker editions list | create YEAR | update YEAR | pin YEAR | unpin`.

Exit codes: 0 done; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from matchmaker.editions import operations
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.money import format_yi


def _refuse(error: DomainError) -> None:
    db.session.rollback()
    click.echo(f"Error: {error.translated()}", err=True)
    sys.exit(1)


def _edition(year: int):
    edition = operations.edition_by_year(year)
    if edition is None:
        click.echo(f"Error: there is no {year} edition.", err=True)
        sys.exit(1)
    return edition


@click.group("editions")
def editions_group() -> None:
    """Forum editions: each year's forum, its target and exchange rates."""


@editions_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def list_command(as_json: bool) -> None:
    """Every edition, the latest first; the current one marked."""
    current = operations.current_edition()
    editions = operations.list_editions()
    if as_json:
        items = [operations.edition_json(e, current=current) for e in editions]
        click.echo(json.dumps({"items": items}, ensure_ascii=False, indent=2))
        return
    for edition in editions:
        mark = "*" if current is not None and edition.id == current.id else " "
        rates = ", ".join(f"{k}={v}" for k, v in sorted((edition.rates or {}).items()))
        click.echo(f"{mark} {edition.year}  {edition.name}  target {format_yi(edition.target_yuan)}亿元"
                   f"{'  rates ' + rates if rates else ''}{'  (pinned)' if edition.pinned else ''}")


def _options(command):
    for option in reversed([
        click.option("--name", default="", help="Chinese name (default: 2025年生态文明贵阳国际论坛)."),
        click.option("--name-en", default="", help="English name."),
        click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day."),
        click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day."),
        click.option("--target", default="", help="Signing target ('160' = 160亿元)."),
        click.option("--rates", default=None, help="Exchange rates, 'USD=7.1,EUR=7.8' (yuan per unit)."),
    ]):
        command = option(command)
    return command


def _day(value):
    return value.date() if value else None


def _input(year, name, name_en, starts, ends, target, rates) -> operations.EditionInput:
    day = _day
    return operations.EditionInput(year=year, name=name, name_en=name_en, starts_on=day(starts),
                                   ends_on=day(ends), target=target, rates=rates)


@editions_group.command("create")
@click.argument("year", type=int)
@_options
@with_appcontext
def create_command(year: int, name, name_en, starts, ends, target, rates) -> None:
    """Create the edition of YEAR."""
    try:
        edition = operations.create_edition(
            _input(year, name, name_en, starts, ends, target, rates), user=None
        )
    except DomainError as error:
        _refuse(error)
    db.session.commit()
    click.echo(f"Created the {edition.year} edition: {edition.name}")


@editions_group.command("update")
@click.argument("year", type=int)
@_options
@with_appcontext
def update_command(year: int, name, name_en, starts, ends, target, rates) -> None:
    """Change the edition of YEAR (options not given keep their value)."""
    edition = _edition(year)
    data = operations.EditionInput(
        year=year, name=name or edition.name, name_en=name_en or edition.name_en,
        starts_on=starts.date() if starts else edition.starts_on,
        ends_on=ends.date() if ends else edition.ends_on,
        target=target if target else edition.target_yuan, rates=rates,
    )
    try:
        operations.update_edition(edition, data, user=None)
    except DomainError as error:
        _refuse(error)
    db.session.commit()
    click.echo(f"Saved the {edition.year} edition.")


@editions_group.command("pin")
@click.argument("year", type=int)
@with_appcontext
def pin_command(year: int) -> None:
    """Make the edition of YEAR the current one on every page."""
    edition = operations.pin_edition(_edition(year), user=None)
    db.session.commit()
    click.echo(f"Current edition: {edition.year} (pinned)")


@editions_group.command("unpin")
@with_appcontext
def unpin_command() -> None:
    """No pinned edition: the latest year is current."""
    operations.unpin_editions(user=None)
    db.session.commit()
    current = operations.current_edition()
    click.echo(f"Current edition: {current.year if current else 'none'} (latest year)")


commands: list = [editions_group]
