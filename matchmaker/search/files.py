"""The answer that hands out an attachment's bytes, shared by the file's page route and the
API's: the verified type, a Content-Disposition with the RFC 5987 `filename*` for Chinese
names (images inline unless a download is asked for, documents attached), nosniff, a
sandboxing Content-Security-Policy, the ETag from the sha256, caching (public for a
published project, private and not stored for a staff preview); conditional and range
requests and HEAD answered by send_file."""

from __future__ import annotations

import io

from flask import send_file

from matchmaker.catalogue import attachments
from matchmaker.catalogue.models import CatalogueStatus, ProjectAttachment

# A file someone uploaded is shown as a file, never run as a page of this site: the
# sandbox (no scripts, an opaque origin), nothing loaded from anywhere, no framing.
ATTACHMENT_CSP = ("sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                  "frame-ancestors 'none'")
PUBLIC_MAX_AGE = 600  # seconds a browser or proxy may reuse a published project's file


def attachment_response(attachment: ProjectAttachment, *, download: bool = False):
    data = attachments.attachment_bytes(attachment)
    published = attachment.project.catalogue.status == CatalogueStatus.PUBLISHED
    inline = attachment.is_image and not download
    response = send_file(
        io.BytesIO(data), mimetype=attachment.content_type, as_attachment=not inline,
        download_name=attachment.filename, conditional=True, etag=attachment.sha256,
        last_modified=attachment.uploaded_at, max_age=PUBLIC_MAX_AGE if published else None,
    )
    if not published:  # a staff preview: never kept by a shared cache
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
