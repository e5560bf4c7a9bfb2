"""Agenda pages: a participant's agenda (phone-first, .ics, PDF), the organiser's grid
(.xlsx), the table sheets (printable, PDF); the lead funnel."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.selection import selected_edition
from matchmaker.meetings import agenda, funnel
from matchmaker.meetings.zone import zone_for
from matchmaker.notifications.times import zone_name, zone_or_none

PARTICIPANTS = (Role.INVESTOR, Role.STAFF, Role.ORGANIZER)
# Zones offered for a second column of times (any IANA name works in ?tz=).
COMMON_ZONES = ("Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York",
                "America/Los_Angeles", "Asia/Tokyo", "Asia/Singapore", "Asia/Dubai",
                "Australia/Sydney")
TZ_KEY = "agenda_tz"


def _locale() -> str:
    return str(get_locale() or "zh")


def _own_zone():
    if "tz" in request.args:
        chosen = request.args.get("tz", "")
        if zone_or_none(chosen) is not None:
            session[TZ_KEY] = chosen
        else:
            session.pop(TZ_KEY, None)
    return zone_or_none(session.get(TZ_KEY))


def _edition():
    edition = selected_edition()
    if edition is None:
        abort(404)
    return edition


def _name(obj) -> str:
    return (getattr(obj, "name_en", "") or obj.name) if _locale() == "en" else obj.name


def _rows(entries, *, with_table=True):
    return [[e.starts.strftime("%m-%d %H:%M") + "–" + e.ends.strftime("%H:%M"),
             *( [str(e.table)] if with_table else []), _name(e.meeting.investor),
             _name(e.meeting.project)] for e in entries]


@roles_required(*PARTICIPANTS)
def agenda_page():
    edition = selected_edition()
    own = _own_zone()
    zone, entries = agenda.agenda_for(current_user, edition)
    return render_template("meetings/agenda.html", edition=edition, zone=zone, entries=entries,
                           own_zone=own, own_zone_name=zone_name(own) if own else "",
                           in_zone=agenda.in_zone, zones=COMMON_ZONES)


@roles_required(*PARTICIPANTS)
def agenda_ics():
    edition = _edition()
    _zone, entries = agenda.agenda_for(current_user, edition)
    title = f"{_name(edition)} · " + _("Negotiation zone")
    body = agenda.ics(entries, title=title, locale=_locale(), host=request.host or "matchmaker")
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="agenda-{edition.year}.ics"'})


@roles_required(*PARTICIPANTS)
def agenda_pdf():
    edition = _edition()
    _zone, entries = agenda.agenda_for(current_user, edition)
    header = [_("Time"), _("Table"), _("Investor"), _("Project")]
    data = agenda.pdf(f"{_name(edition)} · " + _("My agenda"),
                      _("Times in %(zone)s.", zone=zone_name()) + " "
                      + (current_user.display_name or current_user.email),
                      header, _rows(entries))
    if data is None:
        flash(_("PDF is not available on this server (no font with Chinese characters): "
                "print this page instead."), "warning")
        return redirect(url_for("meetings.agenda_page", edition=edition.year))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="agenda-{edition.year}.pdf"'})


def _zone(edition):
    zone = zone_for(edition)
    if zone is None:
        flash(_("Set up the negotiation zone (days, slots, tables) first."), "warning")
    return zone


@roles_required(Role.ORGANIZER)
def grid_page():
    edition = _edition()
    zone = _zone(edition)
    if zone is None:
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    numbers, rows = agenda.grid_rows(zone, edition)
    return render_template("meetings/grid.html", edition=edition, zone=zone, numbers=numbers,
                           rows=rows, tables={t.number: t for t in zone.tables})


@roles_required(Role.ORGANIZER)
def grid_xlsx():
    edition = _edition()
    zone = _zone(edition)
    if zone is None:
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    return Response(agenda.grid_workbook(zone, edition, locale=_locale()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f'attachment; filename="zone-grid-{edition.year}.xlsx"'})


@roles_required(Role.ORGANIZER)
def table_sheets():
    edition = _edition()
    zone = _zone(edition)
    if zone is None:
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    return render_template("meetings/tables.html", edition=edition, zone=zone,
                           sheets=agenda.table_sheets(zone, edition),
                           tables={t.number: t for t in zone.tables})


@roles_required(Role.ORGANIZER)
def table_sheets_pdf():
    edition = _edition()
    zone = _zone(edition)
    if zone is None:
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    sheets = agenda.table_sheets(zone, edition)
    tables = {t.number: t for t in zone.tables}
    pages = [(_("Table %(n)d", n=n) + (f" · {tables[n].interpreter}" if tables[n].interpreter else ""),
              [row[:1] + row[2:] for row in _rows(entries)]) for n, entries in sheets.items()]
    data = agenda.pdf(_name(edition), _("Times in %(zone)s.", zone=zone_name()),
                      [_("Time"), _("Investor"), _("Project")], [], pages=pages)
    if data is None:
        flash(_("PDF is not available on this server (no font with Chinese characters): "
                "print this page instead."), "warning")
        return redirect(url_for("meetings.table_sheets", edition=edition.year))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="table-sheets-{edition.year}.pdf"'})


@roles_required(Role.STAFF, Role.ORGANIZER)
def funnel_page():
    edition = selected_edition()
    if edition is None:
        flash(_("There is no forum edition yet."), "info")
        return redirect(url_for("meetings.index"))
    report = funnel.funnel(edition, user=current_user)
    return render_template("meetings/funnel.html", edition=edition, report=report,
                           stages=funnel.STAGES)
