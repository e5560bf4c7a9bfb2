"""Enum labels as text, at the doors: pages, forms, exports, match reasons and the API.

Every enum of the platform is a `LabelledEnum` (see `vocabulary`): each member carries
its English label with a gettext context, and the Chinese comes from the .po catalogue
like any other string. This module is the one way to show a member:

    label(member)            lazy string in the reader's language (forms, templates)
    label_in(member, "zh")   text in a given language (exports read back by the importer)
    names(member)            {"name": Chinese, "name_en": English} (API shapes, totals)
    choices(Enum)            WTForms choices for a select or checkboxes
    parse_label(Enum, text)  the member written as value, English or Chinese label

Templates get `label` as a global and a filter: `{{ lead.status|label }}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flask import Flask
from flask_babel import LazyString, force_locale, get_domain, lazy_pgettext
from wtforms import SelectChoice

from matchmaker.i18n import LIST_SEPARATOR, Label
from matchmaker.reference.vocabulary import CooperationMode, LabelledEnum

E = TypeVar("E", bound=LabelledEnum)
DEFAULT_LOCALE = "zh"  # the "name" of an API shape; "name_en" is English


def label(member: LabelledEnum | Label) -> LazyString:
    """The member's label, translated when shown (a lazy string)."""
    found = member if isinstance(member, Label) else member.label
    return lazy_pgettext(found.context, found.msgid)


def _translations(locale: str):
    with force_locale(locale):
        return get_domain().get_translations()


def label_in(member: LabelledEnum | Label, locale: str) -> str:
    """The member's label in `locale` ("zh", "en"), whatever the reader's language."""
    found = member if isinstance(member, Label) else member.label
    if locale == "en":
        return found.msgid  # English is the source language
    return _translations(locale).pgettext(found.context, found.msgid)


def names(member: LabelledEnum) -> dict[str, str]:
    """{"name": Chinese label, "name_en": English label}: the bilingual pair of API shapes."""
    return {"name": label_in(member, DEFAULT_LOCALE), "name_en": member.label.msgid}


def joined(members: Iterable[LabelledEnum], locale: str | None = None) -> str:
    """Several labels in one cell: "合资、合作" / "Joint venture, Cooperation"."""
    members = list(members)
    if locale is None:
        return str(label(LIST_SEPARATOR)).join(str(label(m)) for m in members)
    return label_in(LIST_SEPARATOR, locale).join(label_in(m, locale) for m in members)


def choices(enum_cls: type[E], members: Iterable[E] | None = None) -> list[SelectChoice]:
    """Choices for a WTForms select or checkboxes, labels lazy (shown in the reader's language)."""
    return [SelectChoice(m.value, label(m)) for m in (enum_cls if members is None else members)]


def parse_label(enum_cls: type[E], text: object) -> E | None:
    """The member written as its value, its English label or its Chinese label, else None."""
    found = enum_cls.parse(text)
    if found is not None:
        return found
    key = str(text or "").strip().casefold()
    for member in enum_cls:
        if key and key == label_in(member, DEFAULT_LOCALE).casefold():
            return member
    return None


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["labels"] = lambda members: joined(members)
    # Stored codes (import reports keep values as JSON): '["sole", "ppp"]' -> '独资、PPP'.
    app.jinja_env.filters["mode_labels"] = lambda codes: joined(CooperationMode(c) for c in codes)
