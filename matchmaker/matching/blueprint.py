from flask import Blueprint

from matchmaker.matching import controllers

bp = Blueprint("matching", __name__)

# Investors: their profile, their matches, interest in a project.
bp.add_url_rule("/matches", view_func=controllers.matches)
bp.add_url_rule("/matches/profile", view_func=controllers.profile, methods=["GET", "POST"])
bp.add_url_rule(
    "/projects/<int:project_id>/interest", view_func=controllers.register_interest, methods=["POST"]
)
# Staff: leads, investors to invite for a project, an investor's profile (the list of
# investors is the investors blueprint's page, at the same /investors URL as before).
bp.add_url_rule("/leads", view_func=controllers.leads)
bp.add_url_rule("/leads/<int:lead_id>/status", view_func=controllers.move_lead, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>/investors", view_func=controllers.project_investors)
bp.add_url_rule(
    "/investors/<int:investor_id>/profile", view_func=controllers.investor_profile,
    methods=["GET", "POST"],
)
bp.add_url_rule("/matches/meetings", view_func=controllers.meetings, methods=["GET", "POST"])
