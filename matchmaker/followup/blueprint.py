from flask import Blueprint

from matchmaker.followup import controllers

bp = Blueprint("followup", __name__, url_prefix="/followup")

bp.add_url_rule("/", view_func=controllers.index)
bp.add_url_rule("/rates", view_func=controllers.rates)
bp.add_url_rule("/todo", view_func=controllers.todo)
bp.add_url_rule("/funnel", view_func=controllers.funnel)
bp.add_url_rule("/rates.xlsx", view_func=controllers.export_rates)
bp.add_url_rule("/agreements/<int:agreement_id>", view_func=controllers.agreement)
bp.add_url_rule("/agreements/<int:agreement_id>/stage", view_func=controllers.record_stage,
                methods=["POST"])
bp.add_url_rule("/agreements/<int:agreement_id>/funds", view_func=controllers.record_funds,
                methods=["POST"])
bp.add_url_rule("/agreements/<int:agreement_id>/state", view_func=controllers.change_state,
                methods=["POST"])
