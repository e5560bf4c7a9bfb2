"""Possible duplicate projects: within one file and against a catalogue's projects (pure).

Two rows are probably the same project when their compact names have a ratio of at least
90, they are in the same region and their investment sought is within 5 %. Each row gets
at most one hint (its best match), so a file of thousands of copies of one row gives a
report as long as the file, never one entry per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from matchmaker.catalogue.rowtypes import DuplicateHint, ParsedRow
from matchmaker.text import compact

DUPLICATE_MIN_SCORE = 90.0
DUPLICATE_AMOUNT_TOLERANCE = Decimal("0.05")


def _amount_close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    high = max(a, b)
    return abs(a - b) <= high * DUPLICATE_AMOUNT_TOLERANCE


def _best_matches(
    left_names: list[str],
    left_amounts: np.ndarray,
    right_names: list[str],
    right_amounts: np.ndarray,
    same_list: bool,
) -> Iterator[tuple[int, int, float]]:
    """(i, j, score): for each left row i its best right row j (name ratio >=
    DUPLICATE_MIN_SCORE, amounts within the tolerance). With `same_list` (left and right
    are the same list) only j < i counts: each row is matched with an earlier one.

    Both sides are sorted by amount and compared block by block with cdist; the choice per
    row is made in numpy, so thousands of identical rows cost one pass, not one Python
    step per pair."""
    block = 256
    tolerance = float(DUPLICATE_AMOUNT_TOLERANCE)
    factor = 1 + tolerance + 1e-9
    for start in range(0, len(left_names), block):
        stop = min(start + block, len(left_names))
        low = int(np.searchsorted(right_amounts, left_amounts[start] / factor, side="left"))
        high = int(np.searchsorted(right_amounts, left_amounts[stop - 1] * factor, side="right"))
        if same_list:
            high = min(high, stop - 1)
        if high <= low:
            continue
        scores = process.cdist(
            left_names[start:stop],
            right_names[low:high],
            scorer=fuzz.ratio,
            score_cutoff=DUPLICATE_MIN_SCORE,
            dtype=np.float32,
            workers=-1,
        )
        ii, jj = np.nonzero(scores)
        if not len(ii):
            continue
        keep = np.ones(len(ii), dtype=bool)
        if same_list:
            keep &= (low + jj) < (start + ii)
        a_i, a_j = left_amounts[start + ii], right_amounts[low + jj]
        keep &= np.abs(a_i - a_j) <= np.maximum(a_i, a_j) * tolerance + 1e-6
        ii, jj = ii[keep], jj[keep]
        found = scores[ii, jj]
        del scores
        order = np.lexsort((jj, -found, ii))
        ii, jj, found = ii[order], jj[order], found[order]
        first = np.ones(len(ii), dtype=bool)
        first[1:] = ii[1:] != ii[:-1]
        for i, j, score in zip(ii[first], jj[first], found[first], strict=True):
            yield start + int(i), low + int(j), round(float(score), 1)


def _by_region(
    items: list[tuple[Any, str, str | None, Decimal | None]],
) -> dict[str | None, list[tuple[Any, str, Decimal | None]]]:
    groups: dict[str | None, list[tuple[Any, str, Decimal | None]]] = defaultdict(list)
    for key, name, region, amount in items:
        groups[region].append((key, compact(name), amount))
    for group in groups.values():
        group.sort(key=lambda item: item[2] if item[2] is not None else Decimal(-1))
    return groups


def _amount_array(group: list[tuple[Any, str, Decimal | None]]) -> np.ndarray:
    return np.array([float(a) if a is not None else -1.0 for _, _, a in group], dtype=np.float64)


def find_duplicates_within(rows: Sequence[ParsedRow]) -> list[DuplicateHint]:
    """Rows that are probably the same project as an earlier row of the same file."""
    groups = _by_region([(r.row, r.name, r.region_code, r.investment_sought_yuan) for r in rows])
    hints: list[DuplicateHint] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        names = [name for _, name, _ in group]
        amounts = _amount_array(group)
        for i, j, score in _best_matches(names, amounts, names, amounts, True):
            if _amount_close(group[i][2], group[j][2]):
                first, second = sorted((group[i][0], group[j][0]))
                hints.append(DuplicateHint(second, first, score))
    return sorted(hints, key=lambda h: (h.row, h.other_row))


def find_duplicates(
    rows: Sequence[ParsedRow],
    existing: Sequence[tuple[Any, str, str | None, Decimal | None]],
) -> list[DuplicateHint]:
    """Rows that are probably an existing project: `existing` holds
    (project_id, name, region_code, investment_sought_yuan); hints carry `project_id`."""
    new_groups = _by_region([(r.row, r.name, r.region_code, r.investment_sought_yuan) for r in rows])
    old_groups = _by_region(list(existing))
    hints: list[DuplicateHint] = []
    for region, group in new_groups.items():
        others = old_groups.get(region)
        if not others:
            continue
        for i, j, score in _best_matches(
            [n for _, n, _ in group], _amount_array(group),
            [n for _, n, _ in others], _amount_array(others), False,
        ):
            if _amount_close(group[i][2], others[j][2]):
                hints.append(DuplicateHint(group[i][0], None, score, others[j][0]))
    return sorted(hints, key=lambda h: (h.row, str(h.project_id)))
