"""Notifications' URL map."""

from flask import Blueprint

from matchmaker.notifications import controllers

bp = Blueprint("notifications", __name__)

bp.add_url_rule("/notifications", view_func=controllers.index)
bp.add_url_rule("/notifications/<int:notification_id>/read", view_func=controllers.read,
                methods=["POST"])
bp.add_url_rule("/notifications/read", view_func=controllers.read_all, methods=["POST"])
bp.add_url_rule("/notifications/settings", view_func=controllers.preferences,
                methods=["GET", "POST"])
bp.add_url_rule("/admin/notifications", view_func=controllers.deliveries)
bp.add_url_rule("/admin/notifications/<int:delivery_id>/retry", view_func=controllers.retry,
                methods=["POST"])
bp.add_url_rule("/admin/notifications/test", view_func=controllers.send_test, methods=["POST"])
