"""Catalogues, projects and their import history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, Money, UTCDateTime, str_enum, utcnow
from matchmaker.editions.models import Edition
from matchmaker.editions.rates import effective_rates
from matchmaker.i18n import NP_
from matchmaker.reference.models import Region, Sector
from matchmaker.reference.vocabulary import CooperationMode, LabelledEnum


class CatalogueStatus(LabelledEnum):
    DRAFT = "draft", NP_("catalogue status", "Draft")
    PUBLISHED = "published", NP_("catalogue status", "Published")


class ReviewState(LabelledEnum):
    """The province's review of a catalogue assembled from the prefectures' uploads."""

    DRAFT = "draft", NP_("review state", "Being compiled")
    SUBMITTED = "submitted", NP_("review state", "Submitted for review")
    APPROVED = "approved", NP_("review state", "Approved")
    RETURNED = "returned", NP_("review state", "Returned for corrections")


class ProjectStatus(LabelledEnum):
    OPEN = "open", NP_("project status", "Open")
    NEGOTIATING = "negotiating", NP_("project status", "Negotiating")
    SIGNED = "signed", NP_("project status", "Signed")
    WITHDRAWN = "withdrawn", NP_("project status", "Withdrawn")


class Catalogue(Base):
    __tablename__ = "catalogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # The forum edition the catalogue is compiled for; `year` is that edition's year.
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(nullable=False)
    publisher: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    source_filename: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    source_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # Yuan per US dollar, shown with amounts converted from USD.
    usd_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 6), nullable=True)
    # Yuan per unit of other currencies, {"EUR": "7.8", "HKD": "0.92"} (decimal strings);
    # `usd_rate` stays the US dollar's (see `exchange_rates`).
    rates: Mapped[dict[str, str]] = mapped_column(sa.JSON, nullable=False, default=dict)
    # A catalogue that lists projects in other provinces too (e.g. a cooperation list):
    # their rows are stored with the province named and no Guizhou region.
    accepts_outside: Mapped[bool] = mapped_column(nullable=False, default=False)
    status: Mapped[CatalogueStatus] = mapped_column(
        str_enum(CatalogueStatus, "catalogue_status"), nullable=False, default=CatalogueStatus.DRAFT
    )
    review_state: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState, "review_state"), nullable=False, default=ReviewState.DRAFT,
        server_default=ReviewState.DRAFT.value,
    )
    # The reviewer's comment when returning it (kept until the next decision).
    review_comment: Mapped[str] = mapped_column(sa.Text, nullable=False, default="",
                                                server_default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the catalogue held when last approved, {code: {field: value}}: the reviewer sees
    # what changed since (operations.changes_since_approval).
    approved_snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    projects: Mapped[list[Project]] = relationship(back_populates="catalogue")
    edition: Mapped[Edition] = relationship()

    rate_source = "catalogue"  # for editions.rates: where a rate comes from

    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("usd_rate IS NULL OR usd_rate > 0", name="usd_rate_positive"),
    )

    def own_exchange_rates(self) -> dict[str, Decimal]:
        """The rates set on this catalogue (yuan per unit, by currency code)."""
        rates = {code: Decimal(str(value)) for code, value in (self.rates or {}).items() if value}
        if self.usd_rate is not None:
            rates["USD"] = Decimal(self.usd_rate)
        return rates

    def exchange_rates(self) -> dict[str, Decimal]:
        """Yuan per unit, by currency code, for the amount parser: the catalogue's own
        rates, and its edition's for currencies the catalogue does not set."""
        return {code: rate.yuan_per_unit for code, rate in effective_rates(self).items()}

    def __repr__(self) -> str:
        return f"<Catalogue {self.id} {self.name!r} {self.year}>"


