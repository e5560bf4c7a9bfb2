"""The negotiation zone (贸易洽谈区): meeting requests, answers, messages, the zone's slots
and tables, scheduling, agendas, the venue and the lead funnel.

Sits above matching and signing: it reads leads and matches, and tells the signing desk
what meetings expect through `signals.agreement_suggestions` (signing never imports it)."""

from __future__ import annotations

from matchmaker.meetings.models import MeetingStatus
from matchmaker.reference.labels import label


def _status_label(value):
    try:
        return label(MeetingStatus(value))
    except ValueError:
        return value


def init_app(app) -> None:
    app.jinja_env.filters["meeting_status_label"] = _status_label
