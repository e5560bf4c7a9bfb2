"""The catalogue pages' actions through the API and the CLI (the same operations): list,
create, publish, unpublish, export, project edit - happy path, role refusal, bad input."""

import json
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from factories import make_catalogue, make_project, make_user
from openpyxl import load_workbook

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project
from matchmaker.extensions import db


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- API ------------------------------------------------------------------------------------


def test_api_lists_creates_publishes_and_unpublishes(client, api_headers):
    staff = api_headers(Role.STAFF)
    make_project(make_catalogue(name="已有目录", year=2023))
    listed = client.get("/api/v1/catalogues?edition=all", headers=staff)
    assert listed.status_code == 200
    assert [(c["name"], c["projects"]) for c in listed.get_json()["items"]] == [("已有目录", 1)]

    created = client.post("/api/v1/catalogues/new", headers=staff,
                          json={"name": "新目录", "year": 2024, "rates": "EUR=7.8"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["name"], body["year"], body["status"], body["rates"]["EUR"]) == (
        "新目录", 2024, "draft", "7.8")
    published = client.post(f"/api/v1/catalogues/{body['id']}/publish", headers=staff)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert db.session.get(Catalogue, body["id"]).status == CatalogueStatus.PUBLISHED
    unpublished = client.post(f"/api/v1/catalogues/{body['id']}/unpublish", headers=staff)
    assert unpublished.get_json()["status"] == "draft"
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity == "catalogue").order_by(AuditEvent.id)).all()
    # publishing approves the catalogue as it stands (its publisher is the reviewer)
    assert actions == ["catalogue.create", "catalogue.approve", "catalogue.status", "catalogue.status"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/catalogues"), ("post", "/api/v1/catalogues/new"),
    ("post", "/api/v1/catalogues/{id}/publish"), ("post", "/api/v1/catalogues/{id}/unpublish"),
    ("get", "/api/v1/catalogues/{id}/export"), ("post", "/api/v1/projects/{pid}/edit"),
])
def test_api_catalogue_actions_need_a_staff_token(client, api_headers, method, path):
    project = make_project(make_catalogue(status=CatalogueStatus.DRAFT))
    url = path.format(id=project.catalogue_id, pid=project.id)
    call = getattr(client, method)
    kwargs = {"json": {"name": "x", "year": 2024}} if method == "post" else {}
    assert call(url, **kwargs).status_code == 401
    for role in (Role.INVESTOR, Role.ORGANIZER):
        answer = call(url, headers=api_headers(role), **kwargs)
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(Catalogue, project.catalogue_id).status == CatalogueStatus.DRAFT
    assert _count(Catalogue) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"year": 2024}, "name"),
    ({"name": "X"}, "edition"),
    ({"name": "X", "year": 1800}, "year"),
    ({"name": "X", "year": 2024, "rates": "EUR=abc"}, "rates"),
    ({"name": "已有", "year": 2023}, "name"),
])
def test_api_create_refuses_bad_input_and_writes_nothing(client, api_headers, body, field):
    make_catalogue(name="已有", year=2023)
    answer = client.post("/api/v1/catalogues/new", headers=api_headers(Role.STAFF), json=body)
    assert answer.status_code == 400, answer.get_json()
    error = answer.get_json()["error"]
    assert error["message"] and error.get("field") == field
    assert _count(Catalogue) == 1


def test_api_export_and_a_missing_catalogue(client, api_headers):
    staff = api_headers(Role.STAFF)
    project = make_project(name="光伏电站")
    answer = client.get(f"/api/v1/catalogues/{project.catalogue_id}/export?format=xlsx", headers=staff)
    assert answer.status_code == 200
    cells = [c.value for row in load_workbook(BytesIO(answer.data)).active.iter_rows() for c in row]
    assert "光伏电站" in cells
    csv = client.get(f"/api/v1/catalogues/{project.catalogue_id}/export?format=csv", headers=staff)
    assert "光伏电站" in csv.data.decode("utf-8-sig")
    assert client.get(f"/api/v1/catalogues/{project.catalogue_id}/export?format=pdf",
                      headers=staff).status_code == 400
    assert client.post("/api/v1/catalogues/999999/publish", headers=staff).status_code == 404


def test_api_edits_a_project_with_the_importer_rules(client, api_headers):
    staff = api_headers(Role.STAFF)
    project = make_project(name="旧名称", location="贵阳市观山湖区")
    answer = client.post(f"/api/v1/projects/{project.id}/edit", headers=staff,
                         json={"name": "新名称", "investment_sought": "3亿元"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["project"]["name"] == "新名称"
    assert body["project"]["investment_sought_yuan"] == "300000000.00"
    assert set(body["changed"]) >= {"name", "investment_sought_yuan"}
    db.session.expire_all()
    assert db.session.get(Project, project.id).investment_sought_yuan == Decimal("300000000.00")

    refused = client.post(f"/api/v1/projects/{project.id}/edit", headers=staff,
                          json={"name": "又一个名称", "investment_sought": "很多钱"})
    assert refused.status_code == 400 and refused.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "新名称"  # nothing written


# --- CLI ------------------------------------------------------------------------------------


def test_cli_create_publish_unpublish_and_list(runner):
    make_user(Role.STAFF, email="staff@example.org")
    created = runner.invoke(args=["catalogue", "create", "命令行目录", "--year", "2024",
                                  "--as", "staff@example.org", "--json"])
    assert created.exit_code == 0, created.output
    catalogue_id = json.loads(created.output)["id"]
    published = runner.invoke(args=["catalogue", "publish", str(catalogue_id), "--json"])
    assert published.exit_code == 0, published.output
    assert json.loads(published.output)["items"][0]["status"] == "published"
    assert runner.invoke(args=["catalogue", "unpublish", str(catalogue_id)]).exit_code == 0
    assert db.session.get(Catalogue, catalogue_id).status == CatalogueStatus.DRAFT
    make_catalogue(status=CatalogueStatus.DRAFT)
    assert runner.invoke(args=["catalogue", "publish", "--all"]).exit_code == 0
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(sa.select(Catalogue))} == {CatalogueStatus.PUBLISHED}
    listed = runner.invoke(args=["catalogue", "list", "--json"])
    assert {c["name"] for c in json.loads(listed.output)["items"]} >= {"命令行目录"}
    assert "命令行目录" in runner.invoke(args=["catalogue", "list"]).output


def test_cli_refusals(runner):
    make_user(Role.INVESTOR, email="investor@example.org")
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    refused = runner.invoke(args=["catalogue", "publish", str(catalogue.id),
                                  "--as", "investor@example.org"])
    assert refused.exit_code == 1 and "的角色不允许此操作" in refused.output
    missing = runner.invoke(args=["catalogue", "publish", "999999", "--json"])
    assert missing.exit_code == 1 and json.loads(missing.stdout)["error"]["code"] == "not_found"
    assert runner.invoke(args=["catalogue", "publish"]).exit_code == 2
    bad = runner.invoke(args=["catalogue", "create", "X", "--year", "19"])
    assert bad.exit_code == 1
    db.session.expire_all()
    assert db.session.get(Catalogue, catalogue.id).status == CatalogueStatus.DRAFT
    assert _count(Catalogue) == 1
