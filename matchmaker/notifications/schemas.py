"""JSON shapes of notifications (the API and `matchmaker notifications … --json`)."""

from __future__ import annotations

from matchmaker.notifications.delivery import render
from matchmaker.notifications.models import Delivery, Notification
from matchmaker.schemas import Flag, Schema, Timestamp


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: Timestamp
    read: bool

    @classmethod
    def of(cls, notification: Notification, locale: str) -> NotificationOut:
        subject, body = render(notification, locale)
        return cls(id=notification.id, kind=notification.kind, subject=subject, body=body,
                   link=notification.link, created_at=notification.created_at,
                   read=notification.read_at is not None)


class NotificationList(Schema):
    unread: int
    items: list[NotificationOut]


class NotificationQuery(Schema):
    unread_only: Flag = False


class DeliveryOut(Schema):
    id: int
    notification_id: int
    kind: str
    address: str
    locale: str
    state: str
    attempts: int
    next_attempt_at: Timestamp
    last_error: str | None
    sent_at: Timestamp | None = None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(id=delivery.id, notification_id=delivery.notification_id,
                   kind=delivery.notification.kind, address=delivery.address,
                   locale=delivery.locale, state=delivery.state.value, attempts=delivery.attempts,
                   next_attempt_at=delivery.next_attempt_at, last_error=delivery.last_error,
                   sent_at=delivery.sent_at)


class DeliveryStatus(Schema):
    mail_enabled: bool
    counts: dict[str, int]
    items: list[DeliveryOut]
