"""Signing pages: sessions, fast recording, corrections, the totals dashboard, the venue
screen and exports. Thin: load, validate, call one operation, commit, redirect."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from matchmaker.accounts.forms import EmptyForm
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.operations import ALL, list_editions
from matchmaker.editions.selection import selected_edition
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.i18n import translate
from matchmaker.investors.models import Investor
from matchmaker.investors.resolution import InvestorUnresolved, resolve_investor
from matchmaker.money import format_yi, yuan_str
from matchmaker.reference.models import Region, Sector
from matchmaker.signing import charts, exports, operations
from matchmaker.signing.forms import (
    AgreementForm,
    AmendForm,
    ReasonForm,
    SessionForm,
    aware,
    local_zone,
)
from matchmaker.signing.models import Agreement, SessionState, SigningSession
from matchmaker.signing.totals import Totals, session_summaries, signed_totals
from matchmaker.validation import record_id

AGREEMENTS_PER_PAGE = 200


def _count_intent() -> bool:
    """The dashboard's choice (visible on the page), else the configured default."""
    choice = request.args.get("intent")
    if choice in ("1", "0"):
        return choice == "1"
    return bool(current_app.config["SIGNING_COUNT_INTENT"])


def _edition():
    """The edition the page shows: ?edition=YEAR, else the current edition."""
    return selected_edition()


# --- sessions ------------------------------------------------------------------------------


def _session_input(form: SessionForm) -> operations.SessionInput:
    return operations.SessionInput(
        edition=form.edition.data,
        name=form.name.data,
        name_en=form.name_en.data or "",
        kind=form.kind.data,
        held_on=form.held_on.data,
        venue=form.venue.data or "",
        target=form.target.data or "",
    )


@roles_required(Role.ORGANIZER)
def index():
    edition = _edition()
    form = SessionForm()
    if request.method == "GET" and edition is not None:
        form.edition.data = edition.year
    if form.validate_on_submit():
        try:
            session = operations.create_session(_session_input(form), user=current_user)
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_("Session created. Open it when the signing starts."), "success")
            return redirect(url_for("signing.session", session_id=session.id))
    query = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if edition is not None:
        query = query.where(SigningSession.edition_id == edition.id)
    sessions = db.session.scalars(query).all()
    totals = signed_totals(
        count_intent=bool(current_app.config["SIGNING_COUNT_INTENT"]), edition=edition
    )
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "signing/index.html",
        form=form,
        rows=session_summaries(totals, list(sessions)),
        reopen_form=ReasonForm(),
        totals=totals,
        edition=edition,
    ), status


