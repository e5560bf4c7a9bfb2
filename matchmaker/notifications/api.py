"""Notifications' API routes: a user's own notifications (any valid token), marking them
read, and the outbox's state (admins)."""

from __future__ import annotations

from flask_babel import get_locale

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.api.errors import ErrorOut
from matchmaker.extensions import db
from matchmaker.notifications import operations
from matchmaker.notifications.schemas import (
    DeliveryOut,
    DeliveryStatus,
    NotificationList,
    NotificationOut,
    NotificationQuery,
)


def _locale() -> str:
    return str(get_locale() or "zh")


@bp.get("/notifications")
@endpoint(query=NotificationQuery, roles=tuple(Role), resp={200: NotificationList},
          tags=["notifications"])
def notifications_list(query: NotificationQuery):
    """The token's user's notifications, newest first (at most 100), in the request's language"""
    user = current_api_user()
    found = operations.recent(user)
    if query.unread_only:
        found = [n for n in found if n.read_at is None]
    return NotificationList(unread=operations.unread_count(user),
                            items=[NotificationOut.of(n, _locale()) for n in found])


@bp.post("/notifications/<int:id>/read")
@endpoint(roles=tuple(Role), resp={200: NotificationOut, 404: (ErrorOut, "not this user's notification")},
          tags=["notifications"])
def notifications_read(id: int):
    """Mark one of the token's user's notifications read"""
    user = current_api_user()
    notification = operations.own_notification(id, user=user)
    operations.mark_read(notification, user=user)
    db.session.commit()
    return NotificationOut.of(notification, _locale())


@bp.get("/notifications/deliveries")
@endpoint(query=NotificationQuery, roles=(Role.ADMIN,), resp={200: DeliveryStatus},
          tags=["notifications"])
def notifications_deliveries(query: NotificationQuery):
    """The e-mail outbox: counts by state and the latest 200 deliveries (admins)"""
    return DeliveryStatus(mail_enabled=operations.mail_enabled(),
                          counts=operations.delivery_counts(),
                          items=[DeliveryOut.of(d) for d in operations.deliveries()])
