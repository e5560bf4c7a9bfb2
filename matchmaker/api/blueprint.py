"""The JSON API's blueprint (prefix /api/v1) and `endpoint`, the one way a feature declares
a route's request and response schemas.

Each feature's `api.py` adds its routes to `bp` with `@bp.get(...)` / `@bp.post(...)` over
`@endpoint(...)`; the app factory imports them before registering the blueprint. spectree
(pydantic v2) validates the query, JSON body or form against the declared models, hands the
view the parsed model (`query=`, `json=`, `form=` keyword arguments) and builds the OpenAPI
document from the same declarations (`api/openapi.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, request
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from matchmaker.accounts.models import Role
from matchmaker.api.auth import token_required
from matchmaker.api.errors import ErrorOut, refuse_invalid
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.validation import InputError
from matchmaker.views import load

T = TypeVar("T")

bp = Blueprint("api", __name__, url_prefix="/api/v1")

spec = SpecTree(
    "flask",
    title="matchmaker API",
    version="1",
    mode="strict",  # document only the routes declared with `endpoint`
    annotations=True,
    validation_error_status=400,
    validation_error_model=ErrorOut,
    before=refuse_invalid,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearer",
                                     data=SecuritySchemeData(type="http", scheme="bearer"))],
)

_REFUSALS = {400: ErrorOut, 404: ErrorOut}
_AUTH_REFUSALS = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


def _json_object_required(view: Callable) -> Callable:
    """A JSON body must be a JSON object: no body, another type or unreadable JSON is a 400
    saying so (spectree would read them as an empty object)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not isinstance(request.get_json(silent=True), dict):
            raise InputError(N_("Send a JSON object."))
        return view(*args, **kwargs)

    return wrapped


def _rows_must_exist(view: Callable, finds: dict[str, type]) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        for argument, model in finds.items():
            load(model, kwargs[argument])
        return view(*args, **kwargs)

    return wrapped


def endpoint(
    *,
    resp: dict[int, Any],
    query: Any = None,
    json: Any = None,
    form: Any = None,
    roles: Iterable[Role] | None = None,
    tags: Iterable[str] = (),
    finds: dict[str, type] | None = None,
    files: dict[int, Iterable[str]] | None = None,
) -> Callable:
    """Declare a route: its query / JSON body / form model, its answers by status (a model,
    or None for an answer without a body), and, for writes, the roles whose bearer token it
    takes (`roles=()`: any valid token). `finds` maps a path argument to the model of the row
    it names: a missing row is a 404 before the body is read (the view's own `load` then
    finds it in the session). `files` maps a status whose answer is a file (declared None in
    `resp`) to its media types, for the document. Refusals answer `ErrorOut`."""

    answers = {**_REFUSALS, **(_AUTH_REFUSALS if roles is not None else {}), **resp}
    declared = Response(*[f"HTTP_{code}" for code, model in answers.items() if model is None],
                        **{f"HTTP_{code}": model for code, model in answers.items()
                           if model is not None})

    def decorator(view: Callable) -> Callable:
        validated = spec.validate(
            query=query, json=json, form=form, resp=declared, tags=list(tags),
            security={"bearer": []} if roles is not None else None,
        )(view)
        if json is not None:
            validated = _json_object_required(validated)
        if finds:
            validated = _rows_must_exist(validated, finds)
        if roles is not None:
            validated = token_required(*roles)(validated)  # authentication before validation
        validated.file_answers = {status: list(types) for status, types in (files or {}).items()}
        return validated

    return decorator


def perform(operation: Callable[[], T], *, commit_if: Callable[[T], bool] | None = None) -> T:
    """The API's door helper (the pages' is `views.submit`): run a write's one operation and
    commit; on any error roll back and raise it again (the app's error handlers answer a
    DomainError as `{"error": {...}}` with its status). Nothing half-written stays.
    `commit_if(result)` false rolls back a run that succeeded (a check, a refused report)."""
    try:
        result = operation()
    except BaseException:
        db.session.rollback()
        raise
    if commit_if is None or commit_if(result):
        db.session.commit()
    else:
        db.session.rollback()
    return result
