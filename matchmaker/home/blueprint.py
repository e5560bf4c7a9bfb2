from flask import Blueprint

from matchmaker.home import controllers

bp = Blueprint("home", __name__)

bp.add_url_rule("/", view_func=controllers.index)
bp.add_url_rule("/language/<lang>", view_func=controllers.switch_language)
