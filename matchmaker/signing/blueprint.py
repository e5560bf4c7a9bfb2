from flask import Blueprint

from matchmaker.signing import controllers
from matchmaker.signing.forms import local_zone

bp = Blueprint("signing", __name__, url_prefix="/signing")

bp.add_url_rule("/", view_func=controllers.index, methods=["GET", "POST"])
bp.add_url_rule("/sessions/<int:session_id>", view_func=controllers.session)
bp.add_url_rule(
    "/sessions/<int:session_id>/edit", view_func=controllers.edit_session, methods=["GET", "POST"]
)
bp.add_url_rule("/sessions/<int:session_id>/record", view_func=controllers.record, methods=["POST"])
bp.add_url_rule(
    "/sessions/<int:session_id>/open", view_func=controllers.open_session, methods=["POST"]
)
bp.add_url_rule(
    "/sessions/<int:session_id>/close", view_func=controllers.close_session, methods=["POST"]
)
bp.add_url_rule(
    "/sessions/<int:session_id>/reopen", view_func=controllers.reopen_session, methods=["POST"]
)
bp.add_url_rule("/agreements/<int:agreement_id>", view_func=controllers.agreement)
bp.add_url_rule(
    "/agreements/<int:agreement_id>/amend", view_func=controllers.amend, methods=["POST"]
)
bp.add_url_rule("/agreements/<int:agreement_id>/void", view_func=controllers.void, methods=["POST"])
bp.add_url_rule("/lookup/investors", view_func=controllers.lookup_investors)
bp.add_url_rule("/lookup/projects", view_func=controllers.lookup_projects)
bp.add_url_rule("/lookup/amount", view_func=controllers.preview_amount)
bp.add_url_rule("/dashboard", view_func=controllers.dashboard)
bp.add_url_rule("/editions", view_func=controllers.all_editions)
bp.add_url_rule("/venue", view_func=controllers.venue)
bp.add_url_rule("/export/totals.xlsx", view_func=controllers.export_totals)
bp.add_url_rule("/export/agreements.xlsx", view_func=controllers.export_agreements)


@bp.app_template_filter("local_time")
def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in the venue's time zone (BABEL_DEFAULT_TIMEZONE)."""

    return value.astimezone(local_zone()).strftime(fmt) if value else ""
