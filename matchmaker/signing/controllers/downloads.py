"""Signing workbooks: the totals (public, as the dashboard shows them) and the list of
agreements (organisers)."""

from __future__ import annotations

from flask import Response

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.selection import selected_edition
from matchmaker.signing import exports
from matchmaker.signing.controllers import count_intent
from matchmaker.signing.totals import signed_totals


def _xlsx_response(payload: bytes, filename: str) -> Response:
    return Response(
        payload,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def export_totals():
    totals = signed_totals(count_intent=count_intent(), edition=selected_edition())
    return _xlsx_response(exports.totals_workbook(totals), "signed-totals.xlsx")


@roles_required(Role.ORGANIZER)
def export_agreements():
    edition = selected_edition()
    totals = signed_totals(count_intent=count_intent(), edition=edition)
    return _xlsx_response(exports.agreements_workbook(totals, edition=edition), "agreements.xlsx")
