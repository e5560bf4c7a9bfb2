"""Follow-through pages (staff and organisers): the agreements to follow in an edition, and
one agreement's stages, funds, state and history. Thin: load, check the scope, validate,
call one operation, commit (views.submit), redirect."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.selection import selected_edition
from matchmaker.followup import operations
from matchmaker.followup.charts import quarter_chart
from matchmaker.followup.exports import rates_workbook
from matchmaker.followup.forms import FundsForm, StageForm, StateForm
from matchmaker.followup.funnel import edition_funnel
from matchmaker.followup.history import history
from matchmaker.followup.rates import DIMENSIONS, edition_rates
from matchmaker.signing.charts import bar_chart
from matchmaker.signing.models import Agreement
from matchmaker.views import load, submit

FOLLOWERS = (Role.STAFF, Role.ORGANIZER)


@roles_required(*FOLLOWERS)
def index():
    edition = selected_edition()
    rows = operations.agreements_to_follow(current_user, edition)
    return render_template("followup/index.html", edition=edition, rows=rows,
                           scoped=current_user.is_scoped)


def _visible(agreement_id: int) -> Agreement:
    agreement = load(Agreement, agreement_id)
    if not operations.may_follow(current_user, agreement):
        abort(403)
    return agreement


def _page(agreement: Agreement, *, stage_form=None, funds_form=None, state_form=None,
          status: int = 200):
    return render_template(
        "followup/agreement.html",
        agreement=agreement,
        followup=operations.followup_of(agreement),
        payments=operations.payments_of(agreement),
        history=history(agreement),
        region=operations.agreement_region(agreement),
        stage_form=stage_form or StageForm(formdata=None),
        funds_form=funds_form or FundsForm(formdata=None),
        state_form=state_form or StateForm(formdata=None),
    ), status


@roles_required(*FOLLOWERS)
def agreement(agreement_id: int):
    return _page(_visible(agreement_id))


def _status(outcome) -> int:
    return outcome.error.status if outcome.error is not None else 400


@roles_required(*FOLLOWERS)
def record_stage(agreement_id: int):
    agreement = _visible(agreement_id)
    form = StageForm()
    outcome = submit(form, lambda: operations.record_stage(agreement, operations.StageInput(
        stage=form.stage.data, occurred_on=form.occurred_on.data, note=form.note.data or "",
        reason=form.reason.data or ""), user=current_user))
    if not outcome:
        return _page(agreement, stage_form=form, status=_status(outcome))
    flash(_("Stage recorded."), "success")
    return redirect(url_for("followup.agreement", agreement_id=agreement.id))


@roles_required(*FOLLOWERS)
def record_funds(agreement_id: int):
    agreement = _visible(agreement_id)
    form = FundsForm()
    outcome = submit(form, lambda: operations.record_funds(agreement, operations.FundsInput(
        amount=form.amount.data, paid_on=form.paid_on.data, note=form.note.data or "",
        over_reason=form.over_reason.data or ""), user=current_user))
    if not outcome:
        return _page(agreement, funds_form=form, status=_status(outcome))
    flash(_("Funds in place recorded."), "success")
    return redirect(url_for("followup.agreement", agreement_id=agreement.id))


@roles_required(*FOLLOWERS)
def change_state(agreement_id: int):
    agreement = _visible(agreement_id)
    form = StateForm()
    outcome = submit(form, lambda: operations.change_state(agreement, operations.StateInput(
        state=form.state.data, reason=form.reason.data or "",
        occurred_on=form.occurred_on.data), user=current_user))
    if not outcome:
        return _page(agreement, state_form=form, status=_status(outcome))
    flash(_("State changed."), "success")
    return redirect(url_for("followup.agreement", agreement_id=agreement.id))


def _rates_for_user(edition):
    return edition_rates(edition, extra_where=operations.scope_condition(current_user))


@roles_required(*FOLLOWERS)
def rates():
    edition = selected_edition()
    by = request.args.get("by", "prefecture")
    if by not in DIMENSIONS:
        by = "prefecture"
    figures = _rates_for_user(edition) if edition is not None else None
    chart = None
    if figures is not None and figures.quarters:
        chart = quarter_chart(
            [p.label for p in figures.quarters],
            [(_("Construction started"), [p.started_rate for p in figures.quarters]),
             (_("In production"), [p.in_production_rate for p in figures.quarters]),
             (_("Funds in place"), [p.funds_rate for p in figures.quarters])],
            title=_("Rates by quarter since the signing"),
        )
    return render_template("followup/rates.html", edition=edition, rates=figures, by=by,
                           dimensions=DIMENSIONS, chart=chart, scoped=current_user.is_scoped)


@roles_required(*FOLLOWERS)
def export_rates():
    edition = selected_edition()
    if edition is None:
        abort(404)
    data = rates_workbook(_rates_for_user(edition))
    return send_file(BytesIO(data), as_attachment=True,
                     download_name=f"followup-rates-{edition.year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@roles_required(*FOLLOWERS)
def todo():
    """The prefecture's to-do list: agreements with no progress for N days (?days=)."""
    edition = selected_edition()
    days = request.args.get("days", type=int) or operations.reminder_days()
    days = min(max(days, 1), 3650)
    rows = operations.agreements_to_follow(current_user, edition, stale_days=days)
    return render_template("followup/todo.html", edition=edition, rows=rows, days=days,
                           scoped=current_user.is_scoped)


FUNNEL_LABELS = {
    "catalogue": _l("In the catalogue"), "interest": _l("With interest"),
    "meetings": _l("With meetings"), "signed": _l("Signed"),
    "started": _l("Construction started"), "in_production": _l("In production"),
}


@roles_required(*FOLLOWERS)
def funnel():
    edition = selected_edition()
    steps = edition_funnel(edition) if edition is not None else None
    chart = None
    if steps is not None:
        chart = bar_chart(
            [(str(FUNNEL_LABELS[s.key]), Decimal(s.projects or 0),
              _("%(n)d projects", n=s.projects) if s.projects is not None
              else _("not available")) for s in steps.steps],
            title=_("Catalogue to landing"),
        )
    return render_template("followup/funnel.html", edition=edition, funnel=steps,
                           labels=FUNNEL_LABELS, chart=chart)
