"""`matchmaker signing totals [--json]`: the figures the dashboard shows."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

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
@click.option("--edition", type=int, default=None, help="Only this forum edition (year).")
@with_appcontext
def totals_command(as_json: bool, count_intent: bool | None, edition: int | None) -> None:
    """Signed total, count, target and breakdowns; the press lines."""

    if count_intent is None:
        count_intent = bool(current_app.config["SIGNING_COUNT_INTENT"])
    totals = signed_totals(count_intent=count_intent, edition=edition)
    if as_json:
        click.echo(json.dumps(totals.as_json(), ensure_ascii=False, indent=2))
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
