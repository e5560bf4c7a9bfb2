from flask import Blueprint

from matchmaker.accounts import controllers
from matchmaker.accounts.limits import login_limits, signup_limits

bp = Blueprint("accounts", __name__)

bp.add_url_rule("/login", view_func=login_limits(controllers.login), methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=controllers.logout, methods=["POST"])
bp.add_url_rule("/signup", view_func=signup_limits(controllers.signup), methods=["GET", "POST"])
bp.add_url_rule("/account/tokens", view_func=controllers.tokens, methods=["GET", "POST"])
bp.add_url_rule("/admin/users", view_func=controllers.users, methods=["GET", "POST"])
bp.add_url_rule("/admin/users/<int:user_id>/role", view_func=controllers.set_role, methods=["POST"])
bp.add_url_rule("/account/tokens/<int:token_id>/revoke", view_func=controllers.revoke_own_token,
                methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/deactivate", view_func=controllers.deactivate, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/reactivate", view_func=controllers.reactivate, methods=["POST"])
bp.add_url_rule("/admin/users/<int:user_id>/reset-password", view_func=controllers.reset_password,
                methods=["POST"])
bp.add_url_rule("/admin/tokens", view_func=controllers.admin_tokens)
bp.add_url_rule("/admin/tokens/<int:token_id>/revoke", view_func=controllers.admin_revoke_token,
                methods=["POST"])
bp.add_url_rule("/admin/tokens/revoke", view_func=controllers.admin_revoke_tokens, methods=["POST"])
bp.add_url_rule("/admin/tokens/expire", view_func=controllers.admin_expire_tokens, methods=["POST"])
bp.add_url_rule("/admin/audit", view_func=controllers.audit_log)
