"""Delivering the outbox: e-mail through the SMTP server of the MATCHMAKER_MAIL_* settings.

At-least-once: a row is claimed (state "sending", attempts + 1) and committed before the
SMTP conversation, and marked sent after it; a failure puts it back with a growing wait
(1 min, 5 min, 30 min, 2 h, 12 h), and after the last attempt it is "failed" - shown to
admins, who can put it back. A worker killed mid-send leaves "sending": after
STALE_SECONDS the row is due again. Two workers never send one row twice at once (the
claim is a conditional UPDATE).

Who delivers: after a commit that wrote outbox rows, `kick` puts a delivery job on the RQ
queue (Redis configured, `matchmaker worker` running) or, without Redis, delivers in the
same process after the response has been sent (never inside the request); rows written
by the CLI wait for the next kick.
`matchmaker notifications deliver [--watch N]` delivers what is due (retries, a cron)."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import after_this_request, current_app, has_request_context
from flask_babel import force_locale

from matchmaker import jobs
from matchmaker.db import utcnow
from matchmaker.extensions import db
from matchmaker.i18n import N_, Message, translate
from matchmaker.notifications.kinds import KINDS, localised_params
from matchmaker.notifications.models import Delivery, DeliveryState, Notification
from matchmaker.notifications.operations import PENDING_KEY

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
STALE_SECONDS = 600
# The RQ entry point, named by path (it builds the app; see matchmaker.worker).
DELIVER = "matchmaker.worker.deliver_notifications"


def render(notification: Notification, locale: str) -> tuple[str, str]:
    """(subject, body) of a notification in `locale`."""
    kind = KINDS[notification.kind]
    params = localised_params(notification.params or {}, locale)
    with force_locale(locale):
        return (translate(Message(kind.subject, params)), translate(Message(kind.body, params)))


def build_message(delivery: Delivery) -> EmailMessage:
    config = current_app.config
    subject, body = render(delivery.notification, delivery.locale)
    link = delivery.notification.link
    site = (config.get("MAIL_SITE_URL") or "").rstrip("/")
    with force_locale(delivery.locale):
        footer = translate(Message(N_("Open it on the platform: %(url)s"), {"url": f"{site}{link}"}))
    message = EmailMessage()
    message["Subject"] = subject
    sender = config.get("MAIL_DEFAULT_SENDER") or "matchmaker@localhost"
    message["From"] = formataddr(("matchmaker", sender)) if "<" not in sender else sender
    message["To"] = delivery.address
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    message["Content-Language"] = "zh-CN" if delivery.locale == "zh" else delivery.locale
    message.set_content(f"{body}\n\n{footer if link else ''}".rstrip() + "\n")
    return message


def send_email(message: EmailMessage) -> None:
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 10)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def _due_ids(now, limit: int) -> list[int]:
    stale = now - timedelta(seconds=STALE_SECONDS)
    return list(db.session.scalars(
        sa.select(Delivery.id).where(sa.or_(
            sa.and_(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now),
            sa.and_(Delivery.state == DeliveryState.SENDING, Delivery.next_attempt_at <= stale),
        )).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
    ))


def _claim(delivery_id: int, now) -> Delivery | None:
    stale = now - timedelta(seconds=STALE_SECONDS)
    claimed = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id, sa.or_(
            sa.and_(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now),
            sa.and_(Delivery.state == DeliveryState.SENDING, Delivery.next_attempt_at <= stale)))
        .values(state=DeliveryState.SENDING, attempts=Delivery.attempts + 1, next_attempt_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(Delivery, delivery_id) if claimed else None


def deliver_due(*, now=None, limit: int = 200) -> dict[str, int]:
    """Send what is due; {"sent", "retrying", "failed"} counts. Commits per row."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if not current_app.config.get("MAIL_SERVER"):
        return counts
    now = now or utcnow()
    for delivery_id in _due_ids(now, limit):
        delivery = _claim(delivery_id, now)
        if delivery is None:
            continue  # another worker has it
        try:
            send_email(build_message(delivery))
        except Exception as error:  # every failure is retried: SMTP, network, rendering
            delivery.last_error = f"{type(error).__name__}: {str(error)[:500]}"
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
                counts["failed"] += 1
                log.error("delivery %s failed for good: %s", delivery.id, delivery.last_error)
            else:
                delivery.state = DeliveryState.PENDING
                wait = BACKOFF_SECONDS[delivery.attempts - 1]
                delivery.next_attempt_at = now + timedelta(seconds=wait)
                counts["retrying"] += 1
                log.warning("delivery %s: attempt %s failed (%s); again in %ss", delivery.id,
                            delivery.attempts, delivery.last_error, wait)
        else:
            delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, utcnow(), None
            counts["sent"] += 1
        db.session.commit()
    if counts["retrying"] and jobs.queued():
        _enqueue(delay=min(BACKOFF_SECONDS))  # the worker's scheduler runs it when due
    return counts


# --- after a commit: start delivery off the request -----------------------------------


def _deliver_in(app) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:  # the rows stay in the outbox for the next run
            log.exception("notification delivery stopped; the outbox keeps the rest")
        finally:
            db.session.remove()


def _enqueue(delay: int = 0) -> bool:
    try:
        jobs.enqueue_call(DELIVER, description="matchmaker notification delivery",
                          delay_seconds=delay)
        return True
    except Exception as error:  # Redis down: the rows wait for the next kick or the CLI
        log.warning("notification delivery not queued: %s", error)
        return False


def kick() -> None:
    """Start delivering the outbox without holding up the request."""
    if not current_app.config.get("MAIL_SERVER"):
        return
    if jobs.queued():
        _enqueue()
        return
    if not has_request_context():
        # The CLI and scripts: the rows wait for the next page's kick, the worker or
        # `matchmaker notifications deliver` (a command is not held up by SMTP either).
        return
    app = current_app._get_current_object()

    @after_this_request
    def _after(response):
        response.call_on_close(lambda: _deliver_in(app))
        return response


def after_commit(session) -> None:
    if session.info.pop(PENDING_KEY, False):
        try:
            kick()
        except Exception:  # never fail the commit's caller; the outbox keeps the rows
            log.exception("could not start notification delivery")


def after_rollback(session) -> None:
    session.info.pop(PENDING_KEY, None)
