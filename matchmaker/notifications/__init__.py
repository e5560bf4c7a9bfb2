"""Notifications: an in-app list (unread count in the navigation) and e-mail through an
outbox. Any feature calls `operations.notify(...)` inside its own transaction; after the
commit, `delivery.kick` starts delivery off the request (see `delivery`)."""

from __future__ import annotations

import logging

import sqlalchemy.exc
from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event

from matchmaker.extensions import db
from matchmaker.notifications import delivery, operations, times

log = logging.getLogger(__name__)
RECORDED_KEY = "notice_locale"  # the language last recorded as the e-mail language


def _remember_language() -> None:
    """A signed-in user who switched the site's language gets e-mails in it from then on.

    Recorded at the user's next form post (GET pages never write), once per change: the
    session remembers what was recorded."""
    if request.method != "POST" or not current_user.is_authenticated:
        return
    lang = session.get("locale")
    if lang not in current_app.config["LANGUAGES"] or session.get(RECORDED_KEY) == lang:
        return
    try:
        operations.remember_locale(current_user, lang)
        db.session.commit()
    except sqlalchemy.exc.SQLAlchemyError as error:  # a courtesy: the request goes on
        db.session.rollback()
        log.warning("language of user %s not remembered: %s", current_user.id, error)
        return
    session[RECORDED_KEY] = lang


def init_app(app) -> None:
    if not event.contains(db.session, "after_commit", delivery.after_commit):
        event.listen(db.session, "after_commit", delivery.after_commit)
        event.listen(db.session, "after_rollback", delivery.after_rollback)

    app.before_request(_remember_language)

    @app.context_processor
    def unread_notifications():
        def unread() -> int:
            if not current_user.is_authenticated:
                return 0
            return operations.unread_count(current_user)

        def notification_text(notification) -> tuple[str, str]:
            return delivery.render(notification, str(get_locale() or "zh"))

        return {"unread_notifications": unread, "notification_text": notification_text,
                "forum_time": times.forum_time, "forum_zone_name": times.zone_name}
