"""Matching pages: an investor's profile and matches, interest, leads, investors to invite.
Thin: load (404), validate, call one operation, commit, flash, redirect."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker import jobs
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.catalogue.models import Project
from matchmaker.editions.operations import current_edition
from matchmaker.editions.rates import effective_rates
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim
from matchmaker.investors.resolution import InvestorUnresolved
from matchmaker.matching import operations
from matchmaker.matching.forms import InterestForm, LeadStatusForm, MeetingsForm, ProfileForm
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.reference.labels import label
from matchmaker.validation import local_path
from matchmaker.views import flash_errors, load, submit

LEADS_PER_PAGE = 100


def _locale() -> str:
    return str(get_locale() or "zh")


def _next(default: str) -> str:
    """Where to go back to: a path on this site only (never another host)."""
    return local_path(request.form.get("next")) or default


def _own_investor() -> Investor | None:
    return db.session.get(Investor, current_user.investor_id) if current_user.investor_id else None


# --- investors: their own profile and matches ------------------------------------------


@roles_required(Role.INVESTOR)
def matches():
    investor = _own_investor()
    profile = investor.profile if investor else None
    if profile is None:
        flash(_("Tell us what you look for to see your matches."), "info")
        return redirect(url_for("matching.profile"))
    try:
        found = operations.match_projects(profile, top=operations.DEFAULT_TOP)
    except DomainError as error:
        flash(error.translated(), "warning")
        return redirect(url_for("matching.profile"))
    interested = operations.projects_of_interest(investor)
    return render_template("matching/matches.html", investor=investor, matches=found,
                           interested=interested, form=InterestForm())


def _ticket_rates() -> dict[str, Decimal]:
    """The rates a ticket in a foreign currency is converted at (shown on the form): the
    current edition's; the US dollar at MATCH_USD_RATE when the edition states none."""
    edition = current_edition()
    rates = {code: rate.yuan_per_unit for code, rate in effective_rates(edition).items()} if edition else {}
    rates.setdefault("USD", Decimal(str(current_app.config["MATCH_USD_RATE"])))
    return dict(sorted(rates.items()))


def _pending_claims() -> list[InvestorClaim]:
    return list(db.session.scalars(sa.select(InvestorClaim).where(
        InvestorClaim.user_id == current_user.id, InvestorClaim.status == ClaimStatus.PENDING)))


@roles_required(Role.INVESTOR)
def profile():
    """What the investor looks for. Naming a known company files a pending claim: until
    staff (or a confirmed member) approve it, the profile and interests stay the user's own."""
    investor = _own_investor()
    form = ProfileForm(locale=_locale(), rates=_ticket_rates())
    if request.method == "GET" and investor is not None and investor.profile is not None:
        form.fill_from(investor.profile)
    if request.method == "GET" and investor is not None:
        form.organisation.data = investor.name
    pick = (form.pick_investor.data or "").strip()
    outcome = submit(form, lambda: operations.save_own_profile(
        current_user, form.profile_input(), organisation=form.organisation.data or "",
        create=bool(form.create_investor.data),
        investor_id=int(pick[1:]) if pick.startswith("#") and pick[1:].isdigit() else None,
    ))
    if outcome:
        _investor, claim = outcome.result
        if claim is not None:
            company = claim.investor
            name = (company.name_en or company.name) if _locale() == "en" else company.name
            flash(_("You asked to speak for %(name)s: staff or a confirmed member will "
                    "approve it. Until then this profile and your interests are yours only.",
                    name=name), "info")
        flash(_("Profile saved. Here are your matches."), "success")
        return redirect(url_for("matching.matches"))
    unresolved = isinstance(outcome.error, InvestorUnresolved)
    candidates = outcome.error.candidates if unresolved else []
    status = 409 if unresolved else (400 if form.errors else 200)
    return render_template("investors/profile.html", form=form, investor=investor,
                           candidates=candidates, unresolved=unresolved, own=True,
                           pending=_pending_claims()), status


@roles_required(Role.INVESTOR)
def register_interest(project_id: int):
    project = load(Project, project_id)
    investor = _own_investor()
    if investor is None:
        flash(_("Tell us your organisation first."), "warning")
        return redirect(url_for("matching.profile"))
    form = InterestForm()
    interest = lambda: operations.register_interest(  # noqa: E731
        investor, project, form.message.data or "", user=current_user)
    if submit(form, interest):
        flash(_("Interest registered: the project team will contact you."), "success")
    else:
        flash_errors(form)
    return redirect(_next(url_for("matching.matches")))


# --- staff --------------------------------------------------------------------------------


@roles_required(Role.STAFF)
def leads():
    project_id = request.args.get("project", type=int)
    region_code = request.args.get("region", "")
    status = request.args.get("status", "")
    page = max(request.args.get("page", 1, type=int), 1)
    found = operations.list_leads(project_id=project_id, region_code=region_code, status=status,
                                  page=page, per_page=LEADS_PER_PAGE, user=current_user)
    return render_template(
        "matching/leads.html", leads=found.leads, prefectures=found.prefectures,
        statuses=list(LeadStatus), project=found.project, region_code=region_code,
        status=status, page=page, per_page=LEADS_PER_PAGE,
        moves={lead.id: operations.allowed_moves(lead.status) for lead in found.leads},
        form=LeadStatusForm(),
    )


@roles_required(Role.STAFF)
def move_lead(lead_id: int):
    lead = load(Lead, lead_id)
    form = LeadStatusForm()
    if submit(form, lambda: operations.move_lead(lead, form.status.data, user=current_user)):
        flash(_("Lead moved to %(status)s.", status=label(lead.status)), "success")
    else:
        flash_errors(form)
    return redirect(_next(url_for("matching.leads")))


@roles_required(Role.STAFF)
def project_investors(project_id: int):
    project = operations.matchable_project(project_id)
    found = operations.match_investors(project, top=request.args.get("top", 50, type=int))
    leads_of = operations.leads_by_investor(project)
    return render_template("matching/project_investors.html", project=project, matches=found,
                           leads=leads_of)


@roles_required(Role.STAFF)
def investor_profile(investor_id: int):
    investor = load(Investor, investor_id)
    form = ProfileForm(locale=_locale(), rates=_ticket_rates())
    del form.organisation, form.create_investor, form.pick_investor
    if request.method == "GET" and investor.profile is not None:
        form.fill_from(investor.profile)
    if submit(form, lambda: operations.save_profile(investor, form.profile_input(),
                                                     user=current_user)):
        flash(_("Profile of %(name)s saved.", name=investor.name), "success")
        return redirect(url_for("investors.index"))
    return render_template("investors/profile.html", form=form, investor=investor,
                           candidates=[], own=False, pending=[])


@roles_required(Role.STAFF)
def meetings():
    """Start the event-wide matching: a job (on a worker when Redis is configured), whose
    page shows the progress and offers the .xlsx when done."""

    form = MeetingsForm()
    outcome = submit(form, lambda: jobs.start_job(
        "event_meetings", {"top": form.top.data, "cap": form.cap.data,
                           "min_score": form.min_score.data}, user=current_user))
    if outcome:
        return redirect(url_for("jobs.job_page", job_id=outcome.result.id))
    status = 400 if form.errors else 200
    return render_template("matching/meetings.html", form=form), status
