"""Forms of the signing pages: sessions, the fast recording form, amend, void, reopen."""

from __future__ import annotations

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
from matchmaker.signing.models import AgreementKind, SessionKind

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
    amount = StringField(_l("Amount (亿元)"), validators=[DataRequired(), Length(max=40)])
    confirm_large = BooleanField(_l("Yes, this amount above 10,000亿元 is right"))
    kind = SelectField(_l("Kind of agreement"), choices=KIND_CHOICES)
    signed_at = DateTimeLocalField(
        _l("Signed at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    idempotency_key = HiddenField()
    shown_amount = HiddenField()  # the amount text whose unit the organiser has seen
    # Set by a candidate's button (never rendered as a field): "#id" of the chosen investor.
    pick_investor = StringField()


class AmendForm(AgreementForm):
    reason = StringField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(max=500)]
    )


class ReasonForm(BaseForm):
    # Its own id: the agreement page shows it beside the correction form's "reason", and
    # two inputs with one id send the label (and a screen reader) to the wrong one.
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=500)], id="void-reason"
    )
