"""Messages from pure cores, translated at the door.

Pure cores (parser, scorer, amount parser) cannot call Flask-Babel. They mark their
English message templates with `N_` (so `pybabel extract -k N_` finds them) and return
`Message(template, params)`. The web page, API and CLI call `translate(message)`,
which uses the request's locale (or the app's default outside a request).

Enum labels are marked with `NP_(context, text)` (a gettext message context, so the
same English word in two enums can have two translations). A message parameter that is
a labelled enum member (or a list of them) is shown as its label in the reader's
language: `Message(N_("Cooperation mode: %(mode)s"), {"mode": CooperationMode.EQUITY})`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matchmaker.money import format_money


def N_(template: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it here."""
    return template


@dataclass(frozen=True)
class Label:
    """A msgid with its gettext context: an enum member's label, translated at the door."""

    context: str
    msgid: str

    def __str__(self) -> str:  # English, for logs and tests
        return self.msgid


def NP_(context: str, msgid: str) -> Label:  # noqa: N802 - gettext's pgettext marker
    """Mark a label for extraction (`-k NP_:1c,2`) without translating it here."""
    return Label(context, msgid)


@dataclass(frozen=True)
class Yuan:
    """A yuan amount as a message parameter, written as its reader writes it: '5.00亿元' in
    Chinese, 'RMB 500 million' in English (matchmaker.money.format_money)."""

    amount: Any  # Decimal

    def __str__(self) -> str:  # English, for logs and tests
        return format_money(self.amount, "en")


# Between the labels of a list parameter: "、" in Chinese, ", " in English.
LIST_SEPARATOR = NP_("list separator", ", ")


@dataclass(frozen=True)
class Message:
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # English, for logs and tests
        if not self.params:
            return self.template
        return self.template % {k: _english(v) for k, v in self.params.items()}


def _label_of(value: Any) -> Label | None:
    label = getattr(value, "label", None)
    return label if isinstance(label, Label) else None


def _english(value: Any) -> Any:
    if isinstance(value, Yuan):
        return str(value)
    if (label := _label_of(value)) is not None:
        return label.msgid
    if isinstance(value, list | tuple) and value and all(_label_of(v) for v in value):
        return ", ".join(_label_of(v).msgid for v in value)
    return value


def translate(message: Message | str, **params: Any) -> str:
    """Translate a Message (or a plain msgid with params) in the current locale."""
    # Deferred: this module is imported by the pure cores, which must not need Flask.
    from flask_babel import get_locale, gettext, pgettext

    def shown(value: Any) -> Any:
        if isinstance(value, Yuan):
            return format_money(value.amount, str(get_locale() or "zh"))
        if (label := _label_of(value)) is not None:
            return pgettext(label.context, label.msgid)
        if isinstance(value, list | tuple) and value and all(_label_of(v) for v in value):
            separator = pgettext(LIST_SEPARATOR.context, LIST_SEPARATOR.msgid)
            return separator.join(pgettext(_label_of(v).context, _label_of(v).msgid) for v in value)
        return value

    if isinstance(message, Message):
        template, values = message.template, {**message.params, **params}
    else:
        template, values = message, params
    # Parameters that are Messages themselves (a reason inside a sentence) are translated too.
    values = {k: translate(v) if isinstance(v, Message) else v for k, v in values.items()}
    translated = gettext(template)
    return translated % {k: shown(v) for k, v in values.items()} if values else translated


# The reader's language, kept a year in this cookie (the session ends sooner).
LANG_COOKIE = "mm_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
