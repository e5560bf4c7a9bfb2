"""Meetings' URL map: requests, the inbox, a meeting and its answers, threads."""

from flask import Blueprint

from matchmaker.meetings import agenda_controllers, controllers, zone_controllers

bp = Blueprint("meetings", __name__)

bp.add_url_rule("/projects/<int:project_id>/meeting", view_func=controllers.request_form,
                methods=["GET", "POST"])
bp.add_url_rule("/meetings", view_func=controllers.index)
bp.add_url_rule("/meetings/<int:meeting_id>", view_func=controllers.meeting)
bp.add_url_rule("/meetings/<int:meeting_id>/<action>", view_func=controllers.act,
                methods=["POST"])
bp.add_url_rule("/leads/<int:lead_id>/thread", view_func=controllers.thread)
bp.add_url_rule("/leads/<int:lead_id>/messages", view_func=controllers.post_message,
                methods=["POST"])

# Organisers: the zone of an edition (?edition=YEAR, else the current one).
bp.add_url_rule("/zone", view_func=zone_controllers.zone_page, methods=["GET", "POST"])
bp.add_url_rule("/zone/schedule", view_func=zone_controllers.schedule, methods=["POST"])
bp.add_url_rule("/zone/unschedule", view_func=zone_controllers.unschedule, methods=["POST"])
bp.add_url_rule("/zone/prematch", view_func=zone_controllers.prematch, methods=["POST"])
bp.add_url_rule("/zone/grid", view_func=agenda_controllers.grid_page)
bp.add_url_rule("/zone/grid.xlsx", view_func=agenda_controllers.grid_xlsx)
bp.add_url_rule("/zone/tables", view_func=agenda_controllers.table_sheets)
bp.add_url_rule("/zone/tables.pdf", view_func=agenda_controllers.table_sheets_pdf)

# Everyone's agenda (?edition=YEAR, ?tz=Europe/Berlin for a second column of times).
bp.add_url_rule("/agenda", view_func=agenda_controllers.agenda_page)
bp.add_url_rule("/agenda.ics", view_func=agenda_controllers.agenda_ics)
bp.add_url_rule("/agenda.pdf", view_func=agenda_controllers.agenda_pdf)
bp.add_url_rule("/funnel", view_func=agenda_controllers.funnel_page)
