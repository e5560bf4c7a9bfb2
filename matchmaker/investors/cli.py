"""`matchmaker investors import FILE [--json]` and `matchmaker investors resolve NAME... |
--file FILE [--json]`. Exit 0 success, 1 the input was refused, 2 usage error."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from matchmaker import audit
from matchmaker.accounts.models import Role, User
from matchmaker.console import echo_items, echo_json, fail, perform
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.i18n import translate
from matchmaker.investors.models import Investor
from matchmaker.investors.operations import (
    forget_name,
    import_investors,
    learned_names,
    list_investors,
    merge_investors,
    possible_duplicates,
    undo_merge,
)
from matchmaker.investors.resolution import investor_resolver, resolution_json, resolve_investor
from matchmaker.investors.schemas import (
    InvestorList,
    InvestorOut,
    InvestorRef,
    LearnedNameList,
    LearnedNameOut,
    MergeOut,
    ResolutionOut,
)
from matchmaker.sheets import SheetError, decode_text


@click.group("investors")
def investors_group() -> None:
    """Investor lists and company-name resolution."""


@investors_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--merge-duplicates", is_flag=True,
              help="Merge rows whose name is close to a known company into it (as an alias) "
                   "instead of creating them; they are reported either way.")
@click.option("--known-only", is_flag=True,
              help="Only add names to companies the platform knows (e.g. data/press_names.csv); "
                   "rows naming no known company are skipped, never created.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are rejected.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON only.")
@with_appcontext
def import_command(path: Path, merge_duplicates: bool, known_only: bool, dry_run: bool,
                   skip_invalid: bool, as_json: bool) -> None:
    """Import an investor list (.xlsx/.csv: name, name_en, aliases, kind, country).

    A known company (identical name once legal forms are set aside, or an alias of it) is
    updated, never duplicated; a close name is created and reported as a possible
    duplicate (or merged with --merge-duplicates). One transaction: a file with rejected
    rows writes nothing (exit 1) unless --skip-invalid."""

    try:
        report = import_investors(path.read_bytes(), path.name, user=None,
                                  merge_duplicates=merge_duplicates, dry_run=dry_run,
                                  skip_invalid=skip_invalid, known_only=known_only)
    except DomainError as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"error": {"code": error.code, "message": error.translated()}},
                                  ensure_ascii=False))
            raise SystemExit(1) from error
        fail(f"Error: {error.translated()}")
    refused = bool(report.rejected) and not skip_invalid
    if report.committed and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
        if refused:
            raise SystemExit(1)
        return
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.merged)} merged, "
        + (f"{len(report.skipped)} skipped (no known company), " if known_only else "")
        + f"{len(report.rejected)} rejected, {len(report.duplicates)} possible duplicates."
        + (" Nothing written." if not report.committed or dry_run else "")
    )
    for item in report.updated:
        click.echo(f"  row {item['row']}: {item['name']} -> {item['matched']} (updated)")
    for item in report.duplicates:
        verb = "merged into" if item["merged"] else "possible duplicate of"
        click.echo(f"  row {item['row']}: {item['name']} {verb} {item['duplicate_of']['name']} "
                   f"(score {item['score']:.0f}: {item['why']})")
    for item in report.rejected:
        click.echo(f"  row {item['row']} {item['column']}: {item['reason']}")
    if refused:
        raise SystemExit(1)


@investors_group.command("resolve")
@click.argument("names", nargs=-1)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="One name per line (UTF-8 or GBK).")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...]} only.')
@with_appcontext
def resolve_command(names: tuple[str, ...], path: Path | None, as_json: bool) -> None:
    """The best known investor for each NAME, with its score and the runner-up."""

    queries = list(names)
    if path is not None:

        try:
            text, _encoding = decode_text(path.read_bytes())
        except SheetError as error:
            raise click.BadParameter(translate(error.message), param_hint="--file") from error
        queries += [line.strip() for line in text.splitlines() if line.strip()]
    if not queries:
        raise click.UsageError("give one or more NAMEs or --file FILE")
    items = []
    resolver = investor_resolver()
    for query in queries:
        try:
            items.append(ResolutionOut.model_validate(
                resolution_json(resolve_investor(query, resolver))).dump())
        except DomainError as error:
            items.append({"query": query[:300], "match": None, "score": 0.0, "runner_up": None,
                          "candidates": [], "error": error.translated()})
    if as_json:
        click.echo(json.dumps({"items": items}, ensure_ascii=False))
        return
    for item in items:
        if item["match"]:
            line = f"{item['query']} -> {item['match']['name']} (id {item['match']['id']}, score {item['score']:.0f})"
        else:
            line = f"{item['query']} -> no confident match" + (
                f" ({item['error']})" if item.get("error") else f" (score {item['score']:.0f})")
        if item["runner_up"]:
            line += f"; runner-up {item['runner_up']['name']}"
        click.echo(line)
        if not item["match"]:
            for candidate in item["candidates"]:
                click.echo(f"    {candidate['score']:>5.1f}  #{candidate['id']} {candidate['name']}"
                           f"  ({candidate['why']['text']})")


def _staff(email: str):


    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.has_role(Role.STAFF):
        fail(f"Error: {email} is not a staff account.")
    return user


@investors_group.command("duplicates")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...]} only.')
@with_appcontext
def duplicates_command(limit: int, as_json: bool) -> None:
    """Possible duplicate investors (close names), best first, with scores and why."""

    pairs = possible_duplicates(limit=limit)
    items = [{"a": {"id": p.investor.id, "name": p.investor.name},
              "b": {"id": p.other.id, "name": p.other.name}, "score": p.score, "why": p.why}
             for p in pairs]
    if as_json:
        click.echo(json.dumps({"items": items}, ensure_ascii=False))
        return
    for item in items:
        click.echo(f"{item['score']:>5.1f}  #{item['a']['id']} {item['a']['name']}  ~  "
                   f"#{item['b']['id']} {item['b']['name']}  ({item['why']})")
    if not items:
        click.echo("No possible duplicates.")


@investors_group.command("merge")
@click.argument("survivor_id", type=int)
@click.argument("other_id", type=int)
@click.option("--as", "email", required=True, help="The staff account the merge is audited under.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def merge_command(survivor_id: int, other_id: int, email: str, as_json: bool) -> None:
    """Merge investor OTHER_ID into SURVIVOR_ID (profiles, leads, claims, agreements move;
    OTHER's names become aliases). Undo with `matchmaker investors unmerge EVENT_ID`."""

    user = _staff(email)
    survivor, other = db.session.get(Investor, survivor_id), db.session.get(Investor, other_id)
    if survivor is None or other is None:
        fail("Error: no such investor.")
    result = perform(lambda: merge_investors(survivor, other, user=user), as_json=as_json)
    if as_json:  # the API's answer to POST /investors/merge
        echo_json(MergeOut(event_id=result["event_id"], survivor=InvestorRef.of(survivor),
                           moved=audit.jsonable(result["moved"])))
        return
    click.echo(f"#{other.id} {other.name} merged into #{survivor.id} {survivor.name} "
               f"(undo: matchmaker investors unmerge {result['event_id']} --as {email})")


def _audit_event(event_id: int) -> audit.AuditEvent:
    event = db.session.get(audit.AuditEvent, event_id)
    if event is None:
        fail(f"Error: there is no audit event {event_id}.")
    return event


@investors_group.command("unmerge")
@click.argument("event_id", type=int)
@click.option("--as", "email", required=True, help="The staff account the undo is audited under.")
@with_appcontext
def unmerge_command(event_id: int, email: str) -> None:
    """Undo a merge from its audit event (the id `merge` printed)."""

    user = _staff(email)
    event = _audit_event(event_id)
    restored = perform(lambda: undo_merge(event, user=user))
    click.echo(f"#{restored.id} {restored.name} is its own investor again.")


@investors_group.command("learned")
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer (GET /investors/learned).")
@with_appcontext
def learned_command(as_json: bool) -> None:
    """Names organisers taught the resolver by choosing a candidate, newest first."""
    items = [LearnedNameOut.of(*row) for row in learned_names()]
    def line(item: LearnedNameOut) -> str:
        chosen = f"#{item.investor.id} {item.investor.name}" if item.investor else "-"
        state = "" if item.kept else "  forgotten"
        return f"{item.event_id}  {item.text}  ->  {chosen}  ({item.via}, {item.by or '-'}){state}"

    lines = (line(item) for item in items)
    echo_items(as_json, LearnedNameList(items=items), lines, "No name learned yet.")


@investors_group.command("forget")
@click.argument("event_id", type=int)
@click.option("--as", "email", required=True, help="The staff account the change is audited under.")
@with_appcontext
def forget_command(event_id: int, email: str) -> None:
    """Forget a learned name (EVENT_ID from `matchmaker investors learned`)."""

    user = _staff(email)
    event = _audit_event(event_id)
    text = (event.after or {}).get("text", "")
    investor = perform(lambda: forget_name(event, user=user))
    click.echo(f"“{text}” no longer resolves to #{investor.id} {investor.name}.")


@investors_group.command("list")
@click.option("--q", "query", default="", help="Part of the Chinese or English name.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 500), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer (GET /investors).")
@with_appcontext
def list_command(query: str, page: int, per_page: int, as_json: bool) -> None:
    """Known companies, those to review first, then by name."""
    investors = list_investors(query, page=page, per_page=per_page)
    items = [InvestorOut.of(i) for i in investors]
    lines = (f"#{item.id}  {item.kind:<12} {item.name}"
             f"{'  / ' + item.name_en if item.name_en else ''}"
             f"{'  (to review)' if item.needs_review else ''}" for item in items)
    echo_items(as_json, InvestorList(items=items, page=page, per_page=per_page), lines,
               "No investors.")


commands: list = [investors_group]
