"""The negotiation zone (贸易洽谈区): meeting requests, answers, messages, the zone's slots
and tables, scheduling, agendas, the venue and the lead funnel.

Sits above matching and signing: it reads leads and matches, and tells the signing desk
what meetings expect through `signals.agreement_suggestions` (signing never imports it)."""

from __future__ import annotations

from flask_babel import gettext

from matchmaker import signals
from matchmaker.i18n import N_
from matchmaker.meetings import operations
from matchmaker.meetings.models import MeetingStatus
from matchmaker.reference.labels import label


def _status_label(value):
    try:
        return label(MeetingStatus(value))
    except ValueError:
        return value


UNPLACED_REASONS = {
    "no_slot": N_("None of its times is a slot of the zone."),
    "no_interpreter": N_("No table has the interpreter it needs."),
    "investor_cap": N_("The investor has reached the cap of meetings."),
    "project_cap": N_("The project has reached the cap of meetings."),
    "busy": N_("Every slot it can do is taken (by its sides' other meetings, or full)."),
}


def _unplaced_reason(code: str) -> str:
    return gettext(UNPLACED_REASONS.get(code, code))


def init_app(app) -> None:
    signals.agreement_suggestions.connect(operations.desk_suggestions, sender=app)
    app.jinja_env.filters["meeting_status_label"] = _status_label
    app.jinja_env.globals["unplaced_reason"] = _unplaced_reason
