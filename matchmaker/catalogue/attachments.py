"""Attachments of a project (feasibility study, land documents, photos, other documents):
add, replace, delete - one operation each for the edit page, the API and the CLI.

Every file is checked before anything is written: its type read from its content
(`matchmaker.filetypes`, the name's extension must agree), its size against
ATTACHMENT_MAX_BYTES (never above MAX_CONTENT_LENGTH), the project's count and total
against ATTACHMENT_MAX_COUNT and ATTACHMENT_MAX_TOTAL_BYTES, and the account's
prefectures. A batch is all or nothing: the first refused file refuses the batch (the
door rolls back). The bytes go to the upload store (`matchmaker.storage`: a database
table by default, so every worker and machine serves them); each change is audited.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from matchmaker.accounts.operations import require_region
from matchmaker.audit import record, snapshot
from matchmaker.catalogue.models import (
    AttachmentKind,
    DocumentLanguage,
    ImportBatch,
    Project,
    ProjectAttachment,
)
from matchmaker.db import utcnow
from matchmaker.errors import DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.filetypes import BY_MIMETYPE, FileType, FileTypeError, check_file
from matchmaker.i18n import N_, Message
from matchmaker.jobs import Job
from matchmaker.reference.labels import parse_label
from matchmaker.storage import upload_key, uploads
from matchmaker.validation import CONTROL_RE

AUDITED = ("kind", "title", "title_en", "language", "filename", "size", "content_type", "sha256")
MAX_TITLE = 200
MAX_FILENAME = 255
MB = 1024 * 1024


class AttachmentRefused(DomainError):
    """A file (or the batch) cannot be attached: type, size, limits, duplicate."""

    code = "attachment_refused"
    status = 422


@dataclass(frozen=True)
class Upload:
    """One file as a door received it."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_count: int
    max_total: int


def limits() -> Limits:
    config = current_app.config
    max_bytes = int(config.get("ATTACHMENT_MAX_BYTES") or 10 * MB)
    request_limit = config.get("MAX_CONTENT_LENGTH")
    if request_limit:
        max_bytes = min(max_bytes, int(request_limit))
    return Limits(max_bytes=max_bytes, max_count=int(config.get("ATTACHMENT_MAX_COUNT") or 30),
                  max_total=int(config.get("ATTACHMENT_MAX_TOTAL_BYTES") or 100 * MB))


def human_size(size: int) -> str:
    """'2.5 MB', '310 KB', '12 B': one decimal at most, trailing zeros dropped (the
    units read the same in Chinese)."""
    if size < 1024:
        return f"{size} B"
    value, unit = (size / MB, "MB") if size >= MB else (size / 1024, "KB")
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


