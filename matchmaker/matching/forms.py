"""Forms of the matching pages: registering interest, moving a lead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from matchmaker.forms import BaseForm
from matchmaker.matching.models import LeadStatus

STATUS_LABELS = {
    LeadStatus.NEW: _l("New"),
    LeadStatus.CONTACTED: _l("Contacted"),
    LeadStatus.MEETING: _l("Meeting"),
    LeadStatus.SIGNED: _l("Signed"),
    LeadStatus.DROPPED: _l("Dropped"),
}


class InterestForm(BaseForm):
    message = TextAreaField(
        _l("Message to the project team (optional)"), validators=[Optional(), Length(max=2000)]
    )


class LeadStatusForm(BaseForm):
    status = SelectField(
        _l("Move to"),
        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[DataRequired()],
    )