project_sectors = sa.Table(
    "project_sectors",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sector_id", sa.ForeignKey("sectors.id"), primary_key=True),
)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogues.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    name_en: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    # What the project is, in English, as staff (or an English column) wrote it; empty:
    # English pages say "Chinese only" beside the Chinese description.
    summary_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), nullable=True, index=True)
    location: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    total_investment_yuan: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    investment_sought_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False)
    # Amounts written in a foreign currency keep that currency, the amount as written (in
    # that currency) and the catalogue rate they were converted at; NULL: written in yuan.
    currency: Mapped[str | None] = mapped_column(sa.String(3), nullable=True)
    exchange_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 8), nullable=True)
    total_investment_original: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    investment_sought_original: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    # The province of a project outside Guizhou (region_id is then NULL).
    province: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    cooperation_modes: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    construction_content: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    market_outlook: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    preparation_status: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    contact_person: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    # Columns of the uploaded sheet that map to no field, kept by their header text.
    extra: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), nullable=False, default=ProjectStatus.OPEN
    )
    # The fingerprint of the sheet row this project was last imported from (parser
    # `row_fingerprint`: its cells and everything outside it that gives them their meaning).
    # A re-upload skips a row whose fingerprint is still this one; any other write to the
    # project clears it (upkeep.forget_fingerprints), so the row is read again next time.
    row_fingerprint: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    catalogue: Mapped[Catalogue] = relationship(back_populates="projects")
    region: Mapped[Region | None] = relationship()
    sectors: Mapped[list[Sector]] = relationship(secondary=project_sectors, order_by="Sector.position")
    attachments: Mapped[list[ProjectAttachment]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProjectAttachment.id",
    )

    __table_args__ = (
        sa.UniqueConstraint("catalogue_id", "code", name="uq_projects_catalogue_id_code"),
        sa.CheckConstraint("investment_sought_yuan >= 0", name="sought_non_negative"),
        sa.CheckConstraint(
            "total_investment_yuan IS NULL OR total_investment_yuan >= 0", name="total_non_negative"
        ),
        sa.CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="exchange_rate_positive"),
        # What an import reads of every project of the catalogue (its keys and fingerprints),
        # and the candidates for "possible duplicate": same catalogue and region, sought
        # within 5 % (a range on the third column).
        sa.Index("ix_projects_import_lookup", "catalogue_id", "region_id", "investment_sought_yuan",
                 "code", "row_fingerprint", "status"),
    )

    @property
    def modes(self) -> list[CooperationMode]:
        """The cooperation modes as vocabulary members (stored as their codes)."""
        return [CooperationMode(code) for code in self.cooperation_modes or ()]

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.code} {self.name!r}>"


class AttachmentKind(LabelledEnum):
    """What a document attached to a project is (the order the project page lists them in)."""

    FEASIBILITY = "feasibility", NP_("attachment kind", "Feasibility study")
    LAND = "land", NP_("attachment kind", "Land documents")
    PHOTO = "photo", NP_("attachment kind", "Photo")
    OTHER = "other", NP_("attachment kind", "Other document")


class DocumentLanguage(LabelledEnum):
    """The language a document is written in (a foreign investor sees it before opening it)."""

    ZH = "zh", NP_("document language", "Chinese")
    EN = "en", NP_("document language", "English")
    BILINGUAL = "zh_en", NP_("document language", "Chinese and English")
    NONE = "none", NP_("document language", "No text (a photo or a map)")
    OTHER = "other", NP_("document language", "Another language")


class ProjectAttachment(Base):
    """A document or photo staff attached to a project. The bytes live in the upload store
    (`matchmaker.storage`, keyed by `sha256`); `content_type` is the type read from the
    content (`matchmaker.filetypes`), never the one the browser declared."""

    __tablename__ = "project_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[AttachmentKind] = mapped_column(
        str_enum(AttachmentKind, "attachment_kind"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    language: Mapped[DocumentLanguage] = mapped_column(
        str_enum(DocumentLanguage, "document_language"), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="attachments")
    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __repr__(self) -> str:
        return f"<ProjectAttachment {self.id} {self.kind} {self.filename!r}>"


class ImportBatch(Base):
    """One upload of a catalogue file: its report, whether it was committed, by whom."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogues.id"), nullable=True, index=True)
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    file_format: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="")
    committed: Mapped[bool] = mapped_column(nullable=False, default=False)
    created_count: Mapped[int] = mapped_column(nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(nullable=False, default=0)
    unchanged_count: Mapped[int] = mapped_column(nullable=False, default=0)
    rejected_count: Mapped[int] = mapped_column(nullable=False, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    catalogue: Mapped[Catalogue | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.filename!r} committed={self.committed}>"
