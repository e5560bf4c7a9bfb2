"""The API's error answers: `{"error": {"code", "message", ...}}` with a 4xx status, as a
schema for the OpenAPI document, and pydantic's refusals turned into that shape with a
message in the reader's language (the wrapped checks of `validation.py` raise their own
`InputError`; what reaches here is pydantic's own type check: a list where a string is
expected, a missing field, a wrong JSON type for the whole body)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, ValidationError

from matchmaker.i18n import N_
from matchmaker.schemas import Schema
from matchmaker.validation import InputError


class ErrorDetail(Schema):
    model_config = ConfigDict(extra="allow")  # e.g. candidates, field

    code: str
    message: str


class ErrorOut(Schema):
    """Every refusal: a code a program can test and a message for a person."""

    error: ErrorDetail


_MESSAGES = {
    "missing": N_("%(name)s is required."),
    "int_type": N_("%(name)s must be a whole number."),
    "int_parsing": N_("%(name)s must be a whole number."),
    "int_from_float": N_("%(name)s must be a whole number."),
    "string_type": N_("%(name)s must be a string."),
    "bool_type": N_("%(name)s must be true or false."),
    "bool_parsing": N_("%(name)s must be true or false."),
    "list_type": N_("%(name)s must be a list."),
    "tuple_type": N_("%(name)s must be a list."),
    "string_too_long": N_("%(name)s is too long."),
    "string_too_short": N_("%(name)s is required."),
    "enum": N_("%(name)s is not one of the allowed values."),
    "literal_error": N_("%(name)s is not one of the allowed values."),
}
_NOT_AN_OBJECT = {"model_type", "model_attributes_type", "dict_type"}


def refusal(error: ValidationError) -> InputError:
    """The first problem pydantic found, as an InputError naming the field."""
    problem: dict[str, Any] = error.errors(include_url=False, include_input=False)[0]
    location = [str(part) for part in problem.get("loc", ())]
    if not location and problem["type"] in _NOT_AN_OBJECT:
        return InputError(N_("Send a JSON object."))
    name = ".".join(location) or "value"
    message = _MESSAGES.get(problem["type"], N_("%(name)s is not valid."))
    return InputError(message, field=location[0] if location else None, name=name)


def refuse_invalid(_request, _response, validation_error, _instance, _adapter) -> None:
    """spectree's hook before a view: a refused request raises our InputError, which the
    app's error handler answers as `{"error": {...}}` (400) in the reader's language."""
    if validation_error is not None:
        raise refusal(validation_error)
