"""`matchmaker search QUERY` and `matchmaker search-index rebuild`."""

from __future__ import annotations

import json
import sys
import time

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from matchmaker import cache
from matchmaker.extensions import db
from matchmaker.i18n import translate
from matchmaker.money import format_yi, yuan_str
from matchmaker.search.core import SearchError
from matchmaker.search.index import reindex
from matchmaker.search.operations import search_projects, write_snapshots
from matchmaker.search.params import request_from_args
from matchmaker.search.schemas import SearchResultOut


@click.command("search")
@click.argument("query", required=False, default="")
@click.option("--sector", "sectors", multiple=True, help="Sector code (repeatable).")
@click.option("--region", "regions", multiple=True, help="Region code (repeatable).")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--per-page", default=20, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def search_command(query: str, sectors: tuple[str, ...], regions: tuple[str, ...], page: int,
                   per_page: int, as_json: bool) -> None:
    """The same search as the web page: ranked projects of published catalogues."""

    args = MultiDict([("q", query), ("page", str(page)), ("per_page", str(per_page))]
                     + [("sector", s) for s in sectors] + [("region", r) for r in regions])
    try:
        result_page = search_projects(request_from_args(args))
    except SearchError as error:
        click.echo(f"Error: {translate(error.message)}", err=True)
        sys.exit(1)
    result = result_page.result
    if as_json:  # the API's GET /projects document, suggestions included
        click.echo(json.dumps(SearchResultOut.of(result_page).dump(), ensure_ascii=False))
        return
    click.echo(f"{result.total} projects")
    for project, hit in result_page.items:
        region = project.region.name if project.region else ""
        click.echo(f"{project.id:>7}  {hit.score:>4}  {format_yi(project.investment_sought_yuan):>10}亿元  "
                   f"{project.name}  [{region}]  ({yuan_str(project.investment_sought_yuan)} yuan)")
    for message in result.explanation:
        click.echo(translate(message))
    for suggestion in result.suggestions:
        click.echo(f"  -> {translate(suggestion.message)}")


@click.group("search-index")
def search_index_group() -> None:
    """The search index."""


@search_index_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Rebuild the whole search index from the projects (one transaction); every worker
    then reloads its index and rebuilds its matching matrix instead of applying deltas.
    Then writes the snapshots of both (SNAPSHOT_DIR), from which new workers start."""

    start = time.perf_counter()
    count = reindex(db.session.connection(), None)
    cache.bump(cache.MATCHING_PROJECTS)  # no ids: a change of everything, a full rebuild
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} projects in {time.perf_counter() - start:.2f} s.")
    start = time.perf_counter()
    written = write_snapshots()
    db.session.commit()
    for path in written:
        click.echo(f"Snapshot written: {path}")
    if written:
        click.echo(f"Snapshots written in {time.perf_counter() - start:.2f} s.")


commands: list = [search_command, search_index_group]
