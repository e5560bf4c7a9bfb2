"""`matchmaker import FILE ...`, `matchmaker export CATALOGUE_ID ...` and `matchmaker
catalogue list | create | publish | unpublish` (the catalogue pages' actions).

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
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import acting_user
from matchmaker.amounts import AmountError, check_rate, parse_rates
from matchmaker.catalogue.attachments import (
    Upload,
    add_attachments,
    attachment_bytes,
    delete_attachment,
    ordered,
    refuse_too_big,
    replace_attachment,
)
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectAttachment
from matchmaker.catalogue.operations import (
    FileRefused,
    approve_catalogue,
    catalogue_json,
    catalogue_summaries,
    changes_since_approval,
    create_catalogue,
    export_catalogue,
    find_or_new_catalogue,
    import_catalogue,
    restore_catalogue_rates,
    return_catalogue,
    saved_rates,
    set_catalogue_rates,
    set_catalogue_status,
    submit_catalogue,
)
from matchmaker.catalogue.schemas import AttachmentList, AttachmentOut, CatalogueList, CatalogueOut
from matchmaker.console import echo_items, echo_json, fail, perform, terminal_progress
from matchmaker.editions.operations import resolve_edition
from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
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


# --- matchmaker catalogue … ------------------------------------------------------------

AS_OPTION = click.option("--as", "email", default=None,
                         help="The staff account the change is audited under (default: the "
                              "operator, unaudited by name).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Print one JSON document (the API's answer).")


@click.group("catalogue")
def catalogue_group() -> None:
    """Catalogues: list, create, publish, unpublish (as the catalogue pages do)."""


def _catalogue_line(data: dict) -> str:
    return (f"#{data['id']}  {data['year']}  {data['status']:<9}  {data['projects']:>5} projects  "
            f"{format_yi(Decimal(data['investment_sought_yuan']))}亿元 sought  {data['name']}")


@catalogue_group.command("list")
@click.option("--edition", default="all", show_default=True,
              help="A year, or 'all'; '' for the current edition.")
@JSON_OPTION
@with_appcontext
def list_command(edition: str, as_json: bool) -> None:
    """Every catalogue with its status, project count and investment sought."""
    chosen = perform(lambda: resolve_edition(edition, allow_all=True), as_json=as_json)
    items = [CatalogueOut(**catalogue_json(c)) for c, _n, _s in catalogue_summaries(chosen)]
    echo_items(as_json, CatalogueList(items=items), (_catalogue_line(i.dump()) for i in items),
               "No catalogues.")


@catalogue_group.command("create")
@click.argument("name")
@click.option("--year", required=True, help="The forum edition's year.")
@click.option("--publisher", default="")
@click.option("--usd-rate", default=None, help="Yuan per US dollar.")
@click.option("--rate", "rates", multiple=True, metavar="CUR=RATE",
              help="Yuan per unit of another currency, e.g. --rate EUR=7.8.")
@click.option("--accept-outside", is_flag=True, help="The catalogue takes projects outside Guizhou.")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def create_command(name: str, year: str, publisher: str, usd_rate: str | None,
                   rates: tuple[str, ...], accept_outside: bool, email: str | None,
                   as_json: bool) -> None:
    """Create an empty catalogue (a draft); import its sheet with `matchmaker import`."""
    data = {"name": name, "year": year, "publisher": publisher, "usd_rate": _rate(usd_rate),
            "rates": _rates(rates), "accepts_outside": accept_outside}
    catalogue = perform(lambda: create_catalogue(data, user=acting_user(email, Role.STAFF)),
                        as_json=as_json)
    if as_json:
        echo_json(CatalogueOut(**catalogue_json(catalogue)))
        return
    click.echo(f"Created catalogue #{catalogue.id} {catalogue.name} ({catalogue.year}), a draft.")


def _set_status(catalogue_ids: tuple[int, ...], every: bool, status: CatalogueStatus,
                email: str | None, as_json: bool) -> None:
    if every == bool(catalogue_ids):
        raise click.UsageError("Give catalogue ids or --all (not both).")

    def change() -> list[Catalogue]:
        user = acting_user(email, Role.STAFF)
        if every:
            chosen = list(db.session.scalars(sa.select(Catalogue).order_by(Catalogue.id)))
        else:
            chosen = []
            for catalogue_id in catalogue_ids:
                catalogue = db.session.get(Catalogue, catalogue_id)
                if catalogue is None:
                    raise NotFound(N_("There is no catalogue %(id)s."), id=catalogue_id)
                chosen.append(catalogue)
        return [set_catalogue_status(c, status, user=user) for c in chosen]

    changed = perform(change, as_json=as_json)
    items = [CatalogueOut(**catalogue_json(c)) for c in changed]
    if as_json:
        echo_json(CatalogueList(items=items))
        return
    for item in items:
        click.echo(_catalogue_line(item.dump()))


@catalogue_group.command("publish")
@click.argument("catalogue_ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Every catalogue.")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def publish_command(catalogue_ids: tuple[int, ...], every: bool, email: str | None,
                    as_json: bool) -> None:
    """Publish catalogues: their projects become public (search, matching)."""
    _set_status(catalogue_ids, every, CatalogueStatus.PUBLISHED, email, as_json)


@catalogue_group.command("unpublish")
@click.argument("catalogue_ids", nargs=-1, type=int, required=True)
@AS_OPTION
@JSON_OPTION
@with_appcontext
def unpublish_command(catalogue_ids: tuple[int, ...], email: str | None, as_json: bool) -> None:
    """Take catalogues back to draft."""
    _set_status(catalogue_ids, False, CatalogueStatus.DRAFT, email, as_json)


@catalogue_group.command("review")
@click.argument("action", type=click.Choice(["submit", "approve", "return", "changes"]))
@click.argument("catalogue_id", type=int)
@click.option("--comment", default="", help="What the prefectures should correct (return).")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def review_command(action: str, catalogue_id: int, comment: str, email: str | None,
                   as_json: bool) -> None:
    """The province's review: submit, approve, return --comment, or list the changes since
    the last approval."""
    catalogue = db.session.get(Catalogue, catalogue_id) if 0 < catalogue_id < 2**31 else None
    if catalogue is None:
        fail(f"Error: there is no catalogue {catalogue_id}.")
    if action == "changes":
        changes = changes_since_approval(catalogue)
        if as_json:
            click.echo(json.dumps({"first_review": changes.first_review, "added": changes.added,
                                   "removed": changes.removed, "changed": changes.changed},
                                  ensure_ascii=False, indent=2))
            return
        for kind, items in (("added", changes.added), ("removed", changes.removed)):
            for item in items:
                click.echo(f"{kind:<8} {item['code']:<8} {item['name']}")
        for item in changes.changed:
            fields = "; ".join(f"{f['field']} {f['before']} -> {f['after']}" for f in item["fields"])
            click.echo(f"changed  {item['code']:<8} {item['name']}: {fields}")
        return
    actions = {"submit": lambda user: submit_catalogue(catalogue, user=user),
               "approve": lambda user: approve_catalogue(catalogue, user=user),
               "return": lambda user: return_catalogue(catalogue, comment, user=user)}
    perform(lambda: actions[action](acting_user(email, Role.STAFF)), as_json=as_json)
    item = CatalogueOut(**catalogue_json(catalogue))
    if as_json:
        echo_json(item)
        return
    click.echo(f"Catalogue #{catalogue.id} {catalogue.name}: {catalogue.review_state.value}")


# --- attachments ---------------------------------------------------------------------------


@click.group("attachments")
def attachments_group() -> None:
    """Project attachments: list, add, replace, delete, get (as the project edit page does)."""


def _load_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id) if 0 < project_id < 2**31 else None
    if project is None:
        fail(f"Error: there is no project {project_id}.")
    return project


def _load_attachment(attachment_id: int) -> ProjectAttachment:
    attachment = db.session.get(ProjectAttachment, attachment_id) if 0 < attachment_id < 2**31 else None
    if attachment is None:
        fail(f"Error: there is no attachment {attachment_id}.")
    return attachment


def _read(path: Path) -> Upload:
    """The file's bytes, unless its size alone refuses it (a huge file is never read)."""
    refuse_too_big(path.name, path.stat().st_size)
    return Upload(path.name, path.read_bytes())


