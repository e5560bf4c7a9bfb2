"""What every command of the `matchmaker` console script shares (features' cli.py use it).

Exit codes: 0 success; 1 the input was refused (the message says why); 2 usage error.
"""

from __future__ import annotations

import sys

import click


def fail(message: str) -> None:
    """Print one line on stderr and exit 1 (the input was refused)."""
    click.echo(message, err=True)
    sys.exit(1)


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
