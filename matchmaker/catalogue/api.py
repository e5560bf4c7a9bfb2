"""POST /api/v1/catalogues: import a catalogue file (staff token); answers the import report."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from matchmaker.accounts.models import Role
from matchmaker.amounts import AmountError, check_rate, parse_rates
from matchmaker.api.auth import current_api_user, token_required
from matchmaker.api.blueprint import bp
from matchmaker.catalogue.operations import (
    find_or_new_catalogue,
    import_catalogue,
    restore_catalogue_rates,
    saved_rates,
    set_catalogue_rates,
)
from matchmaker.errors import api_error
from matchmaker.extensions import db
from matchmaker.i18n import translate

TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return (request.form.get(name) or "").strip().lower() in TRUE


@bp.post("/catalogues")
@token_required(Role.STAFF)
def import_catalogue_api():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return api_error("invalid", _("Send the catalogue file in the multipart field 'file'."), 400)
    name = (request.form.get("name") or "").strip()
    if not name:
        return api_error("invalid", _("Give the catalogue's name in the field 'name'."), 400)
    try:
        year = int(request.form.get("year") or "")
    except ValueError:
        return api_error("invalid", _("Give the catalogue's year in the field 'year' (e.g. 2023)."), 400)
    if not 2000 <= year <= 2100:
        return api_error("invalid", _("Give the catalogue's year in the field 'year' (e.g. 2023)."), 400)
    if len(name) > 200:
        return api_error("invalid", _("The catalogue's name is too long (200 characters at most)."), 400)

    usd_rate = None
    try:
        if request.form.get("usd_rate"):
            usd_rate = check_rate(request.form["usd_rate"])
        rates = parse_rates(request.form.get("rates") or "")
    except AmountError as error:
        return api_error("invalid", translate(error.message), 400)

    catalogue = find_or_new_catalogue(name, year, usd_rate=usd_rate)
    saved = saved_rates(catalogue)
    if usd_rate is not None or rates or _flag("accepts_outside"):
        set_catalogue_rates(catalogue, usd_rate=usd_rate, rates=rates,
                            accepts_outside=True if _flag("accepts_outside") else None,
                            user=current_api_user(), audit=not _flag("dry_run"))
    report = import_catalogue(
        catalogue,
        upload.read(),
        upload.filename,
        user=current_api_user(),
        dry_run=_flag("dry_run"),
        skip_invalid=_flag("skip_invalid"),
        confirm_withdraw=_flag("confirm_withdraw"),
        sought_from_total=_flag("sought_from_total"),
        keep_unclassified=_flag("keep_unclassified"),
    )
    if _flag("dry_run"):
        restore_catalogue_rates(catalogue, saved)
    db.session.commit()
    status = 422 if report.blocked else 200  # rejected rows refuse the file (dry run too)
    return jsonify(report.as_json()), status


_REPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "catalogue": {"type": "object"},
        "committed": {"type": "boolean"},
        "dry_run": {"type": "boolean"},
        "created": {"type": "integer"},
        "updated": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "withdrawn": {"type": "integer"},
        "rejected": {"type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer"}, "column": {"type": "string"},
            "value": {"type": "string"}, "reason": {"type": "string"}}}},
        "warnings": {"type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer"}, "column": {"type": "string"}, "message": {"type": "string"}}}},
        "duplicates": {"type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer"}, "project_id": {"type": ["integer", "null"]},
            "other_row": {"type": ["integer", "null"]}, "score": {"type": "number"}}}},
        "skipped": {"type": "array"},
        "columns": {"type": "array"},
        "changes": {"type": "array"},
        "missing": {"type": "array"},
        "blocked": {"type": ["string", "null"]},
        "warning_summary": {"type": "array", "items": {"type": "object", "properties": {
            "column": {"type": "string"}, "count": {"type": "integer"}, "message": {"type": "string"}}}},
        "totals": {"type": "object", "description": "how many items each list holds in all"},
        "truncated": {"type": "array", "items": {"type": "string"},
                      "description": "the lists cut to their first 1000 items"},
        "choices": {"type": "object"},
    },
}

PATHS: dict = {
    "/catalogues": {
        "post": {
            "summary": "Import a catalogue file (.xlsx or .csv; UTF-8, UTF-8 BOM or GBK)",
            "description": (
                "Creates the catalogue (name + year) when missing. By default any rejected row "
                "blocks the import (422 with the report); skip_invalid imports the valid rows. "
                "dry_run checks and reports without writing projects. Projects missing from the "
                "file are listed and withdrawn only with confirm_withdraw."
            ),
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file", "name", "year"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "name": {"type": "string"},
                                "year": {"type": "integer"},
                                "usd_rate": {"type": "string", "description": "yuan per US dollar (sets the catalogue's rate)"},
                                "rates": {"type": "string", "description": "yuan per unit of other currencies: EUR=7.8,HKD=0.92 (EUR, HKD, JPY, GBP)"},
                                "accepts_outside": {"type": "boolean", "description": "the catalogue takes projects outside Guizhou"},
                                "sought_from_total": {"type": "boolean", "description": "no 拟引资 column: investment sought = total investment"},
                                "keep_unclassified": {"type": "boolean", "description": "keep rows whose sector is outside the taxonomy, without a sector"},
                                "dry_run": {"type": "boolean"},
                                "skip_invalid": {"type": "boolean"},
                                "confirm_withdraw": {"type": "boolean"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "Import report (committed, or a dry run)",
                        "content": {"application/json": {"schema": _REPORT_SCHEMA}}},
                "400": {"description": "Missing file, name or year"},
                "401": {"description": "No valid token"},
                "403": {"description": "Not staff"},
                "413": {"description": "File larger than the upload limit"},
                "422": {"description": "Rejected rows blocked the import (the report), or the file was refused ({error})"},
            },
        }
    }
}
