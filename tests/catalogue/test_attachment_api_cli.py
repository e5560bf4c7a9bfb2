"""Attachments through the API and the CLI: the same operation as the edit page, the same
refusals (type by content, size, scope, role), the JSON shapes, and the file served."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa
from attachment_files import HTML, SVG, jpeg, pdf, png
from factories import make_catalogue, make_project, make_staff, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import CatalogueStatus, ProjectAttachment
from matchmaker.extensions import db


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProjectAttachment))


def _upload(client, headers, project_id, *files, **fields):
    data = {"kind": "feasibility", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/api/v1/projects/{project_id}/attachments", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_api_upload_list_replace_delete(client, api_headers):
    project = make_project()
    headers = api_headers(make_staff("520100"))
    answer = _upload(client, headers, project.id, ("可行性研究报告.pdf", pdf()), ("现场.jpg", jpeg()),
                     kind="other", language="zh_en")
    assert answer.status_code == 201, answer.get_json()
    items = answer.get_json()["items"]
    assert [(i["filename"], i["content_type"], i["kind"], i["language"]) for i in items] == [
        ("可行性研究报告.pdf", "application/pdf", "other", "zh_en"),
        ("现场.jpg", "image/jpeg", "other", "zh_en")]
    first = items[0]
    assert first["kind_name"] == "其他材料" and first["kind_name_en"] == "Other document"
    assert first["size"] == len(pdf()) and len(first["sha256"]) == 64
    assert first["url"] == f"/projects/{project.id}/attachments/{first['id']}"
    listed = client.get(f"/api/v1/projects/{project.id}/attachments").get_json()["items"]
    assert [i["id"] for i in listed] == [i["id"] for i in items]
    served = client.get(f"/api/v1/projects/{project.id}/attachments/{first['id']}")
    assert served.status_code == 200 and served.data == pdf()
    assert served.headers["Content-Security-Policy"].startswith("sandbox;")
    assert client.get(first["url"]).data == pdf()

    replaced = client.post(f"/api/v1/projects/{project.id}/attachments/{first['id']}/replace",
                           data={"file": (io.BytesIO(pdf("v2")), "v2.pdf")}, headers=headers,
                           content_type="multipart/form-data")
    assert replaced.status_code == 200 and replaced.get_json()["filename"] == "v2.pdf"
    deleted = client.delete(f"/api/v1/projects/{project.id}/attachments/{first['id']}", headers=headers)
    assert deleted.status_code == 200 and deleted.get_json()["filename"] == "v2.pdf"
    assert client.delete(f"/api/v1/projects/{project.id}/attachments/{first['id']}",
                         headers=headers).status_code == 404
    assert _count() == 1


def test_api_refusals(client, api_headers, app):
    project = make_project(region_code="520100")
    staff = api_headers(make_staff())
    answer = _upload(client, staff, project.id, ("report.pdf", HTML))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "attachment_refused"
    assert "HTML" in answer.get_json()["error"]["message"]
    answer = _upload(client, {**staff, "Accept-Language": "en"}, project.id, ("map.svg", SVG))
    assert answer.status_code == 422 and ".svg cannot be attached" in answer.get_json()["error"]["message"]
    answer = _upload(client, {**staff, "Accept-Language": "zh"}, project.id, ("photo.jpg", png()))
    assert "内容是 PNG 图片" in answer.get_json()["error"]["message"]
    app.config["ATTACHMENT_MAX_BYTES"] = 500
    assert _upload(client, staff, project.id, ("big.pdf", pdf("x" * 600))).status_code == 422
    app.config["ATTACHMENT_MAX_BYTES"] = 10 * 1024 * 1024
    no_files = client.post(f"/api/v1/projects/{project.id}/attachments", data={"kind": "land"},
                           headers=staff, content_type="multipart/form-data")
    assert no_files.status_code == 400 and no_files.get_json()["error"]["field"] == "files"
    as_json = client.post(f"/api/v1/projects/{project.id}/attachments", json={"kind": "land"},
                          headers=staff)
    assert as_json.status_code == 400
    bad_kind = _upload(client, staff, project.id, ("a.pdf", pdf()), kind="brochure")
    assert bad_kind.status_code == 422 and bad_kind.get_json()["error"]["field"] == "kind"
    zunyi = api_headers(make_staff("520300"))
    assert _upload(client, zunyi, project.id, ("a.pdf", pdf())).status_code == 403
    investor = api_headers(make_user(Role.INVESTOR))
    assert _upload(client, investor, project.id, ("a.pdf", pdf())).status_code == 403
    assert _upload(client, {}, project.id, ("a.pdf", pdf())).status_code == 401
    assert _upload(client, staff, 999999, ("a.pdf", pdf())).status_code == 404
    assert _count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("attachment.%"))) == 0


def test_api_hides_unpublished_projects_attachments_from_the_public(client, api_headers):
    draft = make_project(make_catalogue(status=CatalogueStatus.DRAFT))
    staff = api_headers(make_staff())
    item = _upload(client, staff, draft.id, ("a.pdf", pdf())).get_json()["items"][0]
    assert client.get(f"/api/v1/projects/{draft.id}/attachments").status_code == 404
    assert client.get(f"/api/v1/projects/{draft.id}/attachments/{item['id']}").status_code == 404
    investor = api_headers(make_user(Role.INVESTOR))
    assert client.get(f"/api/v1/projects/{draft.id}/attachments", headers=investor).status_code == 404
    assert client.get(f"/api/v1/projects/{draft.id}/attachments", headers=staff).status_code == 200
    preview = client.get(f"/api/v1/projects/{draft.id}/attachments/{item['id']}", headers=staff)
    assert preview.status_code == 200 and "no-store" in preview.headers["Cache-Control"]


def test_cli_add_list_get_replace_delete(runner, tmp_path):
    project = make_project()
    staff = make_staff("520100")
    study, photo = tmp_path / "可行性研究报告.pdf", tmp_path / "site.png"
    study.write_bytes(pdf())
    photo.write_bytes(png())
    result = runner.invoke(args=["attachments", "add", str(project.id), str(study), "--kind", "可行性研究报告",
                                 "--title", "可研", "--title-en", "Feasibility study", "--as", staff.email,
                                 "--json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.output)["items"]
    assert (item["kind"], item["title_en"], item["filename"]) == ("feasibility", "Feasibility study",
                                                                  "可行性研究报告.pdf")
    result = runner.invoke(args=["attachments", "add", str(project.id), str(photo), "--kind", "photo",
                                 "--language", "none"])
    assert result.exit_code == 0 and "site.png" in result.output
    listed = runner.invoke(args=["attachments", "list", str(project.id)])
    assert listed.exit_code == 0 and listed.output.index("feasibility") < listed.output.index("photo")
    out = tmp_path / "copy.pdf"
    got = runner.invoke(args=["attachments", "get", str(item["id"]), "-o", str(out)])
    assert got.exit_code == 0 and out.read_bytes() == pdf()
    corrected = tmp_path / "v2.pdf"
    corrected.write_bytes(pdf("v2"))
    assert runner.invoke(args=["attachments", "replace", str(item["id"]), str(corrected)]).exit_code == 0
    deleted = runner.invoke(args=["attachments", "delete", str(item["id"]), "--as", staff.email])
    assert deleted.exit_code == 0 and "v2.pdf" in deleted.output
    assert _count() == 1


def test_cli_refusals_exit_1_and_write_nothing(runner, tmp_path, app):
    project = make_project(region_code="520100")
    fake = tmp_path / "report.pdf"
    fake.write_bytes(HTML)
    result = runner.invoke(args=["attachments", "add", str(project.id), str(fake), "--kind", "land",
                                 "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "attachment_refused"
    zunyi = make_staff("520300")
    good = tmp_path / "ok.pdf"
    good.write_bytes(pdf())
    result = runner.invoke(args=["attachments", "add", str(project.id), str(good), "--kind", "land",
                                 "--as", zunyi.email])
    assert result.exit_code == 1
    investor = make_user(Role.INVESTOR)
    result = runner.invoke(args=["attachments", "add", str(project.id), str(good), "--kind", "land",
                                 "--as", investor.email])
    assert result.exit_code == 1
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    result = runner.invoke(args=["attachments", "add", str(project.id), str(good), "--kind", "land"])
    assert result.exit_code == 1 and "ok.pdf" in result.output
    assert runner.invoke(args=["attachments", "list", "999999"]).exit_code == 1
    assert runner.invoke(args=["attachments", "delete", "0"]).exit_code == 1
    assert runner.invoke(args=["attachments", "add", str(project.id), "--kind", "land"]).exit_code == 2
    assert _count() == 0
