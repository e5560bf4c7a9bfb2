"""Investor pages: the company list, list import, review, duplicates, merges, claims and
name resolution. Thin: load (404), validate, call one operation, commit, flash, redirect."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker import audit
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.investors import operations
from matchmaker.investors.forms import DecisionForm, InvestorImportForm, MergeForm, ReviewForm
from matchmaker.investors.models import Investor, InvestorClaim
from matchmaker.investors.resolution import resolve_investor
from matchmaker.views import flash_errors, load, submit

PER_PAGE = 200


@roles_required(Role.STAFF)
def index():
    query = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    investors = operations.list_investors(query, page=page, per_page=PER_PAGE)
    rows = [(investor, investor.profile is not None) for investor in investors]
    return render_template("investors/index.html", rows=rows, q=query, page=page, per_page=PER_PAGE)


@roles_required(Role.STAFF)
def import_list():
    """Check (a dry run, nothing kept) or import the uploaded list; a report with rejected
    rows (unless they are skipped) keeps nothing either."""
    form = InvestorImportForm()
    check_only = request.form.get("action") == "check"

    def run():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            raise DomainError(_("Choose a file to upload."), field="file")
        return operations.import_investors(
            upload.read(), upload.filename, user=current_user,
            merge_duplicates=bool(form.merge_duplicates.data),
            skip_invalid=bool(form.skip_invalid.data), dry_run=check_only,
        )

    outcome = submit(form, run, commit_if=lambda report: report.committed and not check_only)
    report = outcome.result
    if outcome.error is not None:
        status = 422
    elif report is None:
        status = 400 if form.is_submitted() else 200
    elif report.committed and not check_only:
        flash(_("Investor list imported."), "success")
        status = 200
    else:
        status = 422 if report.rejected else 200
    return render_template("investors/import.html", form=form, report=report), status


@roles_required(Role.STAFF)
def review_list():
    investors = db.session.scalars(
        sa.select(Investor).where(Investor.needs_review.is_(True), Investor.merged_into_id.is_(None))
        .order_by(Investor.created_at, Investor.id)
    ).all()
    resolutions = {}
    for investor in investors:
        try:
            resolutions[investor.id] = [c for c in resolve_investor(investor.name).candidates
                                        if c.record.id != investor.id]
        except DomainError:
            resolutions[investor.id] = []
    return render_template("investors/review.html", investors=investors, resolutions=resolutions,
                           form=ReviewForm(formdata=None), merge_form=MergeForm(formdata=None))


@roles_required(Role.STAFF)
def review(investor_id: int):
    investor = load(Investor, investor_id)
    form = ReviewForm()
    outcome = submit(form, lambda: operations.review_investor(
        investor, user=current_user, name=form.name.data or None))
    if outcome:
        flash(_("%(name)s is confirmed as a company.", name=investor.name), "success")
    else:
        flash_errors(form, "error")
    return redirect(url_for("investors.review_list"))


@roles_required(Role.STAFF)
def duplicates():
    found = operations.possible_duplicates()
    return render_template("investors/duplicates.html", pairs=found, form=MergeForm(formdata=None))


@roles_required(Role.STAFF)
def merge():
    form = MergeForm()
    target = request.form.get("next") or url_for("investors.duplicates")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("investors.duplicates")

    def run():
        survivor, other = load(Investor, form.survivor.data), load(Investor, form.other.data)
        operations.merge_investors(survivor, other, user=current_user)
        return survivor, other

    outcome = submit(form, run)
    if outcome:
        survivor, other = outcome.result
        flash(_("%(other)s merged into %(survivor)s; the merge can be undone under Merges.",
                other=other.name, survivor=survivor.name), "success")
    elif outcome.error is not None:
        flash_errors(form, "error")
    else:
        flash(_("Choose the two investors to merge."), "error")
    return redirect(target)


@roles_required(Role.STAFF)
def merges():
    events = db.session.scalars(
        sa.select(audit.AuditEvent)
        .where(audit.AuditEvent.entity == "investor", audit.AuditEvent.action.in_(["merge", "unmerge"]))
        .order_by(audit.AuditEvent.at.desc(), audit.AuditEvent.id.desc()).limit(PER_PAGE)
    ).all()
    undone = {e.after.get("merge_event") for e in events if e.action == "unmerge" and e.after}
    return render_template("investors/merges.html", events=[e for e in events if e.action == "merge"],
                           undone=undone, form=DecisionForm(formdata=None))


@roles_required(Role.STAFF)
def undo(event_id: int):
    event = load(audit.AuditEvent, event_id)
    form = DecisionForm()
    outcome = submit(form, lambda: operations.undo_merge(event, user=current_user))
    if outcome:
        flash(_("Merge undone: %(name)s is its own company again.", name=outcome.result.name),
              "success")
    else:
        flash_errors(form, "error")
    return redirect(url_for("investors.merges"))


@roles_required(Role.STAFF)
def learned():
    """The names organisers taught the resolver at the signing desk, newest first."""
    return render_template("investors/learned.html", rows=operations.learned_names(limit=PER_PAGE),
                           form=DecisionForm(formdata=None))


@roles_required(Role.STAFF)
def forget(event_id: int):
    event = load(audit.AuditEvent, event_id)
    form = DecisionForm()
    outcome = submit(form, lambda: operations.forget_name(event, user=current_user))
    if outcome:
        flash(_("“%(text)s” no longer resolves to %(name)s.", text=event.after.get("text", ""),
                name=outcome.result.name), "success")
    else:
        flash_errors(form, "error")
    return redirect(url_for("investors.learned"))


@roles_required(Role.INVESTOR, Role.STAFF)
def claims():
    pending = operations.pending_claims(current_user)
    if not pending and not operations.is_staff(current_user) and not db.session.scalar(
        sa.select(InvestorClaim.id).where(InvestorClaim.user_id == current_user.id)
    ):
        abort(403)
    mine = db.session.scalars(
        sa.select(InvestorClaim).where(InvestorClaim.user_id == current_user.id)
        .order_by(InvestorClaim.created_at.desc())
    ).all()
    return render_template("investors/claims.html", pending=pending, mine=mine,
                           form=DecisionForm(formdata=None))


@roles_required(Role.INVESTOR, Role.STAFF)
def decide(claim_id: int):
    claim = load(InvestorClaim, claim_id)
    form = DecisionForm()
    if form.is_submitted() and form.decision.data not in ("approve", "reject"):
        return redirect(url_for("investors.claims"))
    approve = form.decision.data == "approve"
    if submit(form, lambda: operations.decide_claim(claim, approve, user=current_user)):
        flash(_("Claim approved.") if approve else _("Claim rejected."), "success")
    else:
        flash_errors(form, "error")
    return redirect(url_for("investors.claims"))


@login_required
def resolve():
    name = (request.args.get("name") or "").strip()
    resolution, message = None, None
    if name:
        try:
            resolution = resolve_investor(name)
        except DomainError as error:
            message = error.translated()
    return render_template("investors/resolve.html", name=name, resolution=resolution,
                           message=message)
