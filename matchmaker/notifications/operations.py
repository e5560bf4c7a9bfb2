"""Telling people: `notify` writes the in-app notification and, when e-mail is set up and
the recipient wants it, the outbox row - both in the caller's transaction, so a change and
what it tells are committed (or rolled back) together. Delivery is `delivery`'s business."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from matchmaker.db import utcnow
from matchmaker.errors import DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.notifications.kinds import KINDS
from matchmaker.notifications.models import (
    Delivery,
    DeliveryState,
    Notification,
    NotificationPreference,
)

log = logging.getLogger(__name__)
PENDING_KEY = "matchmaker.notifications.pending"  # session.info: outbox rows to kick after commit


def mail_enabled() -> bool:
    """E-mail is on when an SMTP server is configured (MATCHMAKER_MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER")) and not current_app.config.get(
        "MAIL_SUPPRESS"
    )


def preference_of(user) -> NotificationPreference:
    """The user's choices (a transient row with the defaults when none is stored)."""
    found = db.session.get(NotificationPreference, user.id)
    if found is None:
        found = NotificationPreference(
            user_id=user.id, locale=current_app.config["BABEL_DEFAULT_LOCALE"],
            email_enabled=True, digest_enabled=False,
        )
    return found


def notify(users: Iterable, kind: str, params: dict[str, Any], *, link: str = "",
           actor=None) -> list[Notification]:
    """Tell each of `users` (once each; never the `actor` who made the change)."""
    if kind not in KINDS:
        raise KeyError(kind)
    seen: set[int] = set()
    made: list[Notification] = []
    clean = {key: ("" if value is None else str(value)[:500]) for key, value in params.items()}
    for user in users:
        if user is None or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        if not user.active:
            continue
        notification = Notification(user_id=user.id, kind=kind, params=clean, link=link[:500])
        db.session.add(notification)
        made.append(notification)
        preference = preference_of(user)
        if mail_enabled() and preference.email_enabled and user.email:
            delivery = Delivery(notification=notification, address=user.email,
                                locale=preference.locale, state=DeliveryState.PENDING,
                                attempts=0, next_attempt_at=utcnow())
            db.session.add(delivery)
            db.session.info[PENDING_KEY] = True
    db.session.flush()
    return made


def unread_count(user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def recent(user, *, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def own_notification(notification_id: int, *, user) -> Notification:
    """The user's own notification; anyone else's is a 404 (its existence is not told)."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.user_id != user.id:
        raise NotFound(N_("No such notification."))
    return found


def mark_read(notification: Notification, *, user) -> Notification:
    if notification.user_id != user.id:
        raise NotFound(N_("No such notification."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(*, user) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def save_preferences(*, user, locale: str, email_enabled: bool,
                     digest_enabled: bool) -> NotificationPreference:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(N_("Choose a language the site offers."), field="locale")
    preference = db.session.get(NotificationPreference, user.id)
    if preference is None:
        preference = NotificationPreference(user_id=user.id)
        db.session.add(preference)
    preference.locale = locale
    preference.email_enabled = bool(email_enabled)
    preference.digest_enabled = bool(digest_enabled)
    db.session.flush()
    return preference


def remember_locale(user, locale: str) -> None:
    """The language a user switched the site to is the language of their e-mails."""
    preference = db.session.get(NotificationPreference, user.id)
    if preference is None:
        db.session.add(NotificationPreference(user_id=user.id, locale=locale,
                                              email_enabled=True, digest_enabled=False))
    elif preference.locale != locale:
        preference.locale = locale
    db.session.flush()


def retry_delivery(delivery: Delivery, *, user) -> Delivery:
    """An admin puts a failed e-mail back in the outbox (attempts start again)."""
    if delivery.state == DeliveryState.SENT:
        raise DomainError(N_("This e-mail was sent already."))
    delivery.state, delivery.attempts = DeliveryState.PENDING, 0
    delivery.next_attempt_at = utcnow()
    db.session.info[PENDING_KEY] = True
    db.session.flush()
    log.info("delivery %s put back in the outbox by %s", delivery.id, user.email)
    return delivery


def delivery_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Delivery.state, sa.func.count()).group_by(Delivery.state)
    ).all()
    counts = {state.value: 0 for state in DeliveryState}
    counts.update({str(state.value if hasattr(state, "value") else state): n for state, n in rows})
    return counts


def deliveries(*, state: str = "", limit: int = 200) -> list[Delivery]:
    statement = sa.select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if state in {s.value for s in DeliveryState}:
        statement = statement.where(Delivery.state == DeliveryState(state))
    return list(db.session.scalars(statement.options(sa.orm.joinedload(Delivery.notification))))