def _attachment_line(item: dict) -> str:
    title = item["title"] or item["title_en"] or ""
    return (f"#{item['id']}  {item['kind']:<11}  {item['language']:<5}  {item['size']:>9} B  "
            f"{item['content_type']:<20}  {item['filename']}" + (f"  — {title}" if title else ""))


def _echo_attachments(items: list[AttachmentOut], as_json: bool) -> None:
    echo_items(as_json, AttachmentList(items=items), (_attachment_line(i.dump()) for i in items),
               "No attachments.")


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@attachments_group.command("list")
@click.argument("project_id", type=int)
@JSON_OPTION
@with_appcontext
def attachments_list_command(project_id: int, as_json: bool) -> None:
    """A project's attachments (studies first)."""
    project = _load_project(project_id)
    _echo_attachments([AttachmentOut.of(a) for a in ordered(project.attachments)], as_json)


@attachments_group.command("add")
@click.argument("project_id", type=int)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--kind", required=True, help="feasibility, land, photo or other (or the Chinese label).")
@click.option("--language", default="zh", show_default=True, help="zh, en, zh_en, none or other.")
@click.option("--title", default="", help="Title in Chinese (one file only).")
@click.option("--title-en", default="", help="Title in English (one file only).")
@AS_OPTION
@JSON_OPTION
@with_appcontext
def attachments_add_command(project_id: int, files: tuple[Path, ...], kind: str, language: str,
                            title: str, title_en: str, email: str | None, as_json: bool) -> None:
    """Attach files to a project: all are checked (type read from the content, size,
    limits, the account's prefectures); one refused file refuses them all (exit 1)."""
    project = _load_project(project_id)
    data = {"kind": kind, "language": language, "title": title, "title_en": title_en}
    added = perform(lambda: add_attachments(project, [_read(p) for p in files], data,
                                            user=acting_user(email, Role.STAFF)), as_json=as_json)
    _echo_attachments([AttachmentOut.of(a) for a in added], as_json)


