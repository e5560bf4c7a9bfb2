"""The building blocks of the JSON schemas (pydantic v2) that every feature's `schemas.py`
declares once and the API, the CLI's `--json` and the OpenAPI document share.

Input types wrap the door checks of `validation.py`, which stay the one source of the
rules: a value is checked by the same function whether it comes from a page, the API or
the CLI, and a refusal is an `InputError` with a message in the reader's language (pydantic
lets exceptions other than ValueError pass through its validators unchanged, so the
message is ours, never pydantic's English). Output types say how a value is written:
amounts as decimal strings in yuan, never floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
)

from matchmaker.amounts import AmountError, parse_amount
from matchmaker.i18n import N_
from matchmaker.money import yuan_str
from matchmaker.validation import (
    MAX_DB_INT,
    InputError,
    aware_datetime,
    clean_text,
    optional_code,
    positive_rate,
    record_id,
    whole_number,
)


class Schema(BaseModel):
    """Base of every request and response model. Unknown fields of a request are ignored
    (as the API always did), values are never coerced silently beyond the wrapped checks."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    def dump(self) -> dict[str, Any]:
        """The JSON document (amounts as strings, dates in ISO 8601)."""
        return self.model_dump(mode="json")


def _field(info: ValidationInfo) -> str:
    return info.field_name or "value"


# --- output ---------------------------------------------------------------------------

Yuan = Annotated[
    Decimal,
    PlainSerializer(yuan_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$",
                    "description": "yuan, two decimals (e.g. \"1300000000000.00\")"}),
]
"""An amount in yuan, written as a decimal string with two decimals."""

OptionalYuan = Annotated[
    Decimal | None,
    PlainSerializer(lambda value: yuan_str(value) if value is not None else None,
                    return_type=str | None),
    WithJsonSchema({"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$",
                    "description": "yuan, two decimals, or null when unknown"}),
]

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A date and time as Python writes it in ISO 8601 (`2025-07-12T02:30:00+00:00`)."""

Rate = Annotated[
    Decimal | None,
    PlainSerializer(lambda value: f"{value.normalize():f}" if value is not None else None,
                    return_type=str | None),
    WithJsonSchema({"type": ["string", "null"], "description": "yuan per unit of the currency"}),
]


# --- input ----------------------------------------------------------------------------


def _record_id(value: Any, info: ValidationInfo) -> int:
    return record_id(value, field=_field(info))


def _optional_record_id(value: Any, info: ValidationInfo) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return record_id(value, field=_field(info))


RecordId = Annotated[int, BeforeValidator(_record_id),
                     WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_DB_INT})]
"""An id a row can have: not a whole number -> 400; beyond the database's integers -> 404."""

OptionalRecordId = Annotated[
    int | None, BeforeValidator(_optional_record_id),
    WithJsonSchema({"type": ["integer", "null"], "minimum": 1, "maximum": MAX_DB_INT}),
]


def whole(minimum: int = 0, maximum: int = MAX_DB_INT):
    """A whole number in [minimum, maximum] (ASCII digits or a JSON integer); None when blank."""

    def check(value: Any, info: ValidationInfo) -> int | None:
        return whole_number(value, field=_field(info), minimum=minimum, maximum=maximum)

    return Annotated[int | None, BeforeValidator(check),
                     WithJsonSchema({"type": ["integer", "null"], "minimum": minimum,
                                     "maximum": maximum})]


def text(max_length: int, *, required: bool = False, description: str | None = None):
    """A string trimmed, free of control characters, at most `max_length` characters."""

    def check(value: Any, info: ValidationInfo) -> str:
        return clean_text(value, field=_field(info), max_length=max_length, required=required)

    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    return Annotated[str, BeforeValidator(check), WithJsonSchema(schema)]


