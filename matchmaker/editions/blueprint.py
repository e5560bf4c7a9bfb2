from flask import Blueprint

from matchmaker.editions import controllers

bp = Blueprint("editions", __name__, url_prefix="/editions")

bp.add_url_rule("/", view_func=controllers.index, methods=["GET", "POST"])
bp.add_url_rule("/<int:edition_id>/edit", view_func=controllers.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:edition_id>/pin", view_func=controllers.pin, methods=["POST"])
bp.add_url_rule("/unpin", view_func=controllers.unpin, methods=["POST"])


@bp.app_template_global("edition_choices")
def edition_choices():
    """(editions, current) for the edition selector macro (templates/_macros/editions.html)."""
    return controllers.selector_choices()