@attachments_group.command("replace")
@click.argument("attachment_id", type=int)
@click.argument("file", type=_FILE)
@AS_OPTION
@JSON_OPTION
@with_appcontext
def attachments_replace_command(attachment_id: int, file: Path, email: str | None,
                                as_json: bool) -> None:
    """Put a corrected file in place of an attachment's (same kind, title, language)."""
    attachment = _load_attachment(attachment_id)
    perform(lambda: replace_attachment(attachment, _read(file), user=acting_user(email, Role.STAFF)),
            as_json=as_json)
    _echo_attachments([AttachmentOut.of(attachment)], as_json)


@attachments_group.command("delete")
@click.argument("attachment_id", type=int)
@AS_OPTION
@JSON_OPTION
@with_appcontext
def attachments_delete_command(attachment_id: int, email: str | None, as_json: bool) -> None:
    """Delete an attachment (audited; its bytes go when nothing else uses them)."""
    attachment = _load_attachment(attachment_id)
    answer = AttachmentOut.of(attachment)
    perform(lambda: delete_attachment(attachment, user=acting_user(email, Role.STAFF)),
            as_json=as_json)
    if as_json:
        echo_json(answer)
        return
    click.echo(f"Deleted attachment #{answer.id} {answer.filename}.")


@attachments_group.command("get")
@click.argument("attachment_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the file ('-' for stdout).")
@with_appcontext
def attachments_get_command(attachment_id: int, output: Path) -> None:
    """Write an attachment's file out (as uploaded)."""
    attachment = _load_attachment(attachment_id)
    try:
        data = attachment_bytes(attachment)
    except NotFound as error:
        fail(f"Error: {error.translated()}")
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data)} bytes, {attachment.content_type}).", err=True)


commands: list = [import_command, export_command, catalogue_group, attachments_group]
