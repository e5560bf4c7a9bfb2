from flask import Blueprint

from matchmaker.search import controllers

bp = Blueprint("search", __name__)

bp.add_url_rule("/projects", endpoint="index", view_func=controllers.index)
bp.add_url_rule("/projects/<int:project_id>", endpoint="project", view_func=controllers.project)
