"""Meeting pages: request a meeting from a project, the inbox, a meeting (history, answers,
its thread), a lead's thread. Thin: load (404), validate, one operation, commit, redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.catalogue.models import Project
from matchmaker.editions.operations import current_edition
from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.investors.models import Investor
from matchmaker.meetings import operations
from matchmaker.meetings.forms import (
    ActionForm,
    MessageForm,
    OutcomeForm,
    ProposeForm,
    ReasonForm,
    RequestForm,
)
from matchmaker.meetings.models import MeetingStatus, Side
from matchmaker.reference.labels import label
from matchmaker.views import flash_errors, load, submit

PARTICIPANTS = (Role.INVESTOR, Role.STAFF, Role.ORGANIZER)
PER_PAGE = 100


def _slot_choices(zone):
    if zone is None:
        return []
    return [SelectChoice(i, operations.slot_label(zone, i)) for i in range(len(zone.slot_times()))]


def _visible_meeting(meeting_id: int):
    try:
        return operations.visible_meeting(meeting_id, user=current_user)
    except NotFound:
        abort(404)


@roles_required(Role.INVESTOR)
def request_form(project_id: int):
    project = load(Project, project_id)
    investor = db.session.get(Investor, current_user.investor_id) if current_user.investor_id else None
    if investor is None:
        flash(_("Tell us your organisation first."), "warning")
        return redirect(url_for("matching.profile"))
    edition = current_edition()
    zone = operations.zone_of(edition.id if edition else None)
    form = RequestForm()
    form.slots.choices = _slot_choices(zone)
    data = lambda: operations.MeetingRequest(  # noqa: E731
        message=form.message.data or "", slots=tuple(form.slots.data or ()),
        interpreter=form.interpreter.data or None)
    outcome = submit(form, lambda: operations.request_meeting(investor, project, data(),
                                                              user=current_user))
    if outcome:
        flash(_("Meeting requested: the project side has been told."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=outcome.result.id))
    if outcome.error is not None and getattr(outcome.error, "status", 400) == 404:
        abort(404)
    return render_template("meetings/request.html", project=project, form=form, zone=zone,
                           edition=edition), 400 if form.errors or form.form_errors else 200


@roles_required(*PARTICIPANTS)
def index():
    status = request.args.get("status", "")
    page = max(request.args.get("page", 1, type=int), 1)
    query = operations.visible_meetings_query(current_user, status=status)
    meetings = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).unique().all()
    return render_template("meetings/index.html", meetings=meetings, statuses=list(MeetingStatus),
                           status=status, page=page, per_page=PER_PAGE)


def _meeting_page(meeting, *, status: int = 200, **forms):
    zone = operations.zone_of(meeting.edition_id)
    sides = operations.sides_of(current_user, investor_id=meeting.investor_id,
                                project=meeting.project)
    propose = forms.get("propose") or ProposeForm(formdata=None)
    propose.slots.choices = _slot_choices(zone)
    return render_template(
        "meetings/meeting.html", meeting=meeting, zone=zone, sides=sides,
        slot_label=lambda s: operations.slot_label(zone, s),
        messages=operations.thread(meeting.lead), action_form=ActionForm(),
        reason_form=forms.get("reason") or ReasonForm(formdata=None), propose_form=propose,
        message_form=forms.get("message") or MessageForm(formdata=None),
        outcome_form=OutcomeForm(formdata=None), Side=Side,
    ), status


@roles_required(*PARTICIPANTS)
def meeting(meeting_id: int):
    return _meeting_page(_visible_meeting(meeting_id))


ACTIONS = {"accept", "decline", "cancel", "propose", "check-in", "no-show", "outcome"}


@roles_required(*PARTICIPANTS)
def act(meeting_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    found = _visible_meeting(meeting_id)
    user = current_user
    if action in ("decline", "cancel"):
        form = ReasonForm()
        run = (lambda: operations.decline_meeting(found, form.reason.data or "", user=user)) \
            if action == "decline" else \
            (lambda: operations.cancel_meeting(found, form.reason.data or "", user=user))
    elif action == "propose":
        form = ProposeForm()
        form.slots.choices = _slot_choices(operations.zone_of(found.edition_id))
        run = lambda: operations.propose_slots(found, form.slots.data or [], form.note.data or "",  # noqa: E731
                                               user=user)
    elif action == "outcome":
        form = OutcomeForm()
        run = lambda: operations.record_outcome(found, form.outcome.data, user=user)  # noqa: E731
    else:
        form = ActionForm()
        run = {"accept": lambda: operations.accept_meeting(found, user=user),
               "check-in": lambda: operations.check_in(found, user=user),
               "no-show": lambda: operations.mark_no_show(found, user=user)}[action]
    if submit(form, run):
        flash(_("Meeting %(status)s.", status=label(found.status)), "success")
        if request.form.get("next") == "agenda":
            return redirect(url_for("meetings.agenda_page") + f"#agenda-{found.id}")
        return redirect(url_for("meetings.meeting", meeting_id=found.id))
    flash_errors(form)
    db.session.expire_all()
    found = _visible_meeting(meeting_id)
    return _meeting_page(found, status=409 if form.form_errors else 400,
                         **({"reason": form} if isinstance(form, ReasonForm) else {}),
                         **({"propose": form} if isinstance(form, ProposeForm) else {}))


@roles_required(*PARTICIPANTS)
def thread(lead_id: int):
    try:
        lead = operations.visible_lead(lead_id, user=current_user)
    except NotFound:
        abort(404)
    return render_template("meetings/thread.html", lead=lead, messages=operations.thread(lead),
                           meetings=operations.meetings_of_lead(lead),
                           message_form=MessageForm(formdata=None))


@roles_required(*PARTICIPANTS)
def post_message(lead_id: int):
    try:
        lead = operations.visible_lead(lead_id, user=current_user)
    except NotFound:
        abort(404)
    form = MessageForm()
    if submit(form, lambda: operations.post_message(lead, form.body.data, user=current_user)):
        flash(_("Message sent."), "success")
    else:
        flash_errors(form)
    back = request.form.get("meeting", type=int)
    if back:
        return redirect(url_for("meetings.meeting", meeting_id=back) + "#thread")
    return redirect(url_for("meetings.thread", lead_id=lead.id) + "#thread")
