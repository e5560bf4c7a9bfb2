"""Forms of the matching pages: what an investor looks for (profile, also filled in by
staff), registering interest, moving a lead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from matchmaker.amounts import CNY, AmountError, currency_of, is_bare_number, parse_amount
from matchmaker.forms import BaseForm
from matchmaker.i18n import translate
from matchmaker.matching.models import LeadStatus
from matchmaker.matching.operations import ProfileInput
from matchmaker.money import format_rate, to_yi
from matchmaker.reference.labels import choices
from matchmaker.reference.loaders import region_tree, sector_tree
from matchmaker.reference.vocabulary import CooperationMode


class InterestForm(BaseForm):
    message = TextAreaField(
        _l("Message to the project team (optional)"), validators=[Optional(), Length(max=2000)]
    )


class LeadStatusForm(BaseForm):
    status = SelectField(
        _l("Move to"),
        choices=choices(LeadStatus),
        validators=[DataRequired()],
    )


# A ticket is stated in yuan or, converted at the rate shown, in millions of a foreign
# currency ("USD" alone is kept for forms posted before: a bare number in dollars).
UNITS = ("亿元", "万元", "USD million", "EUR million", "HKD million", "USD")
UNIT_LABELS = {  # what the picker shows, in the page's language (the value stays the unit)
    "亿元": _l("100 million yuan"), "万元": _l("10,000 yuan"),
    "USD million": _l("USD million"), "EUR million": _l("EUR million"),
    "HKD million": _l("HKD million"), "USD": _l("US dollars"),
}
DEFAULT_USD_RATE = Decimal("7.10")  # yuan per US dollar when MATCH_USD_RATE is not set


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _localized(name: str, name_en: str, locale: str) -> str:
    return (name_en or name) if locale == "en" else name


def _tree_choices(items: list[dict[str, Any]], locale: str, depth: int = 0) -> list[SelectChoice]:
    choices = []
    for item in items:
        label = "— " * depth + _localized(item["name"], item.get("name_en", ""), locale)
        choices.append(SelectChoice(item["code"], label))
        choices += _tree_choices(item.get("children") or [], locale, depth + 1)
    return choices


class ProfileForm(BaseForm):
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=300)])
    create_investor = BooleanField(
        _l("My organisation is none of the suggestions: register it as a new company (reviewed by staff)")
    )
    # Set by a candidate's button: "#id" of the company the user means.
    pick_investor = StringField()
    # Checkboxes (shown as chips), not multi-selects: a phone has no Ctrl key.
    sectors = CheckboxesField(_l("Sectors"), choices=[], validate_choice=True, render_kw={"class": "chips"})
    regions = CheckboxesField(_l("Regions"), choices=[], validate_choice=True, render_kw={"class": "chips"})
    min_amount = StringField(_l("Ticket from"), validators=[Optional(), Length(max=40)])
    max_amount = StringField(_l("Ticket up to"), validators=[Optional(), Length(max=40)])
    unit = SelectField(_l("Amount unit"), choices=[SelectChoice(u, UNIT_LABELS[u]) for u in UNITS], default="亿元")
    modes = CheckboxesField(_l("Cooperation modes"), choices=[])
    keywords = TextAreaField(
        _l("Keywords or a short description (Chinese or English)"),
        validators=[Optional(), Length(max=500)],
    )

    def __init__(self, *args: Any, locale: str = "zh", rates: dict[str, Decimal] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Yuan per unit for tickets in a foreign currency (the current edition's rates,
        # shown beside the field); without one the US dollar is at MATCH_USD_RATE.
        if rates is None:
            rates = {"USD": Decimal(str(current_app.config.get("MATCH_USD_RATE", DEFAULT_USD_RATE)))}
        self.rates = dict(rates)

        self.sectors.choices = _tree_choices(sector_tree(), locale)
        self.regions.choices = _tree_choices(region_tree(), locale)
        self.modes.choices = choices(CooperationMode)

    @property
    def rates_text(self) -> str:
        """'EUR 7.80 · HKD 0.92 · USD 7.10' for the hint beside the unit."""
        return " · ".join(f"{code} {format_rate(rate)}" for code, rate in sorted(self.rates.items()))

    def fill_from(self, profile) -> None:
        """Show a saved profile (amounts in 亿元)."""

        self.sectors.data = list(profile.sectors)
        self.regions.data = list(profile.regions)
        self.modes.data = list(profile.modes)
        self.keywords.data = profile.keywords
        self.unit.data = "亿元"
        for field, value in ((self.min_amount, profile.min_yuan), (self.max_amount, profile.max_yuan)):
            field.data = f"{to_yi(value).normalize():f}" if value is not None else ""

    def _amount(self, field) -> Decimal | None:
        text = (field.data or "").strip()
        if not text:
            return None
        unit = self.unit.data if self.unit.data in UNITS else "亿元"
        # The unit is for a bare number; '$50m' or '3亿元' carry their own.
        header = unit if is_bare_number(text) else None
        try:
            currency = currency_of(text, header_unit=header)
            if currency not in (CNY, None) and currency not in self.rates:
                field.errors = [*field.errors, _(
                    "No %(currency)s rate is set for the current edition: give the ticket in yuan "
                    "or in a currency with a rate shown.", currency=currency)]
                return None
            parsed = parse_amount(text, header_unit=header, rates=self.rates)
        except AmountError as error:
            field.errors = [*field.errors, translate(error.message)]
            return None
        return parsed.yuan if parsed else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The amounts are read here, so that an unreadable one is an invalid form.
        self._low, self._high = self._amount(self.min_amount), self._amount(self.max_amount)
        return valid and not (self.min_amount.errors or self.max_amount.errors)

    def profile_input(self) -> ProfileInput:
        """The profile the (validated) form describes."""
        return ProfileInput(
            sectors=tuple(self.sectors.data or ()),
            regions=tuple(self.regions.data or ()),
            min_yuan=self._low,
            max_yuan=self._high,
            modes=tuple(self.modes.data or ()),
            keywords=self.keywords.data or "",
        )

    _FIELD_OF = {"min_yuan": "min_amount", "max_yuan": "max_amount", "investor": "organisation"}

    def attach_error(self, error) -> None:
        """Operations name profile fields as stored (min_yuan); show them on the inputs."""
        if error.field in self._FIELD_OF:
            error.field = self._FIELD_OF[error.field]
        super().attach_error(error)


class MeetingsForm(BaseForm):
    """Event-wide meeting suggestions (the trade negotiation zone's sheet)."""

    top = IntegerField(_l("Meetings per investor"), default=5, validators=[NumberRange(1, 50)])
    cap = IntegerField(_l("Meetings per project at most"), default=8, validators=[NumberRange(1, 1000)])
    min_score = IntegerField(_l("Leave out pairs scoring less than"), default=40,
                             validators=[NumberRange(0, 100)])
