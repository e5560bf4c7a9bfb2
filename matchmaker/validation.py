"""Door checks shared by the pages, the JSON API and the CLI (pure: no Flask, no database).

Every value a person or a client sends passes one of these before it reaches an operation or
the database, so that a bad value is a 400 (or a 404 for an id that cannot exist) with a
message in the user's language, never a 500: Unicode digits ('²', '⑤') where a number is
expected, ids beyond the database's integers, NUL and other control characters, lone
surrogates, JSON nested without end or of the wrong type, datetimes that overflow when moved
to UTC, signalling NaNs in rates. The later schema layer wraps these functions.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from matchmaker.amounts import AmountError, check_rate
from matchmaker.errors import DomainError, NotFound
from matchmaker.i18n import N_

# The smallest integer column type on both databases (PostgreSQL INTEGER): every primary
# key, every year and every count a request can name fits below it.
MAX_DB_INT = 2**31 - 1
MAX_JSON_DEPTH = 32
MAX_JSON_STRING = 100_000  # characters in one JSON string value
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

_DIGITS_RE = re.compile(r"[0-9]{1,12}")  # ASCII only: str.isdigit() admits '²' and '⑤'
# C0 controls except tab, line feed and carriage return; DEL; the C1 block.
CONTROL_RE = _CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class InputError(DomainError):
    code = "invalid"
    status = 400


def whole_number(
    value: Any,
    *,
    field: str,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = MAX_DB_INT,
) -> int | None:
    """A whole number written in ASCII digits within [minimum, maximum]; `default` when blank.

    JSON integers are accepted as they are (not booleans)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InputError(N_("%(name)s must be a whole number."), field=field, name=field)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text:
            return default
        if not _DIGITS_RE.fullmatch(text):
            raise InputError(N_("%(name)s must be a whole number."), field=field, name=field)
        number = int(text)
    if not minimum <= number <= maximum:
        raise InputError(
            N_("%(name)s must be a whole number from %(min)d to %(max)d."),
            field=field, name=field, min=minimum, max=maximum,
        )
    return number


def id_in_range(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DB_INT


def record_id(value: Any, *, field: str) -> int:
    """An id from a body or a query: not a whole number -> 400; one no row can have -> 404."""
    number = whole_number(value, field=field, minimum=0, maximum=2**63)
    if number is None:
        raise InputError(N_("%(name)s is required."), field=field, name=field)
    if not id_in_range(number):
        raise NotFound(N_("There is no %(name)s %(id)s."), field=field, name=field, id=number)
    return number


def text_problem(value: str) -> str | None:
    """The msgid saying what is wrong with a piece of text, or None when it can be stored."""
    if _SURROGATE_RE.search(value):
        return N_("The text contains an invalid character (a lone surrogate); retype it.")
    if _CONTROL_RE.search(value):
        return N_(
            "The text contains a control character (such as NUL) that cannot be stored; "
            "remove it and try again."
        )
    return None


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """A string trimmed, free of control characters, at most `max_length` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError(N_("%(name)s must be a string."), field=field, name=field)
    text = value.strip()
    problem = text_problem(text)
    if problem:
        raise InputError(problem, field=field)
    if required and not text:
        raise InputError(N_("%(name)s is required."), field=field, name=field)
    if len(text) > max_length:
        raise InputError(
            N_("%(name)s is too long (%(max)d characters at most)."),
            field=field, name=field, max=max_length,
        )
    return text


def optional_code(value: Any, *, field: str, max_length: int = 32) -> str | None:
    """A reference code (sector, region) or None; any other JSON type is refused."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(N_("%(name)s must be a code (a string)."), field=field, name=field)
    return clean_text(value, field=field, max_length=max_length) or None


def aware_datetime(value: Any, *, field: str) -> datetime | None:
    """An ISO 8601 date and time with its time zone, converted to UTC; None when blank.

    Years outside 1900-2200 are refused: near the ends of `datetime` the move to UTC
    overflows."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(N_("%(name)s is not an ISO 8601 date and time."), field=field, name=field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(
            N_("%(name)s is not an ISO 8601 date and time."), field=field, name=field
        ) from error
    if parsed.tzinfo is None:
        raise InputError(
            N_("%(name)s needs a time zone, for example 2025-07-12T10:30:00+08:00."),
            field=field, name=field,
        )
    return check_year(parsed, field=field).astimezone(UTC)


def check_year(value, *, field: str):
    """A date or datetime between 1900 and 2200."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InputError(
            N_("%(name)s must be between the years %(min)d and %(max)d."),
            field=field, name=field, min=EARLIEST_YEAR, max=LATEST_YEAR,
        )
    return value


def positive_rate(value: Any, *, field: str) -> Decimal | None:
    """An exchange rate (yuan per unit) within `amounts.check_rate`'s bounds; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise InputError(N_("%(value)s is not an exchange rate."), field=field, value=str(value)[:40])
    try:
        return check_rate(value)
    except AmountError as error:
        raise InputError(error.message, field=field) from error


def json_depth(data: bytes) -> int:
    """How deeply a JSON document nests arrays and objects (strings skipped), without parsing
    it: Python's parser recurses and a 100,000-deep document would exhaust the stack."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def json_problem(value: Any) -> str | None:
    """The msgid of the first string in a parsed JSON document that cannot be stored."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_JSON_STRING:
                return N_("A text in the request is too long.")
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_UNSAFE_IN_PATH_RE = re.compile(r"[\s\\\x00-\x1f\x7f-\x9f]")


def local_path(target: Any) -> str | None:
    """`target` when it is a path on this site ('/projects?q=光伏'), else None.

    The one check for every `next` parameter. Refused: other hosts ('//evil.example',
    'https://…'), and anything with whitespace, control characters or backslashes, which
    browsers drop or read as '/' ('/\\t/evil.example' becomes '//evil.example'), and which
    would split the Location header (CR/LF)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if _UNSAFE_IN_PATH_RE.search(target) or _SURROGATE_RE.search(target):
        return None
    return target
