"""`matchmaker import FILE ...` and `matchmaker export CATALOGUE_ID ...`.

Exit codes: 0 imported (or a clean dry run); 1 the file or some rows were refused (the
report says why); 2 usage error. `--json` prints one JSON document on stdout, nothing else.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import with_appcontext

from matchmaker.amounts import AmountError, check_rate, parse_rates
from matchmaker.catalogue.models import Catalogue
from matchmaker.catalogue.operations import (
    FileRefused,
    export_catalogue,
    find_or_new_catalogue,
    import_catalogue,
    restore_catalogue_rates,
    saved_rates,
    set_catalogue_rates,
)
from matchmaker.console import terminal_progress
from matchmaker.extensions import db
from matchmaker.money import format_yi


def _print_report(report: dict) -> None:
    catalogue = report["catalogue"]
    state = "committed" if report["committed"] else ("dry run" if report["dry_run"] else "NOT imported")
    click.echo(f"Catalogue {catalogue['id'] or '(new)'}: {catalogue['name']} {catalogue['year']} — {state}")
    totals = report["totals"]
    click.echo(
        f"created {report['created']}, updated {report['updated']}, unchanged {report['unchanged']}, "
        f"rejected rows {totals['rejected_rows']}, warnings {totals['warnings']}, "
        f"skipped rows {totals['skipped']}, possible duplicates {totals['duplicates']}"
    )
    for item in report["warning_summary"]:
        click.echo(f"  {item['column']}: {item['message']}")
    for item in report["rejected"]:
        click.echo(f"  rejected row {item['row']} [{item['column']}] {item['value']!r}: {item['reason']}")
    for item in report["warnings"]:
        click.echo(f"  warning row {item['row']} [{item['column']}]: {item['message']}")
    for name in report["truncated"]:
        click.echo(f"  ({name}: the first {len(report[name])} of {totals[name]} are listed)")
    if report["sought_column_missing"] and not report["choices"].get("sought_from_total"):
        click.echo("  The sheet has no investment-sought column: add --sought-from-total to use the "
                   "total investment as the investment sought for every row.")
    for item in report["duplicates"]:
        other = f"row {item['other_row']}" if item["other_row"] else f"project {item['project_id']}"
        click.echo(f"  possible duplicate: row {item['row']} ~ {other} (score {item['score']})")
    for item in report["missing"]:
        state = "withdrawn" if item["withdrawn"] else "kept (use --confirm-withdraw to withdraw)"
        click.echo(f"  missing from the file: {item['code']} {item['name']} — {state}")
    for note in report["notes"]:
        click.echo(f"  {note}")
    if report["blocked"]:
        click.echo(report["blocked"])
    click.echo(
        f"Catalogue now: {catalogue['projects']} projects, "
        f"{format_yi(Decimal(catalogue['investment_sought_yuan']))}亿元 sought."
    )


def _rate(value: str | None) -> Decimal | None:

    if value is None:
        return None
    try:
        return check_rate(value)
    except AmountError as exc:
        raise click.BadParameter(f"{exc} (a decimal number of yuan per US dollar, e.g. 7.1)") from exc


def _rates(values: tuple[str, ...]) -> dict[str, Decimal]:

    try:
        return parse_rates(",".join(values))
    except AmountError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--catalogue", "name", help="Catalogue name (created when missing; default: the file name).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Catalogue year (default: this year).")
@click.option("--usd-rate", default=None, help="Yuan per US dollar (sets the catalogue's rate).")
@click.option("--rate", "rates", multiple=True, metavar="CUR=RATE",
              help="Yuan per unit of another currency, e.g. --rate EUR=7.8 --rate HKD=0.92.")
@click.option("--accept-outside", is_flag=True,
              help="The catalogue takes projects outside Guizhou (stored with their province).")
@click.option("--sought-from-total", is_flag=True,
              help="No 拟引资 column: investment sought = total investment for every row.")
@click.option("--keep-unclassified", is_flag=True,
              help="Keep rows whose sector is outside the taxonomy, without a sector.")
@click.option("--dry-run", is_flag=True, help="Check and report; write no project.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, skip the rejected ones.")
@click.option("--confirm-withdraw", is_flag=True, help="Withdraw projects missing from the file.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as one JSON document.")
@with_appcontext
def import_command(
    file: Path, name: str | None, year: int | None, usd_rate: str | None, rates: tuple[str, ...],
    accept_outside: bool, sought_from_total: bool, keep_unclassified: bool, dry_run: bool,
    skip_invalid: bool, confirm_withdraw: bool, as_json: bool,
) -> None:
    """Import a catalogue sheet (.xlsx, .xls, .ods or .csv) into a catalogue."""

    usd = _rate(usd_rate)
    other = _rates(rates)
    catalogue = find_or_new_catalogue(name or file.stem, year or date.today().year, usd_rate=usd)
    saved = saved_rates(catalogue)
    if usd is not None or other or accept_outside:
        set_catalogue_rates(catalogue, usd_rate=usd, rates=other,
                            accepts_outside=True if accept_outside else None, user=None, audit=not dry_run)
    try:
        report = import_catalogue(
            catalogue, file.read_bytes(), file.name, user=None, dry_run=dry_run,
            skip_invalid=skip_invalid, confirm_withdraw=confirm_withdraw,
            progress=None if as_json else terminal_progress(),
            sought_from_total=sought_from_total, keep_unclassified=keep_unclassified,
        )
        if dry_run:
            restore_catalogue_rates(catalogue, saved)
        db.session.commit()
    except FileRefused as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"error": {"code": error.code, "message": error.translated()}}, ensure_ascii=False))
        else:
            click.echo(f"Error: {error.translated()}", err=True)
        sys.exit(1)
    except Exception:
        db.session.rollback()
        raise
    data = report.as_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_report(data)
    if report.blocked:  # rejected rows refuse the file (a dry run says they would)
        sys.exit(1)


@click.command("export")
@click.argument("catalogue_id", type=int)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "csv"]), default=None,
              help="Default: from the output file's extension, else xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(catalogue_id: int, file_format: str | None, output: Path) -> None:
    """Export a catalogue in the layout the importer reads (title row, Chinese headers)."""

    catalogue = db.session.get(Catalogue, catalogue_id)
    if catalogue is None:
        click.echo(f"Error: no catalogue with id {catalogue_id}.", err=True)
        sys.exit(1)
    file_format = file_format or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
    output.write_bytes(export_catalogue(catalogue, file_format))
    click.echo(f"Wrote {output} ({file_format}).")


commands: list = [import_command, export_command]
