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
