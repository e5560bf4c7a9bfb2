"""Attachments through their doors: the edit page (upload several, replace, delete), the
file itself (headers, who may see it) and the public project page in both languages."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from attachment_files import HTML, SVG, jpeg, pdf, png
from conftest import csrf_token
from factories import make_catalogue, make_project, make_staff, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue.models import CatalogueStatus, ProjectAttachment
from matchmaker.extensions import db


def _urls(project):
    base = f"/catalogues/{project.catalogue_id}/projects/{project.id}"
    return f"{base}/edit", f"{base}/attachments"


def _post_files(client, project, *files, **fields):
    _edit, upload = _urls(project)
    data = {"csrf_token": csrf_token(client), "kind": "feasibility", "language": "zh", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(upload, data=data, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProjectAttachment))


def test_staff_upload_several_files_on_the_edit_page(client, login):
    project = make_project(region_code="520100")
    login(make_staff("520100"))
    edit, _upload = _urls(project)
    page = client.get(edit).get_data(as_text=True)
    assert 'id="attachments"' in page and "multiple" in page and "还没有附件" in page
    response = _post_files(client, project, ("可行性研究报告.pdf", pdf()), ("用地.pdf", pdf("land")),
                           kind="land")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit#attachments")
    page = client.get(edit).get_data(as_text=True)
    assert "可行性研究报告.pdf" in page and "用地.pdf" in page
    assert _count() == 2


def test_a_refused_file_reenters_the_page_with_the_reason_and_writes_nothing(client, login):
    project = make_project()
    login(make_staff())
    response = _post_files(client, project, ("ok.pdf", pdf()), ("report.pdf", HTML))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "report.pdf" in page and "HTML" in page
    assert _count() == 0
    response = _post_files(client, project, ("map.svg", SVG))
    assert response.status_code == 422 and ".svg" in response.get_data(as_text=True)


def test_the_page_speaks_the_readers_language(client, login):
    project = make_project()
    login(make_staff())
    response = _post_files(client, project, ("photo.pdf", png()), kind="photo")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "内容是 PNG 图片" in page  # Chinese by default


def test_too_big_and_too_many(client, login, app):
    project = make_project()
    login(make_staff())
    app.config.update(ATTACHMENT_MAX_BYTES=1000, ATTACHMENT_MAX_COUNT=1)
    response = _post_files(client, project, ("big.pdf", pdf("x" * 2000)))
    assert response.status_code == 422 and "big.pdf" in response.get_data(as_text=True)
    assert _post_files(client, project, ("a.pdf", pdf())).status_code == 302
    response = _post_files(client, project, ("b.pdf", pdf("b")))
    assert response.status_code == 422 and _count() == 1
    app.config.update(MAX_CONTENT_LENGTH=5000)
    response = _post_files(client, project, ("huge.pdf", pdf("y" * 6000)))
    assert response.status_code == 413
    assert "5000 B" not in response.get_data(as_text=True)


def test_csrf_is_required(client, login):
    project = make_project()
    login(make_staff())
    _edit, upload = _urls(project)
    response = client.post(upload, data={"kind": "feasibility", "files": [(io.BytesIO(pdf()), "a.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and _count() == 0


def test_investors_and_out_of_scope_staff_cannot_upload(client, login):
    project = make_project(region_code="520100")
    login(make_user(Role.INVESTOR))
    assert _post_files(client, project, ("a.pdf", pdf())).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(make_staff("520300"))  # Zunyi
    response = _post_files(client, project, ("a.pdf", pdf()))
    assert response.status_code == 422
    assert _count() == 0


def test_replace_and_delete_on_the_page_are_audited(client, login):
    project = make_project()
    login(make_staff())
    _post_files(client, project, ("v1.pdf", pdf("v1")))
    (attachment,) = db.session.scalars(sa.select(ProjectAttachment)).all()
    base = f"{_urls(project)[1]}/{attachment.id}"
    response = client.post(f"{base}/replace", data={"csrf_token": csrf_token(client),
                                                     "file": (io.BytesIO(pdf("v2")), "v2.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProjectAttachment, attachment.id).filename == "v2.pdf"
    response = client.post(f"{base}/replace", data={"csrf_token": csrf_token(client),
                                                     "file": (io.BytesIO(HTML), "v3.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302  # back to the page, the reason flashed
    assert "HTML" in client.get(_urls(project)[0]).get_data(as_text=True)
    assert client.post(f"{base}/delete", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert _count() == 0
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("attachment.%")).order_by(AuditEvent.id)).all()
    assert actions == ["attachment.add", "attachment.replace", "attachment.delete"]
    other = make_project()
    assert client.post(f"/catalogues/{other.catalogue_id}/projects/{other.id}/attachments/"
                       f"{attachment.id}/delete", data={"csrf_token": csrf_token(client)}).status_code == 404


def _attach(project, name, content, *, kind="feasibility", **fields):
    from matchmaker.catalogue.attachments import Upload, add_attachments

    (attachment,) = add_attachments(project, [Upload(name, content)],
                                    {"kind": kind, "language": "zh", **fields}, user=None)
    db.session.commit()
    return attachment


def _file_url(attachment) -> str:
    return f"/projects/{attachment.project_id}/attachments/{attachment.id}"


def test_a_document_is_served_with_exact_headers(client):
    project = make_project()
    study = pdf()
    attachment = _attach(project, "可行性研究报告.pdf", study)
    response = client.get(_file_url(attachment))
    assert response.status_code == 200 and response.data == study
    headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Length"] == str(len(study))
    assert headers["Content-Disposition"] == (
        f"attachment; filename=.pdf; filename*=UTF-8''{quote('可行性研究报告.pdf')}")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    assert headers["ETag"] == f'"{attachment.sha256}"'
    assert headers["Cache-Control"] == "public, max-age=600"
    assert headers["Accept-Ranges"] == "bytes" and "Last-Modified" in headers


def test_conditional_range_and_head(client):
    attachment = _attach(make_project(), "study.pdf", pdf())
    url = _file_url(attachment)
    assert client.get(url, headers={"If-None-Match": f'"{attachment.sha256}"'}).status_code == 304
    partial = client.get(url, headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.data == b"%PDF-1.4"
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(pdf()))
    assert client.get(url, headers={"Range": "bytes=99999-"}).status_code == 416


def test_images_are_shown_inline_or_downloaded_on_request(client):
    photo = _attach(make_project(), "site photo.jpg", jpeg(), kind="photo")
    response = client.get(_file_url(photo))
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == 'inline; filename="site photo.jpg"'
    assert client.get(_file_url(photo) + "?download=1").headers["Content-Disposition"].startswith("attachment")


def test_unpublished_projects_files_are_hidden_from_visitors(client, login):
    draft = make_project(make_catalogue(status=CatalogueStatus.DRAFT))
    attachment = _attach(draft, "study.pdf", pdf())
    assert client.get(_file_url(attachment)).status_code == 404
    login(make_user(Role.INVESTOR))
    assert client.get(_file_url(attachment)).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(make_staff())
    preview = client.get(_file_url(attachment))
    assert preview.status_code == 200
    assert "private" in preview.headers["Cache-Control"] and "no-store" in preview.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/projects/{p}/attachments/999999", "/projects/{other}/attachments/{a}",
                                  "/projects/{p}/attachments/99999999999"])
def test_unknown_or_mismatched_attachments_are_404(client, path):
    project, other = make_project(), make_project()
    attachment = _attach(project, "a.pdf", pdf())
    url = path.format(p=project.id, other=other.id, a=attachment.id)
    assert client.get(url).status_code == 404


def test_the_public_page_lists_attachments_in_both_languages(client):
    project = make_project()
    _attach(project, "feasibility.pdf", pdf(), title="可行性研究报告", title_en="Feasibility study")
    _attach(project, "land.pdf", pdf("land"), kind="land", title="用地预审意见")
    _attach(project, "site.png", png(), kind="photo", language="none", title_en="The site")
    page = client.get(f"/projects/{project.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "可行性研究报告" in page and "用地预审意见" in page and "Feasibility study" not in page
    assert page.index("可行性研究报告") < page.index("用地预审意见")
    english = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Documents and photos" in english and "Feasibility study" in english
    assert "用地预审意见</a> <small class=\"hint chinese-only\">(Chinese title only)</small>" in english
    assert "Land documents" in english and "PDF" in english
    assert f'<img src="/projects/{project.id}/attachments/' in english and 'alt="The site"' in english
    assert "Contact in English" in english  # the contact path of item 6 is there


def test_a_project_without_attachments_shows_no_section(client):
    project = make_project()
    assert 'id="attachments"' not in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_out_of_scope_staff_cannot_replace_or_delete_on_the_page(client, login):
    project = make_project(region_code="520100")
    attachment = _attach(project, "a.pdf", pdf())
    login(make_staff("520300"))
    base = f"{_urls(project)[1]}/{attachment.id}"
    client.post(f"{base}/replace", data={"csrf_token": csrf_token(client),
                                         "file": (io.BytesIO(pdf("b")), "b.pdf")},
                content_type="multipart/form-data")
    client.post(f"{base}/delete", data={"csrf_token": csrf_token(client)})
    db.session.expire_all()
    assert db.session.get(ProjectAttachment, attachment.id).filename == "a.pdf"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("attachment.replace", "attachment.delete")))) == 0
