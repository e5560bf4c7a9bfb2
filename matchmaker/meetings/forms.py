"""Meetings' forms: a request, an answer, a message, an outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from matchmaker.forms import BaseForm
from matchmaker.meetings.models import MeetingOutcome
from matchmaker.meetings.operations import MAX_MESSAGE_CHARS, MAX_REASON_CHARS
from matchmaker.reference.labels import choices


class SlotsField(SelectMultipleField):
    """Slot numbers; the operation checks they are in the zone's hours."""

    def pre_validate(self, form) -> None:  # choices are the zone's; out-of-range is the operation's
        pass

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if str(v).isascii() and str(v).isdigit()]
        if len(self.data) != len(valuelist):
            self.data = None
            raise ValueError(_l("Choose time slots from the list."))


class RequestForm(BaseForm):
    message = TextAreaField(_l("Message to the project side (optional)"),
                            validators=[Optional(), Length(max=MAX_MESSAGE_CHARS)])
    slots = SlotsField(_l("Times you can do (none ticked: any time)"), coerce=int,
                       validators=[Optional()])
    interpreter = SelectField(_l("Interpreter needed"), validators=[Optional()],
                              choices=[SelectChoice("", _l("No interpreter")),
                                       SelectChoice("en", "English"), SelectChoice("zh", "中文")])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason (optional)"),
                           validators=[Optional(), Length(max=MAX_REASON_CHARS)])


class ProposeForm(BaseForm):
    slots = SlotsField(_l("Times you propose"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_REASON_CHARS)])


class MessageForm(BaseForm):
    body = TextAreaField(_l("Message"), validators=[InputRequired(),
                                                    Length(max=MAX_MESSAGE_CHARS)])


class ActionForm(BaseForm):
    """A button that posts (CSRF only)."""


class OutcomeForm(BaseForm):
    outcome = SelectField(_l("Outcome"), validators=[InputRequired()],
                          choices=choices(MeetingOutcome))


class ZoneForm(BaseForm):
    days = StringField(_l("Days (YYYY-MM-DD, separated by commas)"), validators=[InputRequired()])
    day_start = StringField(_l("Opens at"), default="09:00", validators=[InputRequired()])
    day_end = StringField(_l("Closes at"), default="17:00", validators=[InputRequired()])
    slot_minutes = IntegerField(_l("Slot length (minutes)"), default=30,
                                validators=[InputRequired(), NumberRange(5, 240)])
    breaks = StringField(_l("Breaks (e.g. 12:00-13:30)"), validators=[Optional()])
    tables = IntegerField(_l("Tables"), default=10, validators=[InputRequired(), NumberRange(1, 500)])
    interpreters = StringField(_l("Tables with an interpreter (e.g. 1-5:en)"),
                               validators=[Optional()])
    investor_cap = IntegerField(_l("Meetings per investor at most"), default=8,
                                validators=[InputRequired(), NumberRange(1, 100)])
    project_cap = IntegerField(_l("Meetings per project at most"), default=8,
                               validators=[InputRequired(), NumberRange(1, 100)])


class ScheduleForm(BaseForm):
    method = SelectField(_l("Method"), default="auto", choices=[
        SelectChoice("auto", _l("Automatic (greedy, then the exact solver if it falls short)")),
        SelectChoice("greedy", _l("Greedy (fast)")),
        SelectChoice("cpsat", _l("Exact solver (CP-SAT, up to the time limit)")),
    ])


class PreMatchForm(BaseForm):
    top = IntegerField(_l("Meetings per investor (k)"), default=5,
                       validators=[InputRequired(), NumberRange(1, 50)])
    cap = IntegerField(_l("Meetings per project at most (c)"), default=8,
                       validators=[InputRequired(), NumberRange(1, 100)])
    min_score = IntegerField(_l("Lowest match score"), default=40,
                             validators=[InputRequired(), NumberRange(0, 100)])
