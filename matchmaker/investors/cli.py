"""`matchmaker investors import FILE [--json]` and `matchmaker investors resolve NAME... |
--file FILE [--json]`. Exit 0 success, 1 the input was refused, 2 usage error."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from matchmaker.console import fail
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.investors.operations import import_investors
from matchmaker.investors.resolution import resolve_investor
from matchmaker.serializers import resolution_json


@click.group("investors")
def investors_group() -> None:
    """Investor lists and company-name resolution."""


@investors_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON only.")
@with_appcontext
def import_command(path: Path, as_json: bool) -> None:
    """Import an investor list (.xlsx/.csv: name, name_en, aliases, kind, country).

    Known companies (by name resolution) are updated, never duplicated; rejected rows are
    reported and the others kept."""

    try:
        report = import_investors(path.read_bytes(), path.name, user=None)
    except DomainError as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"error": {"code": error.code, "message": error.translated()}},
                                  ensure_ascii=False))
            raise SystemExit(1) from error
        fail(f"Error: {error.translated()}")
    db.session.commit()
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected."
    )
    for item in report.updated:
        click.echo(f"  row {item['row']}: {item['name']} -> {item['matched']} (updated)")
    for item in report.rejected:
        click.echo(f"  row {item['row']} {item['column']}: {item['reason']}")


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
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        queries += [line.strip() for line in text.splitlines() if line.strip()]
    if not queries:
        raise click.UsageError("give one or more NAMEs or --file FILE")
    items = []
    for query in queries:
        try:
            items.append(resolution_json(resolve_investor(query)))
        except DomainError as error:
            items.append({"query": query[:300], "match": None, "score": 0.0, "runner_up": None,
                          "error": error.translated()})
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


commands: list = [investors_group]
