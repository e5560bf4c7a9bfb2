"""The ceremony desk (organisers): a session's page, recording an agreement (with the
amount read back before saving), one agreement (amend with a reason, void, history) and
the recording form's type-ahead."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from matchmaker import signals
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.extensions import db
from matchmaker.investors.resolution import InvestorUnresolved
from matchmaker.money import format_original, format_yi
from matchmaker.reference.models import Region, Sector
from matchmaker.signing import operations
from matchmaker.signing.forms import AgreementForm, AmendForm, ReasonForm, local_zone
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.schemas import rate_source_text
from matchmaker.signing.totals import session_summaries, signed_totals
from matchmaker.views import load, submit

AGREEMENTS_PER_PAGE = 200


def _fill_choices(form: AgreementForm) -> None:
    english = str(get_locale() or "zh") == "en"
    sectors = db.session.scalars(sa.select(Sector).order_by(Sector.position)).all()
    regions = db.session.scalars(sa.select(Region).order_by(Region.position)).all()

    def label(item) -> str:
        name = (item.name_en or item.name) if english else item.name
        return name if item.parent_id is None else f"— {name}"

    form.sector.choices = [SelectChoice("", "—")] + [SelectChoice(s.code, label(s)) for s in sectors]
    form.region.choices = [SelectChoice("", "—")] + [SelectChoice(r.code, label(r)) for r in regions]


# --- a session's page and recording --------------------------------------------------------


def _session_page(
    session: SigningSession,
    form: AgreementForm,
    *,
    preview=None,
    candidates=None,
    need_large=False,
    same_candidates=None,
    status: int = 200,
):
    agreements = operations.session_agreements(session, limit=AGREEMENTS_PER_PAGE)
    totals = signed_totals(
        count_intent=bool(current_app.config["SIGNING_COUNT_INTENT"]), edition=session.edition
    )
    summary = session_summaries(totals, [session])[0]
    # What other features expect to be signed (the negotiation zone's "agreement expected").
    suggestions = signals.collect(
        signals.agreement_suggestions, edition_id=session.edition_id,
        investor_id=getattr(getattr(preview, "investor", None), "id", None),
        project_id=getattr(getattr(preview, "project", None), "id", None))
    return render_template(
        "signing/session.html",
        rates=operations.session_rates(session).values(),
        rate_source_text=rate_source_text,
        session=session,
        form=form,
        agreements=agreements,
        preview=preview,
        candidates=candidates,
        need_large=need_large,
        same_candidates=same_candidates,
        summary=summary,
        state_form=ReasonForm(),
        history=operations.session_history(session),
        suggestions=suggestions,
    ), status


def _new_form() -> AgreementForm:
    form = AgreementForm(formdata=None)
    form.idempotency_key.data = uuid.uuid4().hex
    _fill_choices(form)
    return form


@roles_required(Role.ORGANIZER)
def session(session_id: int):
    session = load(SigningSession, session_id)
    return _session_page(session, _new_form())


def _flash_learned(agreement: Agreement) -> None:
    """Say so when saving taught the investor the typed name (resolution.learn_name)."""
    learned = getattr(agreement, "learned_name", None)
    if learned:
        flash(_("From now on “%(text)s” is read as %(investor)s (staff can undo this under "
                "Investors → Learned names).", text=learned, investor=agreement.investor.name),
              "info")


@roles_required(Role.ORGANIZER)
def record(session_id: int):
    """Submit -> (first time, unless the JS preview showed the unit) a confirmation step
    with the amount read back -> save. The hidden idempotency key makes a double submit
    (two clicks, a retry after a timeout) return the first agreement."""
    session = load(SigningSession, session_id)
    form = AgreementForm()
    _fill_choices(form)
    key = (form.idempotency_key.data or "").strip() or uuid.uuid4().hex
    form.idempotency_key.data = key
    # The organiser has seen this amount read back with its unit (the preview step, or the
    # page's script) when the form sends back the amount text it showed.
    seen = (form.shown_amount.data or "").strip() == (form.amount.data or "").strip()
    outcome = submit(form, lambda: operations.record_or_preview(
        session, form.agreement_input(key), amount_seen=seen, user=current_user))
    if isinstance(outcome.result, operations.AgreementPreview):
        preview = outcome.result
        form.shown_amount.data = form.amount.data
        # A confirmed large amount keeps its confirmation box on the preview step, ticked,
        # so that saving from the preview does not ask again (and loop).
        return _session_page(
            session, form, preview=preview,
            need_large=preview.amount_yuan > operations.ABSURD_YUAN,
            status=409 if preview.needs_choice else 200,
        )
    if outcome:
        agreement = outcome.result
        if agreement.replayed:
            flash(_("This agreement was already recorded (the same submission arrived twice)."),
                  "info")
        else:
            amount = format_yi(agreement.amount_yuan)
            if agreement.foreign:
                amount = f"{amount}亿元 ({format_original(agreement.amount_original, agreement.currency)})"
                flash(_("Recorded: %(investor)s, %(amount)s.", investor=agreement.investor.name,
                        amount=amount), "success")
            else:
                flash(_("Recorded: %(investor)s, %(amount)s亿元.", investor=agreement.investor.name,
                        amount=amount), "success")
        _flash_learned(agreement)
        return redirect(url_for("signing.session", session_id=session.id) + "#record")
    error = outcome.error
    if isinstance(error, InvestorUnresolved):
        # Nothing is saved under a company the organiser did not choose: show everything
        # that would be saved, with the candidates and the new-investor choice side by side.
        form.shown_amount.data = form.amount.data
        if getattr(error, "preview", None) is None:
            return _session_page(session, form, candidates=error.candidates, status=409)
        return _session_page(session, form, preview=error.preview, status=409)
    if isinstance(error, operations.AmountNeedsConfirmation):
        return _session_page(session, form, need_large=True, status=422)
    if isinstance(error, operations.SameAgreementFound):
        form.shown_amount.data = form.amount.data  # the amount was read back already
        return _session_page(session, form, same_candidates=error.candidates, status=409)
    return _session_page(session, form, status=error.status if error else 400)


# --- one agreement: amend, void, history ---------------------------------------------------


def _amend_form(agreement: Agreement, formdata=None) -> AmendForm:
    form = AmendForm(formdata=formdata) if formdata is not None else AmendForm(formdata=None)
    _fill_choices(form)
    if formdata is None:
        form.investor.data = f"#{agreement.investor.id} {agreement.investor.name}"
        if agreement.project is not None:
            form.project.data = f"#{agreement.project.id} {agreement.project.name}"
        else:
            form.project.data = agreement.project_name
            form.off_catalogue.data = True
            form.sector.data = agreement.sector.code if agreement.sector else ""
            form.region.data = agreement.region.code if agreement.region else ""
        # A foreign agreement is corrected in its currency (at the rate it was signed at).
        form.amount.data = (f"{agreement.currency} {agreement.amount_original:f}" if agreement.foreign
                            else f"{agreement.amount_yuan:f}元")
        form.shown_amount.data = form.amount.data
        form.kind.data = agreement.kind.value
        form.signed_at.data = agreement.signed_at.astimezone(local_zone()).replace(tzinfo=None)
    return form


def _agreement_page(
    agreement: Agreement,
    form: AmendForm,
    void_form: ReasonForm,
    *,
    candidates=None,
    need_large=False,
    status: int = 200,
):
    return render_template(
        "signing/agreement.html",
        agreement=agreement,
        form=form,
        void_form=void_form,
        history=operations.agreement_history(agreement),
        candidates=candidates,
        need_large=need_large,
        rate_source_text=rate_source_text,
        original=operations.original_of(agreement),
    ), status


@roles_required(Role.ORGANIZER)
def agreement(agreement_id: int):
    agreement = load(Agreement, agreement_id)
    return _agreement_page(agreement, _amend_form(agreement), ReasonForm(formdata=None))


@roles_required(Role.ORGANIZER)
def amend(agreement_id: int):
    agreement = load(Agreement, agreement_id)
    form = _amend_form(agreement, request.form)
    outcome = submit(form, lambda: operations.amend_agreement(
        agreement, form.agreement_input(None), form.reason.data, user=current_user))
    if outcome:
        flash(_("Agreement corrected; the previous values are kept in its history."), "success")
        _flash_learned(agreement)
        return redirect(url_for("signing.agreement", agreement_id=agreement.id))
    error = outcome.error
    void_form = ReasonForm(formdata=None)
    if isinstance(error, InvestorUnresolved):
        return _agreement_page(agreement, form, void_form, candidates=error.candidates,
                               status=409)
    if isinstance(error, operations.AmountNeedsConfirmation):
        return _agreement_page(agreement, form, void_form, need_large=True, status=422)
    return _agreement_page(agreement, form, void_form, status=error.status if error else 400)


@roles_required(Role.ORGANIZER)
def void(agreement_id: int):
    agreement = load(Agreement, agreement_id)
    form = ReasonForm()
    outcome = submit(form, lambda: operations.void_agreement(agreement, form.reason.data,
                                                             user=current_user))
    if outcome:
        flash(_("Agreement voided; it stays in the list, struck out, and leaves the totals."),
              "success")
        return redirect(url_for("signing.agreement", agreement_id=agreement.id))
    status = outcome.error.status if outcome.error else 400
    return _agreement_page(agreement, _amend_form(agreement), form, status=status)


@roles_required(Role.ORGANIZER)
def unlink(agreement_id: int):
    """It was a new agreement after all: counted again (with the reason)."""
    agreement = load(Agreement, agreement_id)
    form = ReasonForm()
    outcome = submit(form, lambda: operations.unlink_agreement(agreement, form.reason.data,
                                                               user=current_user))
    if outcome:
        flash(_("The link is removed: the agreement is counted again."), "success")
        return redirect(url_for("signing.agreement", agreement_id=agreement.id))
    status = outcome.error.status if outcome.error else 400
    return _agreement_page(agreement, _amend_form(agreement), form, status=status)


# --- the recording page's type-ahead: documented API routes (signing/api.py) ---------------


def lookup_moved(kind: str):
    """The type-ahead's first URLs (/signing/lookup/*) answer from the API now (308: the
    same request, query string kept)."""
    query = request.query_string.decode()
    target = url_for(f"api.signing_lookup_{kind}")
    return redirect(f"{target}?{query}" if query else target, code=308)
