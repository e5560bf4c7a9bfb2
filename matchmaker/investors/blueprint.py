from flask import Blueprint

from matchmaker.i18n import translate
from matchmaker.investors import controllers

bp = Blueprint("investors", __name__, url_prefix="/investors")

# Staff: the companies, list import, review, possible duplicates, merges and their undo.
bp.add_url_rule("", view_func=controllers.index)
bp.add_url_rule("/import", view_func=controllers.import_list, methods=["GET", "POST"])
bp.add_url_rule("/review", view_func=controllers.review_list)
bp.add_url_rule("/<int:investor_id>/review", view_func=controllers.review, methods=["POST"])
bp.add_url_rule("/duplicates", view_func=controllers.duplicates)
bp.add_url_rule("/merge", view_func=controllers.merge, methods=["POST"])
bp.add_url_rule("/merges", view_func=controllers.merges)
bp.add_url_rule("/merges/<int:event_id>/undo", view_func=controllers.undo, methods=["POST"])
# Names organisers chose an investor for at the signing desk, and forgetting a wrong one.
bp.add_url_rule("/learned", view_func=controllers.learned)
bp.add_url_rule("/learned/<int:event_id>/forget", view_func=controllers.forget, methods=["POST"])
# Claims: staff see all pending ones, a confirmed member those on their company.
bp.add_url_rule("/claims", view_func=controllers.claims)
bp.add_url_rule("/claims/<int:claim_id>/decide", view_func=controllers.decide, methods=["POST"])
# Anyone signed in: which known company does a name mean (with the candidates and why).
bp.add_url_rule("/resolve", view_func=controllers.resolve)


@bp.app_template_filter("message")
def message_filter(value) -> str:
    """A translatable Message (a candidate's `why`, a refusal) in the page's language."""

    return translate(value)
