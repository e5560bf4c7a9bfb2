"""The platform's shared words: enums whose members each carry one translatable label.

Pure: no Flask, no database (the pure cores - parser, scorer, search core - import it).
A member is declared with its value and its English label, marked for extraction with a
context that names the enum, so two enums may both say "Open" and still be translated
apart (可洽谈 for a project, 进行中 for a signing session):

    class ProjectStatus(LabelledEnum):
        OPEN = "open", NP_("project status", "Open")

The label is written once, beside the member (as indico keeps titles on its enums); a
member without one fails when the module is imported. `matchmaker.reference.labels`
turns labels into text in the reader's language at the doors (pages, exports, API).

Enums owned by one feature stay in that feature's `models.py` (signing's kinds and states,
matching's lead status, ...); the vocabulary no feature owns lives here: cooperation modes
and investment-sought bands, read by the catalogue, search and matching alike.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from matchmaker.i18n import NP_, Label


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members are `(value, NP_(context, English label), *extra)`.

    Members compare and serialise as their value (a plain string in the database and in
    JSON); `member.label` is the `Label` (context and msgid) to translate at the door."""

    label: Label

    def __new__(cls, value: str, label: Label, *extra: object) -> LabelledEnum:
        if not isinstance(label, Label):
            raise TypeError(f"{cls.__name__}.{value}: label it with NP_(context, text)")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, text: object) -> LabelledEnum | None:
        """The member written as its value or its English label (any case), else None."""
        key = str(text or "").strip().casefold()
        for member in cls:
            if key in (member.value, member.label.msgid.casefold()):
                return member
        return None


class CooperationMode(LabelledEnum):
    """How an investor may take part in a project (合作方式)."""

    SOLE = "sole", NP_("cooperation mode", "Wholly owned")
    JOINT_VENTURE = "joint_venture", NP_("cooperation mode", "Joint venture")
    COOPERATION = "cooperation", NP_("cooperation mode", "Cooperation")
    PPP = "ppp", NP_("cooperation mode", "Public-private partnership (PPP)")
    EQUITY = "equity", NP_("cooperation mode", "Equity participation")
    OTHER = "other", NP_("cooperation mode", "Other")


# Modes that partly meet each other: equity participation is a form of cooperation
# (股权合作 / 合作), so an investor who wants one gets part credit for the other.
RELATED_MODES: frozenset[frozenset[CooperationMode]] = frozenset(
    {frozenset({CooperationMode.COOPERATION, CooperationMode.EQUITY})}
)


def modes_related(a: str, b: str) -> bool:
    return frozenset({a, b}) in RELATED_MODES


class InvestmentBand(LabelledEnum):
    """Bands of the investment sought, (lower, upper] in 亿元; the last has no upper bound."""

    UP_TO_1 = "lt1", NP_("investment band", "up to 100 million yuan"), 0, 1
    FROM_1_TO_5 = "1-5", NP_("investment band", "100–500 million yuan"), 1, 5
    FROM_5_TO_10 = "5-10", NP_("investment band", "0.5–1 billion yuan"), 5, 10
    FROM_10_TO_50 = "10-50", NP_("investment band", "1–5 billion yuan"), 10, 50
    OVER_50 = "50+", NP_("investment band", "over 5 billion yuan"), 50, None

    def __init__(self, _value: str, _label: Label, low_yi: int, high_yi: int | None) -> None:
        self.low_yi = Decimal(low_yi)
        self.high_yi = Decimal(high_yi) if high_yi is not None else None
