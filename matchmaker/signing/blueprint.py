from flask import Blueprint

from matchmaker.signing.controllers import desk, downloads, public, sessions
from matchmaker.signing.forms import local_zone

bp = Blueprint("signing", __name__, url_prefix="/signing")

# Organisers: sessions and their life cycle.
bp.add_url_rule("/", view_func=sessions.index, methods=["GET", "POST"])
bp.add_url_rule(
    "/sessions/<int:session_id>/edit", view_func=sessions.edit_session, methods=["GET", "POST"]
)
for action in ("open", "close", "reopen"):
    bp.add_url_rule(f"/sessions/<int:session_id>/{action}",
                    view_func=getattr(sessions, f"{action}_session"), methods=["POST"])

# Organisers at the ceremony desk: recording, corrections.
bp.add_url_rule("/sessions/<int:session_id>", view_func=desk.session)
bp.add_url_rule("/sessions/<int:session_id>/record", view_func=desk.record, methods=["POST"])
bp.add_url_rule("/agreements/<int:agreement_id>", view_func=desk.agreement)
bp.add_url_rule("/agreements/<int:agreement_id>/amend", view_func=desk.amend, methods=["POST"])
bp.add_url_rule("/agreements/<int:agreement_id>/void", view_func=desk.void, methods=["POST"])
bp.add_url_rule("/agreements/<int:agreement_id>/unlink", view_func=desk.unlink, methods=["POST"])
# The type-ahead's first URLs: the API answers them now (GET /api/v1/signing/lookup/*).
for kind in ("investors", "projects", "amount"):
    bp.add_url_rule(f"/lookup/{kind}", endpoint=f"lookup_{kind}", view_func=desk.lookup_moved,
                    defaults={"kind": kind})

# Everyone: totals and the venue screen.
bp.add_url_rule("/dashboard", view_func=public.dashboard)
bp.add_url_rule("/editions", view_func=public.all_editions)
bp.add_url_rule("/venue", view_func=public.venue)

# Workbooks: the totals (public), the agreements (organisers).
bp.add_url_rule("/export/totals.xlsx", view_func=downloads.export_totals)
bp.add_url_rule("/export/agreements.xlsx", view_func=downloads.export_agreements)


@bp.app_template_filter("local_time")
def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in the venue's time zone (BABEL_DEFAULT_TIMEZONE)."""

    return value.astimezone(local_zone()).strftime(fmt) if value else ""