def clean_filename(filename: str) -> str:
    """The name as uploaded, without its folders or control characters (NFC), at most 255
    characters with its extension kept; refused when nothing is left."""
    name = unicodedata.normalize("NFC", str(filename or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL_RE.sub("", name).strip().strip(".").strip()
    if not name:
        raise AttachmentRefused(N_("Every file needs a name with its extension (e.g. "
                                   "feasibility.pdf)."), field="files")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        keep = ("." + ext) if dot and len(ext) <= 10 else ""
        name = name[:MAX_FILENAME - len(keep)] + keep
    return name


def _title(value: Any, field: str) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if CONTROL_RE.search(text):
        raise AttachmentRefused(N_("The title contains a control character; remove it."),
                                field=field)
    if len(text) > MAX_TITLE:
        raise AttachmentRefused(N_("The title is too long (%(max)d characters at most)."),
                                field=field, max=MAX_TITLE)
    return text


def _choice(enum_cls, value: Any, field: str, message: str):
    if isinstance(value, enum_cls):
        return value
    member = parse_label(enum_cls, value)  # the value, or the English or Chinese label
    if member is None:
        raise AttachmentRefused(message, field=field,
                                choices=", ".join(m.value for m in enum_cls))
    return member


def parse_kind(value: Any) -> AttachmentKind:
    return _choice(AttachmentKind, value, "kind",
                   N_("Choose what the file is: %(choices)s."))


def parse_language(value: Any) -> DocumentLanguage:
    return _choice(DocumentLanguage, value or DocumentLanguage.ZH, "language",
                   N_("Choose the document's language: %(choices)s."))


def _refused(filename: str, reason: Message | str, **params: Any) -> AttachmentRefused:
    reason = reason if isinstance(reason, Message) else Message(reason, params)
    return AttachmentRefused(N_("%(filename)s: %(reason)s"), field="files",
                             filename=filename, reason=reason)


def refuse_too_big(filename: str, size: int, cap: Limits | None = None) -> None:
    """AttachmentRefused when a file of this size cannot be attached (the CLI asks before
    reading a file)."""
    cap = cap or limits()
    if size > cap.max_bytes:
        raise _refused(clean_filename(filename), N_("the file is %(size)s; an attachment may be "
                                                    "%(max)s at most."),
                       size=human_size(size), max=human_size(cap.max_bytes))


def _checked(upload: Upload, kind: AttachmentKind, cap: Limits) -> tuple[str, FileType]:
    """The clean name and verified type of one file, or AttachmentRefused naming it."""
    filename = clean_filename(upload.filename)
    refuse_too_big(filename, len(upload.data), cap)
    try:
        filetype = check_file(upload.data, filename)
    except FileTypeError as error:
        raise _refused(filename, error.message) from error
    if kind == AttachmentKind.PHOTO and not filetype.image:
        raise _refused(filename, N_("a photo must be a JPEG, PNG or WebP image; attach "
                                    "documents under another kind."))
    return filename, filetype


def _project_usage(project: Project, *, leaving_out: int | None = None) -> tuple[int, int, set[str]]:
    """How many attachments the project has, their total size and their sha256 keys."""
    rows = db.session.execute(
        sa.select(ProjectAttachment.id, ProjectAttachment.size, ProjectAttachment.sha256)
        .where(ProjectAttachment.project_id == project.id)
    ).all()
    rows = [row for row in rows if row.id != leaving_out]
    return len(rows), sum(row.size for row in rows), {row.sha256 for row in rows}


def _check_totals(count: int, total: int, cap: Limits) -> None:
    if count > cap.max_count:
        raise AttachmentRefused(N_("A project can have %(max)d attachments at most; delete "
                                   "some before adding more."), field="files", max=cap.max_count)
    if total > cap.max_total:
        raise AttachmentRefused(N_("The project's attachments would take %(size)s; a project "
                                   "may have %(max)s at most."), field="files",
                                size=human_size(total), max=human_size(cap.max_total))


def add_attachments(project: Project, files: Sequence[Upload], data: dict[str, Any], *,
                    user) -> list[ProjectAttachment]:
    """Attach one or several files to the project, with one kind, language and (for a
    single file) title. All are checked first; nothing is written unless all pass."""
    require_region(user, project.region)
    files = [f for f in files if f.data or f.filename]
    if not files:
        raise AttachmentRefused(N_("Choose at least one file to attach."), field="files")
    kind = parse_kind(data.get("kind"))
    language = parse_language(data.get("language"))
    title = _title(data.get("title"), "title")
    title_en = _title(data.get("title_en"), "title_en")
    if len(files) > 1 and (title or title_en):
        raise AttachmentRefused(N_("A title names one file: upload the files one at a time to "
                                   "give each its title, or leave the title empty."), field="title")
    cap = limits()
    count, total, present = _project_usage(project)
    checked = []
    for upload in files:
        filename, filetype = _checked(upload, kind, cap)
        key = upload_key(upload.data)
        if key in present:
            raise _refused(filename, N_("this file is already attached to the project."))
        present.add(key)
        checked.append((upload, filename, filetype, key))
    _check_totals(count + len(checked), total + sum(len(u.data) for u, *_ in checked), cap)
    store = uploads()
    added = []
    for upload, filename, filetype, _key in checked:
        attachment = ProjectAttachment(
            project_id=project.id, kind=kind, title=title, title_en=title_en, language=language,
            filename=filename, size=len(upload.data), content_type=filetype.mimetype,
            sha256=store.put(upload.data), uploaded_by_id=getattr(user, "id", None),
        )
        db.session.add(attachment)
        db.session.flush()
        record("attachment.add", "project", project.id, user=user,
               after={"attachment_id": attachment.id, **snapshot(attachment, list(AUDITED))})
        added.append(attachment)
    db.session.expire(project, ["attachments"])
    return added


def replace_attachment(attachment: ProjectAttachment, upload: Upload, *, user) -> ProjectAttachment:
    """Put a new file in place of the attachment's (same kind, title and language): a
    corrected study keeps its place and link."""
    project = attachment.project
    require_region(user, project.region)
    cap = limits()
    filename, filetype = _checked(upload, attachment.kind, cap)
    count, total, present = _project_usage(project, leaving_out=attachment.id)
    key = upload_key(upload.data)
    if key == attachment.sha256:
        raise _refused(filename, N_("this is the file already attached; nothing to replace."))
    if key in present:
        raise _refused(filename, N_("this file is already attached to the project."))
    _check_totals(count + 1, total + len(upload.data), cap)
    before = snapshot(attachment, list(AUDITED))
    old_key = attachment.sha256
    attachment.filename = filename
    attachment.size = len(upload.data)
    attachment.content_type = filetype.mimetype
    attachment.sha256 = uploads().put(upload.data)
    attachment.uploaded_by_id = getattr(user, "id", None)
    attachment.uploaded_at = utcnow()
    db.session.flush()
    record("attachment.replace", "project", project.id, user=user,
           before={"attachment_id": attachment.id, **before},
           after={"attachment_id": attachment.id, **snapshot(attachment, list(AUDITED))})
    _forget_bytes(old_key)
    return attachment


def delete_attachment(attachment: ProjectAttachment, *, user) -> None:
    """Remove the attachment (audited with what it was); its bytes go too unless another
    attachment or a pending import still uses the same file."""
    project = attachment.project
    require_region(user, project.region)
    record("attachment.delete", "project", project.id, user=user,
           before={"attachment_id": attachment.id, **snapshot(attachment, list(AUDITED))})
    key = attachment.sha256
    db.session.delete(attachment)
    db.session.flush()
    db.session.expire(project, ["attachments"])
    _forget_bytes(key)


def _forget_bytes(key: str) -> None:
    """Delete stored bytes nobody refers to any more: no attachment, no import batch, no
    job's result (the store is shared with imports and exports)."""
    still_used = db.session.scalar(sa.select(
        sa.exists().where(ProjectAttachment.sha256 == key)
        | sa.exists().where(ImportBatch.sha256 == key)
        | sa.exists().where(sa.cast(Job.result, sa.Text).contains(key))
    ))
    if not still_used:
        uploads().delete(key)


def attachment_bytes(attachment: ProjectAttachment) -> bytes:
    data = uploads().get(attachment.sha256)
    if data is None:
        raise NotFound(N_("The file of this attachment is no longer stored."))
    return data


def project_attachment(project_id: int, attachment_id: int) -> ProjectAttachment | None:
    """The attachment when it belongs to that project (None otherwise: a 404)."""
    attachment = db.session.get(ProjectAttachment, attachment_id)
    if attachment is None or attachment.project_id != project_id:
        return None
    return attachment


KIND_ORDER = {kind: position for position, kind in enumerate(AttachmentKind)}


def ordered(attachments: Sequence[ProjectAttachment]) -> list[ProjectAttachment]:
    """Studies first, then land documents, photos, others; each kind oldest first."""
    return sorted(attachments, key=lambda a: (KIND_ORDER.get(a.kind, 99), a.id))


def type_label(attachment: ProjectAttachment):
    """The file type's label (PDF, Word (.docx) …) for the lists."""
    filetype = BY_MIMETYPE.get(attachment.content_type)
    return filetype.label if filetype else None
