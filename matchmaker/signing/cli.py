"""`matchmaker signing totals [--json]`: the figures the dashboard shows."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from matchmaker.editions.operations import ALL, resolve_edition
from matchmaker.errors import DomainError
from matchmaker.money import format_yi
from matchmaker.signing.totals import signed_totals


@click.group("signing")
def signing_group() -> None:
    """Signing sessions and signed totals."""


@signing_group.command("totals")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (the API's /signing/totals)."
)
@click.option(
    "--count-intent/--no-count-intent",
    default=None,
    help="Count letters of intent as signed (default: the SIGNING_COUNT_INTENT setting).",
)
@click.option("--edition", default=None,
              help="The forum edition (a year; default: the current edition), or 'all' for the "
                   "sum across editions.")
@with_appcontext
def totals_command(as_json: bool, count_intent: bool | None, edition: str | None) -> None:
    """Signed total, count, target and breakdowns; the press lines."""

    if count_intent is None:
        count_intent = bool(current_app.config["SIGNING_COUNT_INTENT"])
    try:
        chosen = resolve_edition(edition, allow_all=True)
    except DomainError as error:
        click.echo(f"Error: {error.translated()}", err=True)
        sys.exit(1)
    totals = signed_totals(count_intent=count_intent, edition=chosen)
    if as_json:
        data = totals.as_json()
        data["scope"] = "all_editions" if chosen is ALL else "edition"
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(totals.press_zh)
    click.echo(totals.press_en)
    target = f" of {format_yi(totals.target_yuan)}亿元 target" if totals.target_yuan > 0 else ""
    click.echo(
        f"Signed: {format_yi(totals.total_yuan)}亿元 in {totals.count} agreements{target}"
        f" (letters of intent {'counted' if totals.count_intent else 'not counted'}: "
        f"{totals.intent_count}, {format_yi(totals.intent_yuan)}亿元; voided: {totals.voided_count})"
    )
    for name, rows in totals.breakdowns().items():
        click.echo(f"\n{name}")
        for row in rows:
            click.echo(f"  {row.name:<30} {row.count:>6} {format_yi(row.total_yuan):>14}亿元")


commands: list = [signing_group]
