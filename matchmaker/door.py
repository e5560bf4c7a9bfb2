"""The checks every request passes before a view runs (the Flask side of `validation`).

- `<int:…>` in a URL matches only ids a row can have (1 … 2^31-1): a larger one is a 404,
  not an overflow in the database driver.
- Query strings and form fields with NUL/control characters are refused with a message.
- JSON bodies nested deeper than MAX_JSON_DEPTH, or holding strings that cannot be stored
  (lone surrogates, control characters), are refused before any view parses them.
- Before the app's session writes, every string fits its column and can be stored
  (`check_strings`, the last guard behind the doors' own checks).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.validation import (
    CONTROL_RE,
    MAX_DB_INT,
    MAX_JSON_DEPTH,
    InputError,
    json_depth,
    json_problem,
    text_problem,
)


class RowIdConverter(IntegerConverter):
    """`int` in URL rules: ids a database row can have, nothing larger."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _strip_query() -> None:
    """Query strings are read, never stored: control characters are dropped from them (a
    search for 'a<NUL>b' is a search for 'ab'), so no view passes a NUL to the database."""
    args = request.args
    if any(CONTROL_RE.search(k) or CONTROL_RE.search(v) for k, v in args.items(multi=True)):
        cleaned = ImmutableMultiDict(
            [(CONTROL_RE.sub("", k), CONTROL_RE.sub("", v)) for k, v in args.items(multi=True)]
        )
        request.__dict__["args"] = cleaned  # werkzeug caches `args` there


def check_request() -> None:
    _strip_query()
    if request.method != "GET":
        for key, value in request.form.items(multi=True):
            # a multipart part without a usable name or value reads as None (no 500 for it)
            key, value = key or "", value or ""
            problem = text_problem(key) or text_problem(value)
            if problem:
                raise InputError(problem, field=key if key.isidentifier() else None)
    if request.is_json and request.content_length != 0:
        data = request.get_data(cache=True)
        if json_depth(data) > MAX_JSON_DEPTH:
            raise InputError(
                N_("The JSON document is nested too deeply (%(max)d levels at most)."),
                max=MAX_JSON_DEPTH,
            )
        body = request.get_json(silent=True)
        problem = json_problem(body)
        if problem:
            raise InputError(problem)


def register_converters(app: Flask) -> None:
    """Before any blueprint is registered: the rules bind their converters when added."""
    app.url_map.converters["int"] = RowIdConverter


def check_strings(session, _context, _instances) -> None:
    """Before anything is written: every string fits its column and can be stored.

    The last guard behind the doors' own checks (pages, API, CLI and imports alike):
    PostgreSQL refuses an over-long VARCHAR and a NUL character with an error that would
    be a 500; SQLite would store them silently. A DomainError names the field instead."""
    for obj in list(session.new) + list(session.dirty):
        mapper = sa.inspect(obj).mapper
        for column in mapper.columns:
            if not isinstance(column.type, sa.String):
                continue
            value = getattr(obj, mapper.get_property_by_column(column).key, None)
            if not isinstance(value, str):
                continue
            length = column.type.length
            if length is not None and len(value) > length:
                raise InputError(
                    "%(name)s is too long (%(max)d characters at most).",
                    field=column.key, name=column.key, max=length,
                )
            if "\x00" in value or _has_surrogate(value):
                raise InputError(
                    "The text contains a control character (such as NUL) that cannot be "
                    "stored; remove it and try again.",
                    field=column.key,
                )


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def init_app(app: Flask) -> None:
    app.before_request(check_request)
    # On the app's session (not every SQLAlchemy session of the process), once.
    if not sa.event.contains(db.session, "before_flush", check_strings):
        sa.event.listen(db.session, "before_flush", check_strings)
