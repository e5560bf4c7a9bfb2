"""Uploads awaiting import, kept where every worker and machine can read them.

A staff member previews an upload on one machine and imports it, a minute later, through
another: the bytes cannot wait on one machine's disk. `uploads()` returns the configured
store (UPLOAD_STORE): "database" (the default: a table, written in the same transaction as
the import batch that refers to it) or "directory:/shared/path" (a folder every machine
mounts). An object store (S3 and the like) plugs in as one more class with `put` and `get`.
Keys are the sha256 of the bytes, never a name the user chose.

Project attachments (catalogue.attachments) keep their bytes here for good, not only until
an import: `purge` is given the keys still referenced (`keep`) and leaves them, and
`delete` removes one key when its last user is gone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, utcnow
from matchmaker.extensions import db


class StoredUpload(Base):
    __tablename__ = "stored_uploads"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredUpload {self.sha256[:12]}… {self.size} bytes>"


class UploadStore(Protocol):
    def put(self, data: bytes) -> str: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def purge(self, older_than: timedelta, keep: Collection[str] = ()) -> int: ...


def upload_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DatabaseUploadStore:
    """Rows of `stored_uploads`, added to the caller's transaction (the caller commits)."""

    def put(self, data: bytes) -> str:
        key = upload_key(data)
        if db.session.get(StoredUpload, key) is None:
            db.session.add(StoredUpload(sha256=key, size=len(data), data=data))
            db.session.flush()
        return key

    def get(self, key: str) -> bytes | None:
        if len(key or "") != 64:
            return None
        row = db.session.get(StoredUpload, key)
        return bytes(row.data) if row is not None else None

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(StoredUpload).where(StoredUpload.sha256 == key))

    def purge(self, older_than: timedelta, keep: Collection[str] = ()) -> int:
        statement = sa.delete(StoredUpload).where(StoredUpload.created_at < utcnow() - older_than)
        if keep:
            statement = statement.where(StoredUpload.sha256.notin_(list(keep)))
        result = db.session.execute(statement)
        return result.rowcount or 0


class DirectoryUploadStore:
    """Files in a folder shared by every machine (NFS and the like)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def put(self, data: bytes) -> str:
        key = upload_key(data)
        target = self.path / key
        if not target.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            part = target.with_suffix(".part")
            part.write_bytes(data)
            part.replace(target)
        return key

    def get(self, key: str) -> bytes | None:
        target = self.path / (key or "")
        if len(key or "") != 64 or not target.is_file():
            return None
        return target.read_bytes()

    def delete(self, key: str) -> None:
        if len(key or "") == 64 and "/" not in key:
            (self.path / key).unlink(missing_ok=True)

    def purge(self, older_than: timedelta, keep: Collection[str] = ()) -> int:
        limit = (utcnow() - older_than).timestamp()
        kept = set(keep)
        removed = 0
        for item in self.path.glob("*"):
            if len(item.name) == 64 and item.name not in kept and item.stat().st_mtime < limit:
                item.unlink(missing_ok=True)
                removed += 1
        return removed


def uploads() -> UploadStore:

    setting = str(current_app.config.get("UPLOAD_STORE") or "database")
    if setting.startswith("directory:"):
        return DirectoryUploadStore(setting.removeprefix("directory:"))
    return DatabaseUploadStore()
