"""The search index's tables: one searchable row per project, and the index's version.

`search_documents` is written only by `matchmaker.search.operations.reindex_projects`
(Core bulk statements), which runs when the catalogue announces `projects_written`. `search_index_state` holds one row: `generation` goes up with each
reindex (documents carry the generation that wrote them), `token` changes with each, and
`full_generation` is the generation of the last full rebuild. A process's in-memory index
compares the token (one primary-key read per search) and loads only newer documents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, Money, UTCDateTime


class SearchDocument(Base):
    __tablename__ = "search_documents"

    # No foreign key: a deleted project keeps a row with visible = false (a tombstone),
    # so that other processes learn about the deletion incrementally.
    project_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)
    visible: Mapped[bool] = mapped_column(nullable=False)
    name_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    content_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    sector_codes: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    region_code: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    investment_sought_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal(0))
    cooperation_modes: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="open")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.project_id} gen={self.generation} visible={self.visible}>"


class SearchIndexState(Base):
    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    full_generation: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    token: Mapped[str] = mapped_column(sa.String(32), nullable=False)

    def __repr__(self) -> str:
        return f"<SearchIndexState gen={self.generation} full={self.full_generation}>"
