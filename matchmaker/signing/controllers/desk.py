"""The ceremony desk (organisers): a session's page, recording an agreement (with the
amount read back before saving), one agreement (amend with a reason, void, history) and
the recording form's type-ahead."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.i18n import translate
from matchmaker.investors.resolution import InvestorUnresolved, resolve_investor
from matchmaker.money import format_original, format_yi, yuan_str
from matchmaker.reference.models import Region, Sector
from matchmaker.signing import operations
from matchmaker.signing.forms import AgreementForm, AmendForm, ReasonForm, local_zone
from matchmaker.signing.models import Agreement, SigningSession
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
    status: int = 200,
):
    agreements = operations.session_agreements(session, limit=AGREEMENTS_PER_PAGE)
    totals = signed_totals(
        count_intent=bool(current_app.config["SIGNING_COUNT_INTENT"]), edition=session.edition
    )
    summary = session_summaries(totals, [session])[0]
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
        summary=summary,
        state_form=ReasonForm(),
        history=operations.session_history(session),
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


# --- small JSON helpers for the recording page's type-ahead --------------------------------


@roles_required(Role.ORGANIZER)
def lookup_investors():
    """Type-ahead: the candidates (best first, with why); `match` only when the typed text
    resolves to it with confidence - the page accepts a suggestion on Tab/Enter only then."""

    query = (request.args.get("q") or "").strip()
    if not query:
        return jsonify({"items": [], "match": None})
    try:
        resolution = resolve_investor(query)
    except DomainError as error:
        return jsonify({"items": [], "match": None, "message": error.translated()})
    match = resolution.match
    items = [
        {
            "id": c.record.id,
            "name": c.record.name,
            "name_en": c.record.name_en,
            "score": c.score,
            "why": translate(c.why),
            "confident": match is not None and c.record.id == match.id,
            "value": f"#{c.record.id} {c.record.name}",
        }
        for c in resolution.candidates
    ]
    return jsonify({
        "items": items,
        "match": {"id": match.id, "name": match.name} if match else None,
        "message": None if match else translate(resolution.message),
    })


@roles_required(Role.ORGANIZER)
def lookup_projects():
    query = (request.args.get("q") or "").strip()
    if not query:
        return jsonify({"items": []})
    projects = operations.find_projects(query, limit=12)
    return jsonify(
        {
            "items": [
                {
                    "id": p.id,
                    "code": p.code,
                    "name": p.name,
                    "value": f"#{p.id} {p.name}",
                    "region": p.region.name if p.region else "",
                    "sought_yuan": yuan_str(p.investment_sought_yuan),
                }
                for p in projects
            ]
        }
    )


@roles_required(Role.ORGANIZER)
def preview_amount():
    """The amount as it will be saved: {"ok", "yuan", "yi", "unit", "message"}, and for a
    foreign amount {"currency", "original", "rate", "rate_source"} at ?session=ID's rate."""
    text = request.args.get("amount", "")
    session_id = request.args.get("session", type=int)
    agreement_id = request.args.get("agreement", type=int)
    rates = {}
    if agreement_id:  # a correction keeps the rate the agreement was signed at
        agreement = load(Agreement, agreement_id)
        rates = operations.session_rates(agreement.session, agreement)
    elif session_id:
        rates = operations.session_rates(load(SigningSession, session_id))
    try:
        parsed = operations.parse_signed_amount(
            text, confirm_large=request.args.get("confirm_large") == "1", rates=rates
        )
    except operations.AmountNeedsConfirmation as error:
        return jsonify(
            {
                "ok": False,
                "needs_confirmation": True,
                "message": error.translated(),
                "yuan": yuan_str(error.parsed.yuan),
                "yi": format_yi(error.parsed.yuan),
            }
        )
    except DomainError as error:
        return jsonify({"ok": False, "message": error.translated()})
    answer = {
        "ok": True,
        "yuan": yuan_str(parsed.yuan),
        "yi": format_yi(parsed.yuan),
        "unit": parsed.unit,
        "unit_source": parsed.unit_source,
    }
    if parsed.currency != "CNY":
        rate = rates[parsed.currency]
        answer.update({
            "currency": parsed.currency,
            "original": format_original(parsed.amount_original, parsed.currency),
            "rate": f"{rate.yuan_per_unit:f}",
            "rate_source": rate_source_text(rate),
        })
    return jsonify(answer)


def rate_source_text(rate) -> str:
    """Where a rate comes from, for the preview: 'this session’s rate', ..."""
    return {
        "session": _("this session’s rate"),
        "edition": _("the edition’s rate"),
        "agreement": _("the rate it was signed at"),
    }.get(rate.source, rate.source)
