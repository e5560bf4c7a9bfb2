"""Prefecture staff and the province's review: a scoped account uploads, edits and follows
leads only in its prefectures; a catalogue goes draft -> submitted -> approved / returned
before publishing, and the reviewer sees what changed since the last approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from catalogue_helpers import database_state
from conftest import csrf_token
from factories import make_catalogue, make_investor, make_project, make_staff, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.catalogue import operations
from matchmaker.catalogue.models import CatalogueStatus, Project, ProjectStatus, ReviewState
from matchmaker.errors import Conflict, DomainError, Forbidden
from matchmaker.extensions import db
from matchmaker.matching import operations as matching
from matchmaker.matching.models import Lead, LeadStatus

HEADER = "序号,项目名称,所属产业,建设地点,总投资（亿元）,拟引资金额（亿元）\n"
ZUNYI, GUIYANG = "520300", "520100"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def _scoped(*codes: str):
    return make_staff(*codes, display_name="遵义投促局")


def test_a_prefecture_uploads_only_its_own_rows(app):
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    guiyang_project = make_project(catalogue, code="9", name="贵阳的项目", region_code=GUIYANG)
    staff = _scoped(ZUNYI)
    data = _csv("1,汇川光伏项目,光伏,遵义市汇川区,3,2", "2,花溪风电项目,风电,贵阳市花溪区,4,3",
                "9,冒名修改,光伏,遵义市汇川区,4,3")
    report = operations.import_catalogue(catalogue, data, "zunyi.csv", user=staff,
                                         skip_invalid=True, confirm_withdraw=True)
    db.session.commit()
    reasons = {e.row: str(e.reason) for e in report.rejected}
    assert "outside the prefectures your account covers" in reasons[3]
    assert "belongs to another prefecture" in reasons[4]
    names = set(db.session.scalars(sa.select(Project.name)))
    assert names == {"汇川光伏项目", "贵阳的项目"}
    db.session.refresh(guiyang_project)
    assert guiyang_project.status != ProjectStatus.WITHDRAWN  # not Zunyi's to withdraw
    assert guiyang_project.name == "贵阳的项目"


def test_a_prefecture_edits_only_its_own_projects(app):
    staff = _scoped(ZUNYI)
    theirs = make_project(region_code=GUIYANG, location="贵阳市南明区")
    mine = make_project(region_code="520303", location="遵义市汇川区")
    data = operations.project_form_data(theirs)
    before = database_state()
    with pytest.raises(Forbidden):
        operations.update_project(theirs, {**data, "name": "改名"}, user=staff)
    db.session.rollback()
    moved = {**operations.project_form_data(mine), "location": "贵阳市南明区"}
    with pytest.raises(Forbidden):
        operations.update_project(mine, moved, user=staff)
    db.session.rollback()
    assert database_state() == before
    operations.update_project(mine, {**operations.project_form_data(mine), "name": "新名字"},
                              user=staff)
    db.session.commit()
    assert db.session.get(Project, mine.id).name == "新名字"


def test_a_prefecture_sees_and_moves_only_its_leads(app, client, login):
    investor = make_investor()
    mine = Lead(investor=investor, project=make_project(region_code=ZUNYI, name="遵义项目"))
    theirs = Lead(investor=investor, project=make_project(region_code=GUIYANG, name="贵阳项目"))
    db.session.add_all([mine, theirs])
    db.session.commit()
    staff = _scoped(ZUNYI)
    assert [lead.id for lead in matching.list_leads(user=staff).leads] == [mine.id]
    with pytest.raises(Forbidden):
        matching.move_lead(theirs, LeadStatus.CONTACTED, user=staff)
    db.session.rollback()
    login(staff)
    page = client.get("/leads").get_data(as_text=True)
    assert "遵义项目" in page and "贵阳项目" not in page
    client.post(f"/leads/{theirs.id}/status", data={"csrf_token": csrf_token(client),
                                                     "status": "contacted"})
    assert db.session.get(Lead, theirs.id).status == LeadStatus.NEW


def test_review_draft_submitted_returned_approved_published(app):
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    make_project(catalogue, code="1", name="遵义项目", region_code=ZUNYI, location="遵义市")
    make_project(catalogue, code="2", name="贵阳项目", region_code=GUIYANG, location="贵阳市")
    prefecture, province = _scoped(ZUNYI), make_user(Role.STAFF)
    assert catalogue.review_state == ReviewState.DRAFT
    assert operations.changes_since_approval(catalogue).first_review
    with pytest.raises(Forbidden):
        operations.set_catalogue_status(catalogue, CatalogueStatus.PUBLISHED, user=prefecture)
    operations.submit_catalogue(catalogue, user=prefecture)
    with pytest.raises(Forbidden):
        operations.approve_catalogue(catalogue, user=prefecture)
    with pytest.raises(DomainError) as caught:
        operations.return_catalogue(catalogue, "  ", user=province)
    assert caught.value.field == "comment"
    operations.return_catalogue(catalogue, "遵义项目缺少联系人", user=province)
    db.session.commit()
    assert (catalogue.review_state, catalogue.review_comment) == (ReviewState.RETURNED,
                                                                   "遵义项目缺少联系人")
    with pytest.raises(Conflict):
        operations.set_catalogue_status(catalogue, CatalogueStatus.PUBLISHED, user=province)
    db.session.rollback()
    operations.submit_catalogue(catalogue, user=prefecture)
    operations.approve_catalogue(catalogue, user=province)
    db.session.commit()
    assert operations.changes_since_approval(catalogue).count == 0
    summary = {row["region"].code: (row["count"], row["sought_yuan"])
               for row in operations.prefecture_summary(catalogue)}
    assert summary == {ZUNYI: (1, Decimal("500000000.00")), GUIYANG: (1, Decimal("500000000.00"))}

    project = db.session.scalar(sa.select(Project).where(Project.code == "1"))
    operations.update_project(project, {**operations.project_form_data(project),
                                        "investment_sought": "6"}, user=prefecture)
    make_project(catalogue, code="3", name="新增项目", region_code=ZUNYI)
    db.session.commit()
    assert catalogue.review_state == ReviewState.DRAFT  # changed since approval
    changes = operations.changes_since_approval(catalogue)
    assert [p["code"] for p in changes.added] == ["3"]
    assert changes.changed == [{"code": "1", "name": "遵义项目", "fields": [
        {"field": "investment_sought_yuan", "before": "500000000.00", "after": "600000000.00"}]}]
    operations.set_catalogue_status(catalogue, CatalogueStatus.PUBLISHED, user=province)
    db.session.commit()
    assert (catalogue.status, catalogue.review_state) == (CatalogueStatus.PUBLISHED,
                                                          ReviewState.APPROVED)


def test_review_pages_and_api(app, client, login):
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    make_project(catalogue, code="1", name="遵义项目", region_code=ZUNYI)
    prefecture = _scoped(ZUNYI)
    login(prefecture)
    page = client.get(f"/catalogues/{catalogue.id}").get_data(as_text=True)
    assert "Submit for review" in page or "提交审核" in page
    assert f"/catalogues/{catalogue.id}/publish" not in page
    client.post(f"/catalogues/{catalogue.id}/submit", data={"csrf_token": csrf_token(client)})
    assert catalogue.review_state == ReviewState.SUBMITTED
    refused = client.post(f"/catalogues/{catalogue.id}/approve",
                          data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 302
    db.session.refresh(catalogue)
    assert catalogue.review_state == ReviewState.SUBMITTED
    plain, _ = create_token(make_user(Role.STAFF))
    scoped_plain, _ = create_token(prefecture)
    db.session.commit()
    scoped_answer = client.post(f"/api/v1/catalogues/{catalogue.id}/approve",
                                headers={"Authorization": f"Bearer {scoped_plain}"})
    assert scoped_answer.status_code == 403
    answer = client.post(f"/api/v1/catalogues/{catalogue.id}/return", json={"comment": "补充"},
                         headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 200, answer.json
    assert (answer.json["review_state"], answer.json["review_comment"]) == ("returned", "补充")


def test_review_from_the_console(app, runner):
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    make_project(catalogue, code="1", name="遵义项目", region_code=ZUNYI)
    assert runner.invoke(args=["catalogue", "review", "submit", str(catalogue.id)]).exit_code == 0
    refused = runner.invoke(args=["catalogue", "review", "return", str(catalogue.id)])
    assert refused.exit_code == 1
    done = runner.invoke(args=["catalogue", "review", "approve", str(catalogue.id), "--json"])
    assert done.exit_code == 0, done.output
    assert '"review_state": "approved"' in done.output
    changes = runner.invoke(args=["catalogue", "review", "changes", str(catalogue.id)])
    assert changes.exit_code == 0 and changes.output == ""
