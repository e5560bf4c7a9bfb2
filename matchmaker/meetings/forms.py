"""Meetings' forms: a request, an answer, a message, an outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

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
