from flask import Blueprint

from matchmaker.search import controllers

bp = Blueprint("search", __name__)

bp.add_url_rule("/projects", endpoint="index", view_func=controllers.index)
bp.add_url_rule("/projects/<int:project_id>", endpoint="project", view_func=controllers.project)
bp.add_url_rule("/projects/<int:project_id>/attachments/<int:attachment_id>", endpoint="attachment",
                view_func=controllers.attachment)
