"""Meetings' API routes: the token's user's meetings, a request from an investor, the
answers (accept, decline, propose, cancel, check-in, no-show, outcome), a lead's thread."""

from __future__ import annotations

from flask import abort, jsonify

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.api.errors import ErrorOut
from matchmaker.catalogue.models import Project
from matchmaker.editions.selection import selected_edition
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.investors.models import Investor
from matchmaker.meetings import funnel, operations
from matchmaker.meetings.schemas import (
    FunnelOut,
    FunnelQuery,
    MeetingActionIn,
    MeetingList,
    MeetingOut,
    MeetingQuery,
    MeetingRequestIn,
    MessageIn,
    MessageList,
    MessageOut,
)
from matchmaker.views import load

PARTICIPANTS = (Role.INVESTOR, Role.STAFF, Role.ORGANIZER)
_ANSWERS = {409: (ErrorOut, "not possible in the meeting's state, or the other side answers"),
            403: (ErrorOut, "this side may not do it")}


@bp.get("/meetings")
@endpoint(query=MeetingQuery, roles=PARTICIPANTS, resp={200: MeetingList}, tags=["meetings"])
def meetings_list(query: MeetingQuery):
    """The meetings the token's user is on a side of (at most 200, newest first)"""
    statement = operations.visible_meetings_query(current_api_user(), status=query.status)
    found = db.session.scalars(statement.limit(200)).unique().all()
    return MeetingList(items=[MeetingOut.of(m, events=False) for m in found])


@bp.get("/meetings/funnel")
@endpoint(query=FunnelQuery, roles=(Role.STAFF, Role.ORGANIZER), resp={200: FunnelOut},
          tags=["meetings"])
def meetings_funnel(query: FunnelQuery):
    """The lead funnel of an edition (?edition=YEAR, else the current one): interest,
    meeting requested, held, negotiating, signed; per prefecture and per project"""
    edition = selected_edition()
    if edition is None:
        raise NotFound(N_("There is no forum edition yet."))
    return jsonify(funnel.as_json(funnel.funnel(edition, user=current_api_user())))


@bp.get("/meetings/<int:id>")
@endpoint(roles=PARTICIPANTS, resp={200: MeetingOut}, tags=["meetings"])
def meetings_get(id: int):
    """One meeting with its history (404 when the user is on neither side)"""
    return MeetingOut.of(operations.visible_meeting(id, user=current_api_user()))


@bp.post("/projects/<int:id>/meetings")
@endpoint(json=MeetingRequestIn, roles=(Role.INVESTOR,), finds={"id": Project},
          resp={201: MeetingOut, 409: (ErrorOut, "a meeting about this project is under way")},
          tags=["meetings"])
def meetings_request(id: int, json: MeetingRequestIn):
    """Request a meeting with a project's side (investor accounts speaking for a company)"""
    user = current_api_user()
    project = load(Project, id)
    investor = db.session.get(Investor, user.investor_id) if user.investor_id else None
    if investor is None:
        raise Forbidden(N_("Tell us your organisation first."))
    try:
        meeting = operations.request_meeting(investor, project, json.request(), user=user)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return MeetingOut.of(meeting), 201


ACTIONS = ("accept", "decline", "propose", "cancel", "check-in", "no-show", "outcome")


@bp.post("/meetings/<int:id>/<action>")
@endpoint(json=MeetingActionIn, roles=PARTICIPANTS, resp={200: MeetingOut, **_ANSWERS},
          tags=["meetings"])
def meetings_act(id: int, action: str, json: MeetingActionIn):
    """Answer or move a meeting: accept, decline, propose, cancel, check-in, no-show, outcome"""
    if action not in ACTIONS:
        abort(404)
    user = current_api_user()
    meeting = operations.visible_meeting(id, user=user)
    run = {
        "accept": lambda: operations.accept_meeting(meeting, user=user),
        "decline": lambda: operations.decline_meeting(meeting, json.reason, user=user),
        "propose": lambda: operations.propose_slots(meeting, json.slots, json.reason, user=user),
        "cancel": lambda: operations.cancel_meeting(meeting, json.reason, user=user),
        "check-in": lambda: operations.check_in(meeting, user=user),
        "no-show": lambda: operations.mark_no_show(meeting, user=user),
        "outcome": lambda: operations.record_outcome(meeting, json.outcome or "", user=user),
    }[action]
    try:
        run()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return MeetingOut.of(meeting)


@bp.get("/leads/<int:id>/messages")
@endpoint(roles=PARTICIPANTS, resp={200: MessageList}, tags=["meetings"])
def messages_list(id: int):
    """A lead's thread, oldest first"""
    lead = operations.visible_lead(id, user=current_api_user())
    return MessageList(items=[MessageOut.of(m) for m in operations.thread(lead)])


@bp.post("/leads/<int:id>/messages")
@endpoint(json=MessageIn, roles=PARTICIPANTS, resp={201: MessageOut}, tags=["meetings"])
def messages_post(id: int, json: MessageIn):
    """Write in a lead's thread (plain text, 2,000 characters at most)"""
    user = current_api_user()
    lead = operations.visible_lead(id, user=user)
    try:
        message = operations.post_message(lead, json.body, user=user)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return MessageOut.of(message), 201
