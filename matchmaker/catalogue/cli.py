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

from matchmaker.catalogue.models import Catalogue
from matchmaker.catalogue.operations import (
    FileRefused,
    export_catalogue,
    find_or_new_catalogue,
    import_catalogue,
)
from matchmaker.console import terminal_progress
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.money import format_yi
from matchmaker.validation import positive_rate


def _print_report(report: dict) -> None:
    catalogue = report["catalogue"]
    state = "committed" if report["committed"] else ("dry run" if report["dry_run"] else "NOT imported")
    click.echo(f"Catalogue {catalogue['id'] or '(new)'}: {catalogue['name']} {catalogue['year']} — {state}")
    click.echo(
        f"created {report['created']}, updated {report['updated']}, unchanged {report['unchanged']}, "
        f"rejected rows {len({r['row'] for r in report['rejected']})}, warnings {len(report['warnings'])}, "
        f"skipped rows {len(report['skipped'])}, possible duplicates {len(report['duplicates'])}"
    )
    for item in report["rejected"]:
        click.echo(f"  rejected row {item['row']} [{item['column']}] {item['value']!r}: {item['reason']}")
    for item in report["warnings"]:
        click.echo(f"  warning row {item['row']} [{item['column']}]: {item['message']}")
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

    try:
        return positive_rate(value, field="usd_rate")  # refuses NaN, sNaN, Infinity, <= 0
    except DomainError as exc:
        raise click.BadParameter("a positive decimal number of yuan per US dollar, e.g. 7.1") from exc


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--catalogue", "name", help="Catalogue name (created when missing; default: the file name).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Catalogue year (default: this year).")
@click.option("--usd-rate", default=None, help="Yuan per US dollar, for a new catalogue.")
@click.option("--dry-run", is_flag=True, help="Check and report; write no project.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, skip the rejected ones.")
@click.option("--confirm-withdraw", is_flag=True, help="Withdraw projects missing from the file.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as one JSON document.")
@with_appcontext
def import_command(
    file: Path, name: str | None, year: int | None, usd_rate: str | None, dry_run: bool,
    skip_invalid: bool, confirm_withdraw: bool, as_json: bool,
) -> None:
    """Import a catalogue sheet (.xlsx or .csv) into a catalogue."""

    catalogue = find_or_new_catalogue(name or file.stem, year or date.today().year, usd_rate=_rate(usd_rate))
    try:
        report = import_catalogue(
            catalogue, file.read_bytes(), file.name, user=None, dry_run=dry_run,
            skip_invalid=skip_invalid, confirm_withdraw=confirm_withdraw,
            progress=None if as_json else terminal_progress(),
        )
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
