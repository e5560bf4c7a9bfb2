"""`count_queries`: how many SQL statements a block runs (as indico's tests count them)."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from matchmaker.extensions import db


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    # the cache change log's periodic trim (one DELETE when a generation reaches a multiple
    # of cache.TRIM_EVERY): it comes at a point no test controls - PostgreSQL starts each
    # generation at a clock reading - so it is kept apart from the counted statements
    housekeeping: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:  # shown when an assertion on the count fails
        return f"{self.count} statements:\n" + "\n".join(s[:160] for s in self.statements)


_TRIM = "DELETE FROM cache_changes WHERE"


@contextmanager
def count_queries():
    """Count every statement sent to the app's database inside the block.

    The cyclic garbage collector is run before and paused inside the block: the session's
    identity map holds objects weakly, so a collection in the middle could drop an object and
    turn a cached read into a statement - counts would depend on what ran before."""
    counted = Counted()
    gc.collect()
    paused = gc.isenabled()
    gc.disable()

    def before(_connection, _cursor, statement, _parameters, _context, _executemany):
        text = " ".join(statement.split())
        if text.startswith(_TRIM):
            counted.housekeeping.append(text)
        else:
            counted.statements.append(text)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)
        if paused:
            gc.enable()
