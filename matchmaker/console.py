"""What every command of the `matchmaker` console script shares (features' cli.py use it).

Exit codes: 0 success; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from matchmaker.errors import DomainError
from matchmaker.extensions import db

T = TypeVar("T")


def fail(message: str) -> None:
    """Print one line on stderr and exit 1 (the input was refused)."""
    click.echo(message, err=True)
    sys.exit(1)


def perform(operation: Callable[[], T], *, as_json: bool = False) -> T:
    """The CLI's door helper (the pages' is `views.submit`, the API's `api.blueprint.perform`):
    run one operation and commit; on a DomainError roll back and exit 1 with its message
    (with --json, the API's `{"error": {...}}` document on stdout as well)."""
    try:
        result = operation()
    except DomainError as error:
        db.session.rollback()
        if as_json:
            echo_json({"error": {"code": error.code, "message": error.translated()}})
        fail(f"Error: {error.translated()}")
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def echo_json(document: Any) -> None:
    """The one JSON document of `--json` on stdout (a schema's `dump()`, or a dict)."""
    if hasattr(document, "dump"):
        document = document.dump()
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def echo_items(as_json: bool, document: Any, lines: Iterable[str], empty: str) -> None:
    """A listing command's output: the JSON document, or one line per item (`empty` when
    there is none)."""
    if as_json:
        echo_json(document)
        return
    lines = list(lines)
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo(empty)


PHASES = {"reading": "reading the file", "checking": "checking rows", "writing": "writing",
          "matching": "matching every investor", "workbook": "writing the workbook",
          "export": "writing the file"}


def terminal_progress():
    """A progress reporter `(phase, done, total)` that redraws one line on stderr when it is
    a terminal (long imports, event-wide matching); None otherwise (scripts, --json)."""
    stream = sys.stderr
    if not stream.isatty():
        return None

    def report(phase: str, done: int, total: int) -> None:
        label = PHASES.get(phase, phase)
        if total:
            width = 30
            filled = int(width * done / total)
            line = f"{label:<24} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows"
        else:
            line = f"{label:<24} …"
        stream.write("\r" + line.ljust(79))
        if total and done >= total:
            stream.write("\n")
        stream.flush()

    return report
