"""Public signing pages: the totals dashboard, the totals across editions and the venue's
full-screen view (with the press line)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from matchmaker.editions.operations import ALL, list_editions
from matchmaker.editions.selection import selected_edition
from matchmaker.extensions import db
from matchmaker.money import format_yi
from matchmaker.signing import charts
from matchmaker.signing.controllers import count_intent
from matchmaker.signing.models import Agreement, SessionState, SigningSession
from matchmaker.signing.totals import Totals, signed_totals
from matchmaker.validation import record_id
from matchmaker.views import load


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
    edition = selected_edition()
    totals = signed_totals(count_intent=count_intent(), edition=edition)
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
    counted = count_intent()
    rows = [(edition, signed_totals(count_intent=counted, edition=edition))
            for edition in list_editions()]
    overall = signed_totals(count_intent=counted, edition=ALL)
    return render_template("signing/all_editions.html", rows=rows, overall=overall,
                           count_intent=counted)


def _venue_session(edition) -> SigningSession | None:
    """?session=ID (of the edition shown), else the edition's open session held last."""
    value = request.args.get("session")
    if value:
        return load(SigningSession, record_id(value, field="session"))
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
    session = _venue_session(selected_edition())
    edition = session.edition if session is not None else selected_edition()
    totals = signed_totals(count_intent=count_intent(), edition=edition)
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
    return render_template(
        "signing/venue.html",
        totals=totals,
        session=session,
        edition=edition,
        figures=_venue_figures(totals, session),
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
