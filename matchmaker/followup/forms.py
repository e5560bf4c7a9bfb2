"""Forms of the follow-through page: a stage reached, a payment, a change of state.
Shape only; the rules (dates after the signing, funds within the signed amount, scope)
are the operations'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from matchmaker.followup.models import RECORDED_STAGES, FollowupState, Stage
from matchmaker.forms import BaseForm
from matchmaker.reference.labels import choices


class StageForm(BaseForm):
    stage = SelectField(_l("Stage reached"), choices=choices(Stage, RECORDED_STAGES))
    occurred_on = DateField(_l("Date"), validators=[DataRequired()])
    note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)])
    reason = StringField(_l("Reason for a correction"), validators=[Optional(), Length(max=2000)])


class FundsForm(BaseForm):
    amount = StringField(_l("Amount (亿元, or with its unit: 5000万元)"),
                         validators=[DataRequired(), Length(max=100)])
    paid_on = DateField(_l("Date received"), validators=[DataRequired()])
    note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)])
    over_reason = StringField(_l("Reason, when the funds exceed the signed amount"),
                              validators=[Optional(), Length(max=2000)])


class StateForm(BaseForm):
    state = SelectField(_l("State"), choices=choices(FollowupState))
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=2000)])
