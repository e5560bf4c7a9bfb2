from flask import Blueprint

from matchmaker.accounts import controllers
from matchmaker.limits import login_limits, signup_limits

bp = Blueprint("accounts", __name__)

bp.add_url_rule("/login", view_func=login_limits(controllers.login), methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=controllers.logout, methods=["POST"])
bp.add_url_rule("/signup", view_func=signup_limits(controllers.signup), methods=["GET", "POST"])
bp.add_url_rule("/account/tokens", view_func=controllers.tokens, methods=["GET", "POST"])
bp.add_url_rule("/admin/users", view_func=controllers.users, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>/role", view_func=controllers.set_role, methods=["POST"])
