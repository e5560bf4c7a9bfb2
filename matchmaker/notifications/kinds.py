"""What each kind of notification says: a subject and a body, English msgids marked with
`N_` and translated when shown (in-app, in the reader's language) or sent (e-mail, in the
recipient's). Pure: no Flask and no database here; `render` translates at the door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matchmaker.i18n import N_


@dataclass(frozen=True)
class Kind:
    subject: str
    body: str


KINDS: dict[str, Kind] = {
    "interest_registered": Kind(
        N_("%(investor)s is interested in %(project)s"),
        N_("%(investor)s registered interest in %(project)s. Message: %(message)s"),
    ),
    "meeting_requested": Kind(
        N_("Meeting requested: %(investor)s and %(project)s"),
        N_("%(investor)s asks to meet about %(project)s. Message: %(message)s"),
    ),
    "meeting_accepted": Kind(
        N_("Meeting accepted: %(project)s"),
        N_("%(actor)s accepted the meeting of %(investor)s about %(project)s."),
    ),
    "meeting_declined": Kind(
        N_("Meeting declined: %(project)s"),
        N_("%(actor)s declined the meeting of %(investor)s about %(project)s. Reason: %(reason)s"),
    ),
    "meeting_proposed": Kind(
        N_("Other times proposed: %(project)s"),
        N_("%(actor)s proposed other times for the meeting about %(project)s: %(slots)s"),
    ),
    "meeting_cancelled": Kind(
        N_("Meeting cancelled: %(project)s"),
        N_("%(actor)s cancelled the meeting of %(investor)s about %(project)s. Reason: %(reason)s"),
    ),
    "meeting_scheduled": Kind(
        N_("Your meeting is scheduled: %(project)s, %(when)s, table %(table)s"),
        N_("The meeting of %(investor)s about %(project)s is at table %(table)s, %(when)s. "
           "Your agenda is ready."),
    ),
    "message_received": Kind(
        N_("New message about %(project)s"),
        N_("%(actor)s wrote: %(excerpt)s"),
    ),
    "reminder": Kind(
        N_("Reminder: meeting about %(project)s at %(when)s"),
        N_("Your meeting with %(other)s about %(project)s is at table %(table)s, %(when)s."),
    ),
    "followup_stale": Kind(
        N_("%(count)s agreements without progress for %(days)s days"),
        N_("%(count)s signed agreements of %(edition)s have had no progress recorded for "
           "%(days)s days. Record their stages and funds on the follow-through to-do list."),
    ),
    "digest": Kind(
        N_("%(count)s new projects match your profile"),
        N_("New in the catalogue for you: %(projects)s"),
    ),
    "test": Kind(
        N_("Test message from matchmaker"),
        N_("This is a test e-mail sent by %(actor)s: e-mail delivery works."),
    ),
}


def localised_params(params: dict[str, Any], locale: str) -> dict[str, Any]:
    """Parameters as shown in `locale`: in English, `name_en` replaces `name` when set."""
    shown = {key: value for key, value in params.items() if not key.endswith("_en")}
    if locale == "en":
        for key in list(shown):
            english = params.get(f"{key}_en")
            if english:
                shown[key] = english
    return {key: ("" if value is None else value) for key, value in shown.items()}
