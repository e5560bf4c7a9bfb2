from flask import Blueprint

from matchmaker.reference.maps import location_map
from matchmaker.search import controllers

bp = Blueprint("search", __name__)
bp.add_app_template_global(location_map, "location_map")  # the project page's map

bp.add_url_rule("/projects", endpoint="index", view_func=controllers.index)
bp.add_url_rule("/projects/<int:project_id>", endpoint="project", view_func=controllers.project)
bp.add_url_rule("/projects/<int:project_id>/attachments/<int:attachment_id>", endpoint="attachment",
                view_func=controllers.attachment)
