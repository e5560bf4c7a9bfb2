"""Forms of the matching pages: registering interest, moving a lead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
