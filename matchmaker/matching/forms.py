"""Forms of the matching pages: registering interest, moving a lead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.forms import BaseForm
from matchmaker.matching.models import LeadStatus
from matchmaker.reference.labels import choices


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


class MeetingsForm(BaseForm):
    """Event-wide meeting suggestions (the trade negotiation zone's sheet)."""

    top = IntegerField(_l("Meetings per investor"), default=5, validators=[NumberRange(1, 50)])
    cap = IntegerField(_l("Meetings per project at most"), default=8, validators=[NumberRange(1, 1000)])
    min_score = IntegerField(_l("Leave out pairs scoring less than"), default=40,
                             validators=[NumberRange(0, 100)])
