"""An agreement's history as sentences people read, in the venue's local time:

    签约 3.00亿元（投资合同），组织方 张三，7月5日 10:42
    金额 3.00亿元 → 3.25亿元，原因：补充二期，组织方 张三，7月5日 10:42
    开工 2024年3月1日，凭证：施工许可证，省市招商工作人员 李四，3月2日 09:15

Built from the audit events of the agreement (the signing desk's and follow-through's), so
nothing is told twice and nothing is left out. Read at the doors (pages, API, CLI), in the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from babel.dates import format_skeleton
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _

from matchmaker.accounts.models import User
from matchmaker.audit import AuditEvent
from matchmaker.extensions import db
from matchmaker.followup.models import FollowupState, Stage
from matchmaker.followup.operations import agreement_events, local_zone
from matchmaker.investors.models import Investor
from matchmaker.money import format_yi
from matchmaker.reference.labels import label
from matchmaker.reference.models import Region, Sector
from matchmaker.signing.models import Agreement, AgreementKind


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    action: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "action": self.action, "text": self.text}


def _locale() -> str:
    return str(get_locale() or "zh")


def when(value: datetime, *, today: date | None = None) -> str:
    """'7月5日 10:42' (the year added when it is not this year's), in local time."""
    local = value.astimezone(local_zone())
    today = today or datetime.now(local_zone()).date()
    skeleton = "MMMd" if local.year == today.year else "yMMMd"
    return f"{format_skeleton(skeleton, local, locale=_locale())} {local:%H:%M}"


def day(value: date | str | None) -> str:
    """'2024年3月1日' / 'Mar 1, 2024'."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_skeleton("yMMMd", value, locale=_locale())


def yi(value: str | Decimal | None) -> str:
    return f"{format_yi(value)}亿元" if value not in (None, "") else "—"


def _sep() -> str:
    return pgettext("sentence separator", ", ")


def _who(event: AuditEvent, users: dict[int, User]) -> str:
    user = users.get(event.user_id) if event.user_id else None
    if user is None:
        return _("the console")
    return f"{label(user.role)} {user.display_name or user.email}"


def _names(events: list[AuditEvent]) -> dict[str, dict[int, str]]:
    """The names the events refer to by id, in one query per kind."""
    wanted: dict[str, set[int]] = {"investor_id": set(), "sector_id": set(), "region_id": set()}
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for key, ids in wanted.items():
                if isinstance(values.get(key), int):
                    ids.add(values[key])
    names: dict[str, dict[int, str]] = {}
    for key, model in (("investor_id", Investor), ("sector_id", Sector), ("region_id", Region)):
        ids = wanted[key]
        names[key] = dict(db.session.execute(
            sa.select(model.id, model.name).where(model.id.in_(ids))
        ).all()) if ids else {}
    return names


def _field_value(key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value in (None, ""):
        return "—"
    if key == "amount_yuan":
        return yi(value)
    if key == "kind":
        try:
            return label(AgreementKind(value))
        except ValueError:
            return str(value)
    if key == "signed_at":
        return when(datetime.fromisoformat(value))
    if key in names:
        return names[key].get(value, f"#{value}")
    if key == "project_id":
        return f"#{value}"
    return str(value)


def _field_name(key: str) -> str:
    return {
        "amount_yuan": _("Amount"), "kind": _("Kind"), "investor_id": _("Investor"),
        "project_id": _("Project"), "project_name": _("Project name"), "sector_id": _("Sector"),
        "region_id": _("Region"), "signed_at": _("Signed at"), "session_id": _("Session"),
    }.get(key, key)


def _signing_text(event: AuditEvent, names) -> str:
    after = event.after or {}
    before = event.before or {}
    if event.action == "create":
        return _("Signed %(amount)s (%(kind)s)", amount=yi(after.get("amount_yuan")),
                 kind=_field_value("kind", after.get("kind"), names))
    if event.action == "link":
        return _("Linked as the same agreement as #%(id)s (counted once)", id=after.get("same_as"))
    if event.action == "unlink":
        return _("Unlinked from #%(id)s: a new agreement, counted, reason: %(reason)s",
                 id=before.get("same_as"), reason=after.get("reason") or "—")
    if event.action == "void":
        return _("Voided, reason: %(reason)s", reason=after.get("void_reason") or "—")
    if event.action == "amend":
        changes = [
            _("%(field)s %(before)s → %(after)s", field=_field_name(key),
              before=_field_value(key, before.get(key), names),
              after=_field_value(key, after.get(key), names))
            for key in after
            if key not in ("reason", "idempotency_key") and before.get(key) != after.get(key)
        ]
        text = _sep().join(changes) or _("Corrected")
        return text + _sep() + _("reason: %(reason)s", reason=after.get("reason") or "—")
    return event.action


def _progress_text(event: AuditEvent) -> str:
    after = event.after or {}
    before = event.before or {}
    parts: list[str] = []
    if event.action == "progress_stage":
        stage = label(Stage(after["stage"]))
        if before.get("date"):
            parts.append(f"{stage} {day(before['date'])} → {day(after.get('date'))}")
        else:
            parts.append(f"{stage} {day(after.get('date'))}")
        if after.get("reason"):
            parts.append(_("reason: %(reason)s", reason=after["reason"]))
        if after.get("note"):
            parts.append(_("evidence: %(note)s", note=after["note"]))
    elif event.action == "progress_funds":
        parts.append(_("Funds in place %(amount)s (%(date)s)", amount=yi(after.get("amount_yuan")),
                       date=day(after.get("date"))))
        parts.append(_("in place %(before)s → %(after)s of %(signed)s signed",
                       before=yi(before.get("funds_yuan")), after=yi(after.get("funds_yuan")),
                       signed=yi(after.get("signed_yuan"))))
        if after.get("reason"):
            parts.append(_("above the signed amount, reason: %(reason)s", reason=after["reason"]))
        if after.get("note"):
            parts.append(_("evidence: %(note)s", note=after["note"]))
    elif event.action == "progress_state":
        state = FollowupState(after["state"])
        parts.append(_("Back on track") if state == FollowupState.ON_TRACK else str(label(state)))
        parts.append(_("reason: %(reason)s", reason=after.get("reason") or "—"))
    return _sep().join(parts)


def history(agreement: Agreement) -> list[HistoryLine]:
    """Every event of the agreement as one sentence each, oldest first."""
    events = agreement_events(agreement)
    user_ids = {e.user_id for e in events if e.user_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    names = _names(events)
    lines = []
    for event in events:
        if event.action.startswith("progress_"):
            text = _progress_text(event)
        else:
            text = _signing_text(event, names)
        lines.append(HistoryLine(event.at, event.action,
                                 text + _sep() + _who(event, users) + _sep() + when(event.at)))
    return lines
