"""The organisers' zone pages: set up days, slots and tables; schedule; pre-match."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.selection import edition_arg, selected_edition
from matchmaker.extensions import db
from matchmaker.meetings import funnel
from matchmaker.meetings import zone as zones
from matchmaker.meetings.forms import ActionForm, PreMatchForm, ScheduleForm, ZoneForm
from matchmaker.meetings.models import Meeting, MeetingStatus
from matchmaker.views import flash_errors, submit


def _edition():
    edition = selected_edition()
    if edition is None:
        abort(404)
    return edition


def _counts(edition) -> dict[str, int]:
    rows = db.session.execute(sa.select(Meeting.status, sa.func.count()).where(
        Meeting.edition_id == edition.id).group_by(Meeting.status)).all()
    counts = {s.value: 0 for s in MeetingStatus}
    counts.update({(s.value if hasattr(s, "value") else s): n for s, n in rows})
    return counts


def _zone_input(form: ZoneForm) -> zones.ZoneInput:
    return zones.ZoneInput(
        days=zones.parse_days(form.days.data), day_start=form.day_start.data,
        day_end=form.day_end.data, slot_minutes=form.slot_minutes.data,
        breaks=zones.parse_breaks(form.breaks.data),
        tables=form.tables.data,
        interpreters=zones.parse_interpreters(form.interpreters.data, form.tables.data),
        investor_cap=form.investor_cap.data, project_cap=form.project_cap.data)


def _fill(form: ZoneForm, zone) -> None:
    form.days.data = ", ".join(zone.days)
    form.day_start.data, form.day_end.data = zone.day_start, zone.day_end
    form.slot_minutes.data = zone.slot_minutes
    form.breaks.data = ", ".join(f"{a}-{b}" for a, b in zone.breaks)
    form.tables.data = len(zone.tables)
    form.interpreters.data = ", ".join(f"{t.number}:{t.interpreter}" for t in zone.tables
                                       if t.interpreter)
    form.investor_cap.data, form.project_cap.data = zone.investor_cap, zone.project_cap


def _page(edition, form, *, result=None, status=200):
    zone = zones.zone_for(edition)
    return render_template(
        "meetings/zone.html", edition=edition, zone=zone, form=form,
        slots=zone.slot_times() if zone else [], counts=_counts(edition),
        schedule_form=ScheduleForm(formdata=None), prematch_form=PreMatchForm(formdata=None),
        result=result, edition_year=edition_arg(edition),
        funnel=funnel.funnel(edition, user=current_user), stages=funnel.STAGES,
    ), status


@roles_required(Role.ORGANIZER)
def zone_page():
    edition = _edition()
    zone = zones.zone_for(edition)
    form = ZoneForm()
    if request.method == "GET" and zone is not None:
        _fill(form, zone)
    if submit(form, lambda: zones.save_zone(edition, _zone_input(form), user=current_user)):
        flash(_("Negotiation zone saved."), "success")
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    return _page(edition, form, status=400 if form.errors or form.form_errors else 200)


@roles_required(Role.ORGANIZER)
def schedule():
    edition = _edition()
    form = ScheduleForm()
    outcome = submit(form, lambda: zones.schedule_edition(edition, user=current_user,
                                                          method=form.method.data))
    if not outcome:
        flash_errors(form)
        return redirect(url_for("meetings.zone_page", edition=edition.year))
    result = outcome.result
    flash(_("%(placed)d meetings placed, %(unplaced)d could not be (at most %(bound)d could).",
            placed=len(result.placed), unplaced=len(result.unplaced), bound=result.upper_bound),
          "success")
    zone = zones.zone_for(edition)
    form = ZoneForm(formdata=None)
    _fill(form, zone)
    return _page(edition, form, result=result)


@roles_required(Role.ORGANIZER)
def unschedule():
    edition = _edition()
    form = ActionForm()
    if submit(form, lambda: zones.unschedule_edition(edition, user=current_user)):
        flash(_("Every meeting of this edition is off its table again."), "info")
    else:
        flash_errors(form)
    return redirect(url_for("meetings.zone_page", edition=edition.year))


@roles_required(Role.ORGANIZER)
def prematch():
    edition = _edition()
    form = PreMatchForm()
    outcome = submit(form, lambda: zones.propose_from_matches(
        edition, top=form.top.data, cap=form.cap.data, min_score=form.min_score.data,
        user=current_user))
    if outcome:
        flash(_("%(n)d meetings proposed from the match scores; the project sides are told.",
                n=len(outcome.result)), "success")
    else:
        flash_errors(form)
    return redirect(url_for("meetings.zone_page", edition=edition.year))
