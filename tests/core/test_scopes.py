"""Every write route a staff account can reach is either checked against the account's
prefectures or declared free of them (with the reason). Walks the URL map like
test_roles.py, so a new staff write route fails here until it is classified.

A checked route, called by staff scoped to Zunyi on something in Guiyang, changes nothing
(and the API answers 403); the same call by province-level staff does change it - so the
refusal is the scope's, not a malformed request's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_agreement, make_catalogue, make_investor, make_project, make_user, region
from test_roles import write_rules

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import CatalogueStatus, ReviewState
from matchmaker.catalogue.operations import project_form_data
from matchmaker.extensions import db
from matchmaker.matching.models import Lead

# Staff write routes that no prefecture owns, and why.
SCOPE_FREE = {
    "catalogue.index": "creates an empty catalogue",
    "catalogue.upload": "a preview: rows outside the prefectures are rejected row by row",
    "catalogue.commit": "the import rejects rows outside the prefectures row by row",
    "catalogue.submit_review": "any staff may submit the catalogue for the province's review",
    "api.import_catalogue_api": "the import rejects rows outside the prefectures row by row",
    "api.create_catalogue_api": "creates an empty catalogue",
    "api.submit_catalogue_api": "any staff may submit the catalogue for the province's review",
    "investors.import_list": "investors are province-wide records, in no prefecture",
    "investors.review": "investors are province-wide records, in no prefecture",
    "investors.merge": "investors are province-wide records, in no prefecture",
    "investors.undo": "investors are province-wide records, in no prefecture",
    "investors.forget": "investors are province-wide records, in no prefecture",
    "api.forget_name_api": "investors are province-wide records, in no prefecture",
    "investors.decide": "claims concern investors, province-wide records",
    "matching.investor_profile": "an investor's profile, a province-wide record",
    "api.save_profile_api": "an investor's profile, a province-wide record",
    "api.import_investors_api": "investors are province-wide records, in no prefecture",
    "api.merge_investors_api": "investors are province-wide records, in no prefecture",
    "matching.meetings": "computes meeting suggestions; writes nothing",
    "notifications.read": "one's own notifications",
    "notifications.read_all": "one's own notifications",
    "notifications.preferences": "one's own settings",
    "api.notifications_read": "one's own notifications",
}

# Routes whose feature checks the scope itself, and where (their own tests cover it).
CHECKED_BY_FEATURE = {
    "meetings.act": "meetings.operations.visible_meetings_query: a meeting elsewhere is a 404",
    "api.meetings_act": "meetings.operations.visible_meetings_query: a meeting elsewhere is a 404",
    "meetings.post_message": "meetings.operations.visible_lead: User.covers_region",
    "api.messages_post": "meetings.operations.visible_lead: User.covers_region",
    "catalogue.upload_attachments": "catalogue.attachments: require_region (test_attachment_doors)",
    "catalogue.replace_attachment": "catalogue.attachments: require_region (test_attachment_doors)",
    "catalogue.delete_attachment": "catalogue.attachments: require_region (test_attachment_doors)",
    "api.add_attachments_api": "catalogue.attachments: require_region (test_attachment_api_cli)",
    "api.replace_attachment_api": "catalogue.attachments: require_region (test_attachment_api_cli)",
    "api.delete_attachment_api": "catalogue.attachments: require_region (test_attachment_api_cli)",
}

# The checked routes: the request body that would succeed for province-level staff.
STAGE = {"stage": "started", "occurred_on": "2024-08-01", "date": "2024-08-01", "note": "许可证"}
FUNDS = {"amount": "1", "paid_on": "2024-08-01", "date": "2024-08-01", "note": "回单"}
CHECKED = {
    "catalogue.publish": {}, "catalogue.unpublish": {}, "catalogue.approve": {},
    "catalogue.return_for_corrections": {"comment": "补充联系人"},
    "catalogue.edit_project": "project form", "matching.move_lead": {"status": "contacted"},
    "followup.record_stage": STAGE, "followup.record_funds": FUNDS,
    "followup.change_state": {"state": "stalled", "reason": "资金未到"},
    "api.publish_catalogue_api": {}, "api.unpublish_catalogue_api": {},
    "api.approve_catalogue_api": {}, "api.return_catalogue_api": {"comment": "补充联系人"},
    "api.edit_project_api": {"name": "新的名字"},
    "api.move_lead_api": {"status": "contacted"},
    "api.followup_stage": STAGE, "api.followup_funds": FUNDS,
    "api.followup_state": {"state": "stalled", "reason": "资金未到"},
}


def _staff_writes(app):
    for rule, method in write_rules(app):
        roles = app.view_functions[rule.endpoint].required_roles
        if Role.STAFF in roles:
            yield rule, method


def test_every_staff_write_route_is_scope_checked_or_declared_free(app):
    endpoints = {rule.endpoint for rule, _ in _staff_writes(app)}
    unclassified = endpoints - SCOPE_FREE.keys() - CHECKED.keys() - CHECKED_BY_FEATURE.keys()
    assert unclassified == set(), "classify the new route"
    assert CHECKED.keys() <= endpoints and SCOPE_FREE.keys() <= endpoints


def _world(endpoint: str):
    """Everything in Guiyang: a catalogue (submitted, or published to unpublish), its
    project, a lead and a signed agreement on it."""
    published = "unpublish" in endpoint
    catalogue = make_catalogue(
        status=CatalogueStatus.PUBLISHED if published else CatalogueStatus.DRAFT,
        review_state=ReviewState.APPROVED if published else ReviewState.SUBMITTED)
    project = make_project(catalogue, region_code="520100", location="贵阳市南明区", name="贵阳项目")
    lead = Lead(investor=make_investor(), project=project)
    db.session.add(lead)
    agreement = make_agreement(project=project, signed_at=datetime(2024, 7, 5, 2, 0, tzinfo=UTC))
    db.session.commit()
    ids = {"catalogue_id": catalogue.id, "project_id": project.id, "lead_id": lead.id,
           "agreement_id": agreement.id}
    ids["id"] = (project.id if "project" in endpoint else agreement.id if "followup" in endpoint
                 else lead.id if "lead" in endpoint else catalogue.id)
    return ids, project


def _fingerprint() -> int:
    """Audited changes, leaving out signing in and API tokens (the test's own doing)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.entity.notin_(("user", "api_token", "token"))))


@pytest.mark.parametrize("endpoint", sorted(CHECKED))
def test_scoped_staff_cannot_write_outside_their_prefecture(app, client, login, endpoint):
    rule, method = next((r, m) for r, m in _staff_writes(app) if r.endpoint == endpoint)
    ids, project = _world(endpoint)
    url = rule.build({arg: ids[arg] for arg in rule.arguments}, append_unknown=False)[1]
    body = CHECKED[endpoint]
    if body == "project form":
        body = {**project_form_data(project), "name": "新的名字"}
    scoped = make_user(Role.STAFF)
    scoped.scope_regions = [region("520300")]  # Zunyi
    province = make_user(Role.STAFF)
    db.session.commit()

    def call(user):
        if endpoint.startswith("api."):
            plain, _ = create_token(user)
            db.session.commit()
            return client.open(url, method=method, json=body,
                               headers={"Authorization": f"Bearer {plain}"})
        login(user)
        return client.open(url, method=method, data={**body, "csrf_token": csrf_token(client)})

    before = _fingerprint()
    refused = call(scoped)
    db.session.expire_all()
    assert _fingerprint() == before, (endpoint, refused.status_code)
    if endpoint.startswith("api."):
        assert refused.status_code == 403, refused.get_json()
    assert refused.status_code != 500
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    done = call(province)
    db.session.expire_all()
    assert done.status_code in (200, 201, 302), (endpoint, done.status_code)
    assert _fingerprint() > before, (endpoint, "the province-level call changed nothing")
