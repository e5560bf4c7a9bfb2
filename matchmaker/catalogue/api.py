"""The catalogue's API routes: POST /catalogues imports a catalogue file (staff token) and
answers the import report."""

from __future__ import annotations

from flask import jsonify

from matchmaker.accounts.models import Role
from matchmaker.amounts import AmountError, parse_rates
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.catalogue.operations import (
    find_or_new_catalogue,
    import_catalogue,
    restore_catalogue_rates,
    saved_rates,
    set_catalogue_rates,
)
from matchmaker.catalogue.schemas import ImportForm, ImportReportOut
from matchmaker.extensions import db
from matchmaker.validation import InputError


@bp.post("/catalogues")
@endpoint(form=ImportForm, roles=(Role.STAFF,), tags=["catalogues"],
          resp={200: (ImportReportOut, "Import report (committed, or a dry run)"),
                413: None,
                422: (ImportReportOut, "Rejected rows blocked the import (the report), or "
                                       "the file was refused ({error})")})
def import_catalogue_api(form: ImportForm):
    """Import a catalogue file (.xlsx/.xls/.ods/.csv; UTF-8, UTF-8 BOM or GBK)

    Creates the catalogue (name + year) when missing. By default any rejected row blocks
    the import (422 with the report); skip_invalid imports the valid rows. dry_run checks
    and reports without writing projects. Projects missing from the file are listed and
    withdrawn only with confirm_withdraw."""
    try:
        rates = parse_rates(form.rates or "")
    except AmountError as error:
        raise InputError(error.message, field="rates") from error
    user = current_api_user()
    catalogue = find_or_new_catalogue(form.name, form.year, usd_rate=form.usd_rate)
    saved = saved_rates(catalogue)
    if form.usd_rate is not None or rates or form.accepts_outside:
        set_catalogue_rates(catalogue, usd_rate=form.usd_rate, rates=rates,
                            accepts_outside=True if form.accepts_outside else None,
                            user=user, audit=not form.dry_run)
    report = import_catalogue(
        catalogue,
        form.file.read(),
        form.file.filename,
        user=user,
        dry_run=form.dry_run,
        skip_invalid=form.skip_invalid,
        confirm_withdraw=form.confirm_withdraw,
        sought_from_total=form.sought_from_total,
        keep_unclassified=form.keep_unclassified,
    )
    if form.dry_run:
        restore_catalogue_rates(catalogue, saved)
    db.session.commit()
    status = 422 if report.blocked else 200  # rejected rows refuse the file (dry run too)
    return jsonify(report.as_json()), status