def optional_text(max_length: int, *, description: str | None = None):
    """`text`, or null: a field a partial update leaves as it is when it is null or absent."""

    def check(value: Any, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return clean_text(value, field=_field(info), max_length=max_length)

    schema: dict[str, Any] = {"type": ["string", "null"], "maxLength": max_length}
    if description:
        schema["description"] = description
    return Annotated[str | None, BeforeValidator(check), WithJsonSchema(schema)]


def _code(value: Any, info: ValidationInfo) -> str | None:
    return optional_code(value, field=_field(info))


Code = Annotated[str | None, BeforeValidator(_code),
                 WithJsonSchema({"type": ["string", "null"], "maxLength": 32,
                                 "description": "a reference code (GET /sectors, /regions)"})]


def _codes(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    """A list of codes (or one code, or "a,b"): each a string, trimmed, blanks dropped."""
    name = _field(info)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputError(N_("%(name)s must be a list of strings."), field=name, name=name)
    codes = [clean_text(v, field=name, max_length=300) for v in value]
    return tuple(dict.fromkeys(c for c in codes if c))


Strings = Annotated[tuple[str, ...], BeforeValidator(_codes),
                    WithJsonSchema({"type": "array", "items": {"type": "string"}})]


def _when(value: Any, info: ValidationInfo) -> datetime | None:
    return aware_datetime(value, field=_field(info))


AwareDatetime = Annotated[datetime | None, BeforeValidator(_when),
                          WithJsonSchema({"type": ["string", "null"], "format": "date-time",
                                          "description": "ISO 8601 with its time zone"})]


def _rate(value: Any, info: ValidationInfo) -> Decimal | None:
    return positive_rate(value, field=_field(info))


RateIn = Annotated[Decimal | None, BeforeValidator(_rate),
                   WithJsonSchema({"type": ["string", "null"],
                                   "description": "yuan per unit, e.g. \"7.1\""})]

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def _flag(value: Any, info: ValidationInfo) -> bool:
    """A tick box: JSON true/false, or 1/true/yes/on in a query or a form (anything else is
    false, as the API always read them)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return str(value).strip().lower() in TRUE_WORDS


Flag = Annotated[bool, BeforeValidator(_flag),
                 WithJsonSchema({"type": "boolean", "description": "true, or 1/yes/on"})]


def _optional_flag(value: Any, info: ValidationInfo) -> bool | None:
    if value is None:
        return None
    return _flag(value, info)


OptionalFlag = Annotated[bool | None, BeforeValidator(_optional_flag),
                         WithJsonSchema({"type": ["boolean", "null"]})]


def _amount(value: Any, info: ValidationInfo) -> str | None:
    """An amount as written (`"5亿元"`, `"5000万"`, `"500000000"`): a string or an integer,
    never a float (binary fractions are not money); parsed by the operation, which knows
    the unit it defaults to."""
    name = _field(info)
    if value is None or value == "":
        return None
    if isinstance(value, bool | float) or not isinstance(value, int | str):
        raise InputError(
            N_("Send %(name)s as a string of yuan or with its unit, e.g. \"500000000\" or "
               "\"5亿元\"."), field=name, name=name)
    return clean_text(str(value), field=name, max_length=100)


AmountText = Annotated[
    str | None, BeforeValidator(_amount),
    WithJsonSchema({"type": ["string", "integer", "null"],
                    "description": "an amount with its unit: \"5亿元\", \"5000万\", \"USD 670 "
                                   "million\"; a bare number is read in the field's unit"}),
]

Score = Annotated[float, Field(ge=0, le=100)]


def _upload(value: Any, info: ValidationInfo) -> Any:
    """A file of a multipart form (werkzeug's FileStorage) with a name."""
    name = _field(info)
    if not hasattr(value, "read") or not getattr(value, "filename", None):
        raise InputError(N_("Send the file in the multipart field '%(name)s'."), field=name,
                         name=name)
    return value


Upload = Annotated[Any, BeforeValidator(_upload),
                   WithJsonSchema({"type": "string", "format": "binary"})]


def yuan_amount(header_unit: str = "元"):
    """An amount parsed to yuan (`"5亿元"`, `"5000万"`, `"500000000"`), a bare number read
    in `header_unit`; None when blank. Floats are refused (binary fractions are not money)."""

    def check(value: Any, info: ValidationInfo) -> Decimal | None:
        written = _amount(value, info)
        if written is None:
            return None
        try:
            parsed = parse_amount(written, header_unit=header_unit)
        except AmountError as error:
            raise InputError(error.message, field=_field(info)) from error
        return parsed.yuan if parsed else None

    return Annotated[Decimal | None, BeforeValidator(check),
                     WithJsonSchema({"type": ["string", "integer", "null"],
                                     "description": f"yuan, or with a unit: '5亿元', '5000万' "
                                                    f"(a bare number is in {header_unit})"})]
