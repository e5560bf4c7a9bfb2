"""Forms of the signing pages: sessions, the fast recording form, amend, void, reopen."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.forms import BaseForm
from matchmaker.investors.models import InvestorKind
from matchmaker.reference.labels import choices
from matchmaker.signing import operations
from matchmaker.signing.models import AgreementKind, SessionKind

_ID_PREFIX = re.compile(r"^#(\d+)(?:\s|$)")
KIND_CHOICES = choices(AgreementKind)
SESSION_KIND_CHOICES = choices(SessionKind)
INVESTOR_KIND_CHOICES = choices(InvestorKind)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def aware(value: datetime | None) -> datetime | None:
    """A datetime-local value (the venue's time zone) as an aware datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone())


class SessionForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=300)])
    edition = IntegerField(
        _l("Forum edition (year)"), validators=[DataRequired(), NumberRange(2000, 2100)]
    )
    kind = SelectField(_l("Kind of session"), choices=SESSION_KIND_CHOICES)
    held_on = DateField(_l("Date"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    target = StringField(_l("Target (亿元)"), validators=[Optional(), Length(max=40)])
    rates = StringField(
        _l("Exchange rates for this session, yuan per unit (e.g. USD=7.1); empty: the edition’s"),
        validators=[Optional(), Length(max=200)],
    )

    def session_input(self) -> operations.SessionInput:
        return operations.SessionInput(
            edition=self.edition.data,
            name=self.name.data,
            name_en=self.name_en.data or "",
            kind=self.kind.data,
            held_on=self.held_on.data,
            venue=self.venue.data or "",
            target=self.target.data or "",
            rates=self.rates.data or "",
        )


class AgreementForm(BaseForm):
    """Recording and amending. Text fields with type-ahead; everything works without JS."""

    investor = StringField(_l("Investor"), validators=[DataRequired(), Length(max=300)])
    create_investor = BooleanField(
        _l("None of the close matches is this company: create it as a new investor")
    )
    # Rendered only when a new investor is being created: the default keeps a form posted
    # without it valid.
    investor_kind = SelectField(
        _l("Kind of the new investor"),
        choices=INVESTOR_KIND_CHOICES,
        default=InvestorKind.ENTERPRISE.value,
    )
    project = StringField(_l("Project"), validators=[Optional(), Length(max=300)])
    off_catalogue = BooleanField(_l("Off-catalogue project (name it above)"))
    sector = SelectField(_l("Sector (off-catalogue)"), choices=[], validate_choice=False)
    region = SelectField(_l("Region (off-catalogue)"), choices=[], validate_choice=False)
    amount = StringField(_l("Amount (亿元, or in USD, EUR, HKD)"),
                         validators=[DataRequired(), Length(max=40)])
    confirm_large = BooleanField(_l("Yes, this amount above 10,000亿元 is right"))
    kind = SelectField(_l("Kind of agreement"), choices=KIND_CHOICES)
    signed_at = DateTimeLocalField(
        _l("Signed at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    idempotency_key = HiddenField()
    shown_amount = HiddenField()  # the amount text whose unit the organiser has seen
    # Set by a candidate's button (never rendered as a field): "#id" of the chosen investor.
    pick_investor = StringField()
    # Set by the "same agreement?" buttons: the id of the agreement it repeats, or "y" for
    # a new agreement (never rendered as fields).
    same_as = StringField()
    new_agreement = StringField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not an inline validator: Optional() stops the chain on an empty field.
        if self.off_catalogue.data and not (self.project.data or "").strip():
            self.project.errors = [*self.project.errors, _l("Name the off-catalogue project.")]
            return False
        return valid

    def _investor_value(self) -> int | str:
        """A candidate's button ("#id"), the type-ahead's "#id name", or the typed name."""
        pick = (self.pick_investor.data or "").strip()
        if pick.startswith("#") and pick[1:].isdigit():
            return int(pick[1:])
        text = (self.investor.data or "").strip()
        match = _ID_PREFIX.match(text)
        return int(match.group(1)) if match else text

    def _typed_for_pick(self) -> str:
        """The typed name a candidate's button chose an investor for ("" otherwise: no
        button, or the type-ahead's "#id name")."""
        pick = (self.pick_investor.data or "").strip()
        text = (self.investor.data or "").strip()
        if not (pick.startswith("#") and pick[1:].isdigit()) or _ID_PREFIX.match(text):
            return ""
        return text

    def agreement_input(self, key: str | None) -> operations.AgreementInput:
        """The agreement the form describes; the project text resolves to a catalogue
        project (a DomainError on the project field when it names none or several)."""
        project_id, project_name = None, ""
        if self.off_catalogue.data:
            project_name = (self.project.data or "").strip()
        else:
            project_id = operations.find_project(self.project.data or "").id
        return operations.AgreementInput(
            investor=self._investor_value(),
            amount=self.amount.data,
            kind=self.kind.data,
            project_id=project_id,
            project_name=project_name,
            sector_code=self.sector.data or None,
            region_code=self.region.data or None,
            signed_at=aware(self.signed_at.data),
            idempotency_key=key,
            create_investor=bool(self.create_investor.data),
            investor_kind=self.investor_kind.data,
            investor_text=self._typed_for_pick(),
            confirm_large=bool(self.confirm_large.data),
            same_as=int(same) if (same := (self.same_as.data or "").strip()).isdigit()
            and len(same) < 10 else None,
            new_agreement=(self.new_agreement.data or "").strip() == "y",
        )


class AmendForm(AgreementForm):
    reason = StringField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(max=500)]
    )


class ReopenForm(BaseForm):
    """Reopening a closed session: the operation refuses a missing reason, with its message."""

    reason = TextAreaField(
        _l("Reason for reopening"), validators=[Optional(), Length(max=500)], id="reopen-reason"
    )


class ReasonForm(BaseForm):
    # Its own id: the agreement page shows it beside the correction form's "reason", and
    # two inputs with one id send the label (and a screen reader) to the wrong one.
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=500)], id="void-reason"
    )
