"""Project attachments: what the type check accepts and refuses (by content, the name
agreeing), and the operations every door calls - limits, scope, duplicates, all or nothing,
replace and delete audited, the bytes kept in the upload store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from attachment_files import (
    EXE,
    HTML,
    SCRIPT,
    SVG,
    jpeg,
    ole,
    ooxml,
    pdf,
    plain_zip,
    png,
    real_xls,
    real_xlsx,
    webp,
)
from factories import make_catalogue, make_project, make_staff, make_user, region

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.catalogue import attachments
from matchmaker.catalogue.attachments import Upload
from matchmaker.catalogue.models import AttachmentKind, DocumentLanguage, ProjectAttachment
from matchmaker.errors import DomainError, Forbidden
from matchmaker.extensions import db
from matchmaker.filetypes import FileTypeError, check_file, extension_of
from matchmaker.storage import StoredUpload, upload_key

# ------------------------------------------------------------------------ the type check


@pytest.mark.parametrize(("data", "filename", "code"), [
    (pdf(), "可行性研究报告.pdf", "pdf"),
    (jpeg(), "site.JPG", "jpeg"),
    (jpeg(), "site.jpeg", "jpeg"),
    (png(), "map.png", "png"),
    (webp(), "aerial.webp", "webp"),
    (ooxml("docx"), "study.docx", "docx"),
    (ooxml("xlsx"), "budget.xlsx", "xlsx"),
    (real_xlsx(), "catalogue.xlsx", "xlsx"),
    (ooxml("pptx"), "pitch.pptx", "pptx"),
    (ole("WordDocument", "1Table"), "old.doc", "doc"),
    (real_xls(), "old.xls", "xls"),
    (ole("PowerPoint Document"), "old.ppt", "ppt"),
])
def test_accepted_types_are_read_from_the_content(data, filename, code):
    assert check_file(data, filename).code == code


@pytest.mark.parametrize(("data", "filename", "says"), [
    (HTML, "study.pdf", "HTML"),
    (SVG, "photo.png", "SVG"),
    (SVG, "drawing.svg", ".svg cannot be attached"),
    (HTML, "page.html", ".html cannot be attached"),
    (EXE, "setup.pdf", "Windows program"),
    (SCRIPT, "run.docx", "script"),
    (pdf(), "study.docx", "named .docx but its content is PDF"),
    (png(), "photo.jpg", "named .jpg but its content is PNG"),
    (ooxml("xlsx"), "study.docx", "content is Excel (.xlsx)"),
    (ooxml("docm"), "study.docx", "macros"),
    (ooxml("docx", extra={"word/vbaProject.bin": b"x"}), "study.docx", "macros"),
    (ole("WordDocument", "Macros"), "old.doc", "macros"),
    (ole("EncryptedPackage", "EncryptionInfo"), "secret.docx", "password"),
    (ole("Something"), "odd.doc", "not a Word, Excel"),
    (plain_zip(), "photos.docx", "ZIP archive"),
    (b"PK\x03\x04broken", "broken.xlsx", "damaged"),
    (b"GIF89a" + b"\x00" * 20, "anim.jpg", "GIF"),
    (b"just some text", "notes.pdf", "not one of the accepted types"),
    (b"", "empty.pdf", "empty"),
    (pdf(), "study", "no extension"),
    (pdf(), ".pdf", "no extension"),
])
def test_refused_files_say_why(data, filename, says):
    with pytest.raises(FileTypeError) as refused:
        check_file(data, filename)
    assert says in str(refused.value)


@pytest.mark.parametrize(("filename", "extension"), [
    ("a.PDF", ".pdf"), ("dir/b.tar.gz", ".gz"), ("C:\\x\\c.docx", ".docx"), ("noext", ""),
    (".hidden", ""), ("trailing.", ""),
])
def test_extension_of(filename, extension):
    assert extension_of(filename) == extension


def test_ole_reader_survives_garbage():
    from matchmaker.filetypes import ole_stream_names

    broken = ole("WordDocument")[:600] + b"\xff" * 100
    assert isinstance(ole_stream_names(broken), set)
    looping = bytearray(ole("WordDocument"))
    looping[512 + 4:512 + 8] = (1).to_bytes(4, "little")  # the directory chain points at itself
    assert "worddocument" in ole_stream_names(bytes(looping))


# ------------------------------------------------------------------------ the operations



def _add(project, *files, user, **data):
    result = attachments.add_attachments(
        project, [Upload(name, content) for name, content in files],
        {"kind": "feasibility", "language": "zh", **data}, user=user)
    db.session.commit()
    return result


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_staff_attach_files_to_a_project(app):
    project = make_project()
    staff = make_staff("520100")
    study = pdf("Feasibility")
    added = _add(project, ("可行性研究报告.pdf", study), user=staff, title="可行性研究报告",
                 title_en="Feasibility study")
    (attachment,) = added
    assert (attachment.kind, attachment.language, attachment.content_type, attachment.size) == (
        AttachmentKind.FEASIBILITY, DocumentLanguage.ZH, "application/pdf", len(study))
    assert attachment.sha256 == upload_key(study)
    assert attachment.uploaded_by_id == staff.id and attachment.uploaded_at is not None
    assert attachments.attachment_bytes(attachment) == study
    (event,) = _audit("attachment.add")
    assert (event.entity, event.entity_id, event.user_id) == ("project", project.id, staff.id)
    assert event.after["filename"] == "可行性研究报告.pdf" and event.after["kind"] == "feasibility"
    assert [a.id for a in project.attachments] == [attachment.id]


def test_several_photos_in_one_batch(app):
    project = make_project()
    added = _add(project, ("a.jpg", jpeg()), ("b.png", png()), ("c.webp", webp()),
                 user=make_staff(), kind="photo", language="none")
    assert [a.content_type for a in added] == ["image/jpeg", "image/png", "image/webp"]
    assert len(_audit("attachment.add")) == 3


def test_one_refused_file_refuses_the_whole_batch(app):
    project = make_project()
    with pytest.raises(DomainError) as refused:
        attachments.add_attachments(project, [Upload("ok.pdf", pdf()), Upload("bad.pdf", HTML)],
                                    {"kind": "land"}, user=make_staff())
    db.session.rollback()
    assert "bad.pdf" in str(refused.value) and "HTML" in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectAttachment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredUpload)) == 0
    assert _audit("attachment.add") == []


@pytest.mark.parametrize(("files", "data", "says"), [
    ([], {}, "at least one file"),
    ([("a.pdf", pdf())], {"kind": "brochure"}, "feasibility, land, photo, other"),
    ([("a.pdf", pdf())], {"kind": "photo"}, "a photo must be a JPEG"),
    ([("a.pdf", pdf())], {"language": "fr"}, "zh, en, zh_en"),
    ([("a.pdf", pdf("1")), ("b.pdf", pdf("2"))], {"title": "报告"}, "A title names one file"),
    ([("a.pdf", pdf()), ("b.pdf", pdf())], {}, "already attached"),
    ([("a.pdf", pdf())], {"title": "x" * 201}, "too long"),
    ([("a.pdf", pdf())], {"title_en": "bad\x00title"}, "control character"),
    ([("", pdf())], {}, "needs a name"),
    ([("../../", pdf())], {}, "needs a name"),
])
def test_bad_requests_are_refused_with_a_reason(app, files, data, says):
    project = make_project()
    with pytest.raises(DomainError) as refused:
        attachments.add_attachments(project, [Upload(n, c) for n, c in files],
                                    {"kind": "feasibility", **data}, user=make_staff())
    assert says in str(refused.value)


def test_size_count_and_total_limits(app):
    project = make_project()
    app.config.update(ATTACHMENT_MAX_BYTES=2000, ATTACHMENT_MAX_COUNT=2, ATTACHMENT_MAX_TOTAL_BYTES=3000)
    big = pdf("x" * 3000)
    with pytest.raises(DomainError, match=r"big\.pdf: the file is 3\.\d KB; an attachment may be 2 KB at most"):
        _add(project, ("big.pdf", big), user=make_staff())
    db.session.rollback()
    _add(project, ("one.pdf", pdf("1" * 1000)), user=make_staff())
    with pytest.raises(DomainError, match=r"would take 3\.\d KB; a project may have 2\.9 KB at most"):
        _add(project, ("two.pdf", pdf("2" * 1500)), user=make_staff())
    db.session.rollback()
    _add(project, ("two.pdf", pdf("2")), user=make_staff())
    with pytest.raises(DomainError, match="2 attachments at most"):
        _add(project, ("three.pdf", pdf("3")), user=make_staff())


def test_the_per_file_limit_never_exceeds_the_request_limit(app):
    app.config.update(ATTACHMENT_MAX_BYTES=50 * 1024 * 1024, MAX_CONTENT_LENGTH=1024)
    assert attachments.limits().max_bytes == 1024


def test_out_of_scope_staff_cannot_attach_replace_or_delete(app):
    project = make_project(region_code="520100")  # Guiyang
    (attachment,) = _add(project, ("a.pdf", pdf()), user=make_staff())
    zunyi = make_staff("520300")
    with pytest.raises(Forbidden):
        attachments.add_attachments(project, [Upload("b.pdf", pdf("b"))], {"kind": "land"}, user=zunyi)
    with pytest.raises(Forbidden):
        attachments.replace_attachment(attachment, Upload("c.pdf", pdf("c")), user=zunyi)
    with pytest.raises(Forbidden):
        attachments.delete_attachment(attachment, user=zunyi)
    db.session.rollback()
    assert len(project.attachments) == 1 and len(_audit("attachment.add")) == 1


def test_replace_keeps_the_place_and_audits_both_files(app):
    project = make_project()
    staff = make_staff()
    (attachment,) = _add(project, ("v1.pdf", pdf("v1")), user=staff, title="可研")
    old_key = attachment.sha256
    attachments.replace_attachment(attachment, Upload("v2.pdf", pdf("v2")), user=staff)
    db.session.commit()
    assert (attachment.filename, attachment.title) == ("v2.pdf", "可研")
    assert attachments.attachment_bytes(attachment) == pdf("v2")
    assert db.session.get(StoredUpload, old_key) is None  # nobody uses the old file
    (event,) = _audit("attachment.replace")
    assert (event.before["filename"], event.after["filename"]) == ("v1.pdf", "v2.pdf")
    with pytest.raises(DomainError, match="already attached; nothing to replace"):
        attachments.replace_attachment(attachment, Upload("v2.pdf", pdf("v2")), user=staff)
    with pytest.raises(DomainError, match="content is PNG"):
        attachments.replace_attachment(attachment, Upload("v3.pdf", png()), user=staff)


def test_delete_is_audited_and_removes_bytes_nobody_else_uses(app):
    one, two = make_project(), make_project()
    staff = make_staff()
    (first,) = _add(one, ("same.pdf", pdf("same")), user=staff)
    (second,) = _add(two, ("same.pdf", pdf("same")), user=staff)
    key = first.sha256
    attachments.delete_attachment(first, user=staff)
    db.session.commit()
    assert db.session.get(StoredUpload, key) is not None  # the other project still has it
    (event,) = _audit("attachment.delete")
    assert event.before["filename"] == "same.pdf" and event.entity_id == one.id
    attachments.delete_attachment(second, user=staff)
    db.session.commit()
    assert db.session.get(StoredUpload, key) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectAttachment)) == 0


def test_directory_store_keeps_attachments(app, tmp_path):
    app.config["UPLOAD_STORE"] = f"directory:{tmp_path}"
    project = make_project()
    (attachment,) = _add(project, ("a.png", png()), user=make_staff(), kind="photo")
    assert (tmp_path / attachment.sha256).read_bytes() == png()
    attachments.delete_attachment(attachment, user=make_staff())
    db.session.commit()
    assert not (tmp_path / attachment.sha256).exists()


def test_purge_keeps_the_keys_it_is_told_to(app):
    from datetime import timedelta

    from matchmaker.storage import uploads

    project = make_project(catalogue=make_catalogue())
    (attachment,) = _add(project, ("a.pdf", pdf()), user=make_staff())
    assert uploads().purge(timedelta(seconds=-60), keep={attachment.sha256}) == 0
    assert attachments.attachment_bytes(attachment) == pdf()
