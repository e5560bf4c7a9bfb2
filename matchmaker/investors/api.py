"""The investors' API routes: GET /investors/resolve (which known company a written name
means, or none when unsure), and for staff the investor pages' actions: the list, the list
import, merging two companies."""

from __future__ import annotations

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint, perform
from matchmaker.api.errors import ErrorOut
from matchmaker.audit import AuditEvent, jsonable
from matchmaker.i18n import N_
from matchmaker.investors import operations
from matchmaker.investors.models import Investor
from matchmaker.investors.resolution import resolution_json, resolve_investor
from matchmaker.investors.schemas import (
    InvestorImportForm,
    InvestorImportOut,
    InvestorList,
    InvestorOut,
    InvestorRef,
    InvestorsQuery,
    LearnedNameList,
    LearnedNameOut,
    MergeIn,
    MergeOut,
    ResolutionOut,
    ResolveQuery,
)
from matchmaker.validation import InputError, clean_text
from matchmaker.views import load


@bp.get("/investors/resolve")
@endpoint(query=ResolveQuery, resp={200: ResolutionOut}, tags=["investors"])
def resolve(query: ResolveQuery):
    """The known investor a written company name means (or none when unsure)

    candidates: up to 5, best first, with their scores and why each was considered, also
    when match is null."""
    name = clean_text(query.name, field="name", max_length=300)
    if not name:
        raise InputError(N_("Give a company name: ?name=…"), field="name")
    return ResolutionOut.model_validate(resolution_json(resolve_investor(name)))


@bp.get("/investors")
@endpoint(query=InvestorsQuery, roles=(Role.STAFF,), tags=["investors"],
          resp={200: InvestorList})
def list_investors_api(query: InvestorsQuery):
    """Known companies, those to review first, then by name (staff; the investor list page)"""
    investors = operations.list_investors(query.q, page=query.page, per_page=query.per_page)
    return InvestorList(items=[InvestorOut.of(i) for i in investors], page=query.page,
                        per_page=query.per_page)


@bp.post("/investors/import")
@endpoint(form=InvestorImportForm, roles=(Role.STAFF,), tags=["investors"],
          resp={200: (InvestorImportOut, "the import report (committed, or a check)"),
                413: None,
                422: (InvestorImportOut, "rejected rows blocked the import (the report)")})
def import_investors_api(form: InvestorImportForm):
    """Import an investor list (.xlsx/.xls/.ods/.csv: name, name_en, aliases, kind, country)

    By default any rejected row blocks the import (422 with the report, nothing written);
    skip_invalid imports the valid rows; dry_run only checks."""
    user = current_api_user()
    report = perform(lambda: operations.import_investors(
        form.file.read(), form.file.filename, user=user,
        merge_duplicates=form.merge_duplicates, skip_invalid=form.skip_invalid,
        dry_run=form.dry_run), commit_if=lambda report: report.committed)
    blocked = bool(report.rejected) and not form.skip_invalid  # a check says it would be
    return InvestorImportOut(**report.as_json()), 422 if blocked else 200


@bp.post("/investors/merge")
@endpoint(json=MergeIn, roles=(Role.STAFF,), tags=["investors"],
          resp={200: (MergeOut, "merged: the survivor, and what moved to it"),
                409: (ErrorOut, "one of them is already merged")})
def merge_investors_api(json: MergeIn):
    """Merge one investor into another (staff), as the duplicates page does

    Profiles, leads, claims and agreements move to the survivor; the other's names become
    its aliases. The answer's event_id undoes it (the Merges page)."""
    survivor, other = load(Investor, json.survivor), load(Investor, json.other)
    result = perform(lambda: operations.merge_investors(survivor, other,
                                                        user=current_api_user()))
    return MergeOut(event_id=result["event_id"], survivor=InvestorRef.of(survivor),
                    moved=jsonable(result["moved"]))


@bp.get("/investors/learned")
@endpoint(roles=(Role.STAFF,), tags=["investors"], resp={200: LearnedNameList})
def learned_names_api():
    """Names organisers taught the resolver by choosing a candidate (staff; newest first)"""
    return LearnedNameList(items=[LearnedNameOut.of(*row) for row in operations.learned_names()])


@bp.post("/investors/learned/<int:event_id>/forget")
@endpoint(roles=(Role.STAFF,), tags=["investors"],
          resp={200: (InvestorRef, "the investor that no longer has the name"),
                409: (ErrorOut, "the name is not kept any more")})
def forget_name_api(event_id: int):
    """Forget a learned name (staff): it no longer resolves to the investor"""
    event = load(AuditEvent, event_id)
    investor = perform(lambda: operations.forget_name(event, user=current_api_user()))
    return InvestorRef.of(investor)
