"""Times as people at the forum read them: in the forum's time zone (BABEL_DEFAULT_TIMEZONE,
Asia/Shanghai), with the zone named; a second zone for foreign participants."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _


def forum_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def zone_name(zone: ZoneInfo | None = None) -> str:
    zone = zone or forum_zone()
    if zone.key == "Asia/Shanghai":
        return _("China Standard Time, UTC+8")
    offset = datetime.now(zone).strftime("%z")
    return f"{zone.key}, UTC{offset[:3]}:{offset[3:]}"


def forum_time(value: datetime | None, *, with_zone: bool = True) -> str:
    if value is None:
        return ""
    local = value.astimezone(forum_zone())
    text = local.strftime("%Y-%m-%d %H:%M")
    return f"{text} ({zone_name()})" if with_zone else text


def zone_or_none(key: str | None) -> ZoneInfo | None:
    """A participant's own zone (an IANA name such as "Europe/Berlin"), None when unknown."""
    if not key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None