@roles_required(Role.ORGANIZER)
def edit_session(session_id: int):
    session = db.get_or_404(SigningSession, session_id)
    form = SessionForm(obj=session)
    if request.method == "GET":
        form.edition.data = session.edition.year
        form.kind.data = session.kind.value
        form.target.data = f"{format_yi(session.target_yuan).replace(',', '')}"
    if form.validate_on_submit():
        try:
            operations.update_session(session, _session_input(form), user=current_user)
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("signing.session", session_id=session.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("signing/edit_session.html", form=form, session=session), status


def _state_change(session_id: int, action: str):
    session = db.get_or_404(SigningSession, session_id)
    form = ReasonForm() if action == "reopen" else EmptyForm()
    if not form.validate_on_submit():
        if action == "reopen" and form.is_submitted() and "csrf_token" not in form.errors:
            flash(_("Give the reason for reopening the session."), "error")
        else:
            flash(
                _(
                    "The form expired or was not sent from this site. Reload the page and try again."
                ),
                "error",
            )
        return redirect(url_for("signing.session", session_id=session.id))
    try:
        if action == "open":
            operations.open_session(session, user=current_user)
            message = _("Session open: agreements can be recorded.")
        elif action == "close":
            operations.close_session(session, user=current_user)
            message = _("Session closed: its agreements are frozen.")
        else:
            operations.reopen_session(session, form.reason.data or "", user=current_user)
            message = _("Session reopened.")
    except DomainError as error:
        db.session.rollback()
        flash(error.translated(), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("signing.session", session_id=session.id))


@roles_required(Role.ORGANIZER)
def open_session(session_id: int):
    return _state_change(session_id, "open")


@roles_required(Role.ORGANIZER)
def close_session(session_id: int):
    return _state_change(session_id, "close")


@roles_required(Role.ORGANIZER)
def reopen_session(session_id: int):
    return _state_change(session_id, "reopen")


# --- recording -----------------------------------------------------------------------------


def _fill_choices(form: AgreementForm) -> None:
    english = str(get_locale() or "zh") == "en"
    sectors = db.session.scalars(sa.select(Sector).order_by(Sector.position)).all()
    regions = db.session.scalars(sa.select(Region).order_by(Region.position)).all()

    def label(item) -> str:
        name = (item.name_en or item.name) if english else item.name
        return name if item.parent_id is None else f"— {name}"

    form.sector.choices = [SelectChoice("", "—")] + [SelectChoice(s.code, label(s)) for s in sectors]
    form.region.choices = [SelectChoice("", "—")] + [SelectChoice(r.code, label(r)) for r in regions]


_ID_PREFIX = re.compile(r"^#(\d+)(?:\s|$)")


def _investor_value(form: AgreementForm) -> Investor | int | str:
    pick = (form.pick_investor.data or "").strip()
    if pick.startswith("#") and pick[1:].isdigit():
        return int(pick[1:])
    text = (form.investor.data or "").strip()
    match = _ID_PREFIX.match(text)
    return int(match.group(1)) if match else text


def _agreement_input(form: AgreementForm, key: str | None) -> operations.AgreementInput:
    project_id, project_name = None, ""
    if form.off_catalogue.data:
        project_name = (form.project.data or "").strip()
        if not project_name:
            raise DomainError(_("Name the off-catalogue project."), field="project")
    else:
        project_id = operations.find_project(form.project.data or "").id
    return operations.AgreementInput(
        investor=_investor_value(form),
        amount=form.amount.data,
        kind=form.kind.data,
        project_id=project_id,
        project_name=project_name,
        sector_code=form.sector.data or None,
        region_code=form.region.data or None,
        signed_at=aware(form.signed_at.data),
        idempotency_key=key,
        create_investor=bool(form.create_investor.data),
        investor_kind=form.investor_kind.data,
        confirm_large=bool(form.confirm_large.data),
    )


def _session_page(
    session: SigningSession,
    form: AgreementForm,
    *,
    preview=None,
    candidates=None,
    need_large=False,
    status: int = 200,
):
    agreements = db.session.scalars(
        sa.select(Agreement)
        .where(Agreement.session_id == session.id)
        .order_by(Agreement.signed_at.desc(), Agreement.id.desc())
        .limit(AGREEMENTS_PER_PAGE)
    ).all()
    totals = signed_totals(
        count_intent=bool(current_app.config["SIGNING_COUNT_INTENT"]), edition=session.edition
    )
    summary = session_summaries(totals, [session])[0]
    return render_template(
        "signing/session.html",
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
    session = db.get_or_404(SigningSession, session_id)
    return _session_page(session, _new_form())


@roles_required(Role.ORGANIZER)
def record(session_id: int):
    """Submit -> (first time, unless the JS preview showed the unit) a confirmation step
    with the amount read back -> save. The hidden idempotency key makes a double submit
    (two clicks, a retry after a timeout) return the first agreement."""
    session = db.get_or_404(SigningSession, session_id)
    form = AgreementForm()
    _fill_choices(form)
    if not form.validate_on_submit():
        return _session_page(session, form, status=400)
    key = (form.idempotency_key.data or "").strip() or uuid.uuid4().hex
    form.idempotency_key.data = key
    try:
        data = _agreement_input(form, key)
        if (form.shown_amount.data or "").strip() != (form.amount.data or "").strip():
            preview = operations.preview_agreement(data)
            form.shown_amount.data = form.amount.data
            # A confirmed large amount keeps its confirmation box on the preview step,
            # ticked, so that saving from the preview does not ask again (and loop).
            return _session_page(
                session, form, preview=preview,
                need_large=preview.amount_yuan > operations.ABSURD_YUAN,
                status=409 if preview.needs_choice else 200,
            )
        agreement = operations.record_agreement(session, data, user=current_user)
    except InvestorUnresolved as error:
        # Nothing is saved under a company the organiser did not choose: show everything
        # that would be saved, with the candidates and the new-investor choice side by side.
        db.session.rollback()
        form.attach_error(error)
        form.shown_amount.data = form.amount.data
        try:
            preview = operations.preview_agreement(data)
        except DomainError:
            return _session_page(session, form, candidates=error.candidates, status=409)
        return _session_page(session, form, preview=preview, status=409)
    except operations.AmountNeedsConfirmation as error:
        db.session.rollback()
        form.attach_error(error)
        return _session_page(session, form, need_large=True, status=422)
    except DomainError as error:
        db.session.rollback()
        form.attach_error(error)
        return _session_page(session, form, status=error.status)
    db.session.commit()
    if getattr(agreement, "replayed", False):
        flash(_("This agreement was already recorded (the same submission arrived twice)."), "info")
    else:
        flash(
            _(
                "Recorded: %(investor)s, %(amount)s亿元.",
                investor=agreement.investor.name,
                amount=format_yi(agreement.amount_yuan),
            ),
            "success",
        )
    return redirect(url_for("signing.session", session_id=session.id) + "#record")


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
        form.amount.data = f"{agreement.amount_yuan:f}元"
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
    ), status


@roles_required(Role.ORGANIZER)
def agreement(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    return _agreement_page(agreement, _amend_form(agreement), ReasonForm(formdata=None))


@roles_required(Role.ORGANIZER)
def amend(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    form = _amend_form(agreement, request.form)
    if not form.validate_on_submit():
        return _agreement_page(agreement, form, ReasonForm(formdata=None), status=400)
    try:
        data = _agreement_input(form, None)
        operations.amend_agreement(agreement, data, form.reason.data, user=current_user)
    except InvestorUnresolved as error:
        db.session.rollback()
        form.attach_error(error)
        return _agreement_page(
            agreement, form, ReasonForm(formdata=None), candidates=error.candidates, status=409
        )
    except operations.AmountNeedsConfirmation as error:
        db.session.rollback()
        form.attach_error(error)
        return _agreement_page(
            agreement, form, ReasonForm(formdata=None), need_large=True, status=422
        )
    except DomainError as error:
        db.session.rollback()
        form.attach_error(error)
        return _agreement_page(agreement, form, ReasonForm(formdata=None), status=error.status)
    db.session.commit()
    flash(_("Agreement corrected; the previous values are kept in its history."), "success")
    return redirect(url_for("signing.agreement", agreement_id=agreement.id))


@roles_required(Role.ORGANIZER)
def void(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _agreement_page(agreement, _amend_form(agreement), form, status=400)
    try:
        operations.void_agreement(agreement, form.reason.data, user=current_user)
    except DomainError as error:
        db.session.rollback()
        form.attach_error(error)
        return _agreement_page(agreement, _amend_form(agreement), form, status=error.status)
    db.session.commit()
    flash(
        _("Agreement voided; it stays in the list, struck out, and leaves the totals."), "success"
    )
    return redirect(url_for("signing.agreement", agreement_id=agreement.id))


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
    """The amount as it will be saved: {"ok", "yuan", "yi", "unit", "message"}."""
    text = request.args.get("amount", "")
    try:
        parsed = operations.parse_signed_amount(
            text, confirm_large=request.args.get("confirm_large") == "1"
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
    return jsonify(
        {
            "ok": True,
            "yuan": yuan_str(parsed.yuan),
            "yi": format_yi(parsed.yuan),
            "unit": parsed.unit,
            "unit_source": parsed.unit_source,
        }
    )


# --- public: dashboard, venue screen, totals export; organisers: agreements export ---------


def _chart_rows(rows, locale: str) -> list[tuple[str, Any, str]]:
    return [
        (
            (row.name_en if locale == "en" and row.name_en else row.name),
            row.total_yuan,
            f"{format_yi(row.total_yuan)}亿元 · {row.count}",
        )
        for row in rows
    ]


def _charts(totals: Totals, locale: str) -> dict[str, str]:
    titles = {
        "by_session": _("Signed by session"),
        "by_sector": _("Signed by sector"),
        "by_region": _("Signed by region"),
        "by_kind": _("Signed by kind of agreement"),
        "by_investor_kind": _("Signed by kind of investor"),
    }
    result = {
        name: charts.bar_chart(_chart_rows(rows, locale), title=titles[name])
        for name, rows in totals.breakdowns().items()
    }
    result["progress"] = charts.progress_ring(
        totals.total_yuan, totals.target_yuan, title=_("Signed against target")
    )
    return result


def dashboard():
    edition = _edition()
    totals = signed_totals(count_intent=_count_intent(), edition=edition)
    locale = str(get_locale() or "zh")
    return render_template(
        "signing/dashboard.html",
        totals=totals,
        charts=_charts(totals, locale),
        count_intent=totals.count_intent,
        edition=edition,
    )


def all_editions():
    """The one page with totals across editions: each edition's row, then the sum, saying so."""
    count_intent = _count_intent()
    rows = [(edition, signed_totals(count_intent=count_intent, edition=edition))
            for edition in list_editions()]
    overall = signed_totals(count_intent=count_intent, edition=ALL)
    return render_template("signing/all_editions.html", rows=rows, overall=overall,
                           count_intent=count_intent)


def _venue_session(edition) -> SigningSession | None:
    """?session=ID (of the edition shown), else the edition's open session held last."""
    value = request.args.get("session")
    if value:
        session = db.session.get(SigningSession, record_id(value, field="session"))
        if session is None:
            abort(404)
        return session
    if edition is None:
        return None
    return db.session.scalar(
        sa.select(SigningSession)
        .where(SigningSession.edition_id == edition.id, SigningSession.state == SessionState.OPEN)
        .order_by(SigningSession.held_on.desc().nulls_last(), SigningSession.id.desc())
        .limit(1)
    )


def venue():
    """The full-screen view: one session (its title, target and press line) when one is
    chosen or open, else the edition's totals; always naming the edition."""
    session = _venue_session(_edition())
    edition = session.edition if session is not None else _edition()
    totals = signed_totals(count_intent=_count_intent(), edition=edition)
    latest_query = (
        sa.select(Agreement)
        .join(SigningSession, SigningSession.id == Agreement.session_id)
        .where(Agreement.voided.is_(False))
        .order_by(Agreement.created_at.desc())
        .limit(5)
    )
    if session is not None:
        latest_query = latest_query.where(Agreement.session_id == session.id)
    elif edition is not None:
        latest_query = latest_query.where(SigningSession.edition_id == edition.id)
    latest = db.session.scalars(latest_query).all()
    seconds = max(3, min(120, request.args.get("refresh", 10, type=int)))
    figures = _venue_figures(totals, session)
    return render_template(
        "signing/venue.html",
        totals=totals,
        session=session,
        edition=edition,
        figures=figures,
        latest=latest,
        refresh=seconds,
    )


def _venue_figures(totals: Totals, session: SigningSession | None) -> dict[str, Any]:
    """What the venue screen shows in large: the session's figures, or the edition's."""
    if session is None:
        return {"count": totals.count, "total_yuan": totals.total_yuan,
                "target_yuan": totals.target_yuan, "percent": totals.progress_percent,
                "press_zh": totals.press_zh, "press_en": totals.press_en}
    row = next((r for r in totals.by_session if r.key == str(session.id)), None)
    count, total = (row.count, row.total_yuan) if row else (0, Decimal("0.00"))
    target = session.target_yuan
    percent = (total / target * 100).quantize(Decimal("0.1")) if target > 0 else None
    press_zh, press_en = totals.session_press(session)
    return {"count": count, "total_yuan": total, "target_yuan": target, "percent": percent,
            "press_zh": press_zh, "press_en": press_en}


def _xlsx_response(payload: bytes, filename: str) -> Response:
    return Response(
        payload,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def export_totals():
    totals = signed_totals(count_intent=_count_intent(), edition=_edition())
    return _xlsx_response(exports.totals_workbook(totals), "signed-totals.xlsx")


@roles_required(Role.ORGANIZER)
def export_agreements():
    totals = signed_totals(count_intent=_count_intent(), edition=_edition())
    return _xlsx_response(
        exports.agreements_workbook(totals, edition=_edition()), "agreements.xlsx"
    )
