"""JSON shapes of catalogues and projects (see INTERFACES.md), shared by the API and the
CLI's --json. Amounts are decimal strings in yuan."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from matchmaker.i18n import N_
from matchmaker.reference.labels import names
from matchmaker.reference.loaders import draft_english
from matchmaker.reference.schemas import RegionRef, SectorRef
from matchmaker.schemas import (
    Flag,
    OptionalYuan,
    Rate,
    RateIn,
    Schema,
    Timestamp,
    Upload,
    optional_text,
    text,
    whole,
)
from matchmaker.validation import InputError


class ProjectOut(Schema):
    id: int
    catalogue_id: int
    code: str | None
    name: str
    name_en: str | None
    sectors: list[SectorRef]
    region: RegionRef | None
    location: str | None
    total_investment_yuan: OptionalYuan
    investment_sought_yuan: OptionalYuan
    # amounts written in a foreign currency keep it: the currency, the catalogue rate
    # (yuan per unit) and the amounts in that currency (null where written in yuan)
    currency: str
    rate: Rate
    total_investment_original: OptionalYuan
    investment_sought_original: OptionalYuan
    province: str | None
    cooperation_modes: list[str]
    status: str
    summary: str | None
    summary_en: str = Field("", description="the English summary staff wrote ('' when none)")
    name_en_draft: str | None = Field(
        None, description="a machine-made draft English name (glossary + gazetteer) when no person "
                          "has written name_en; never official, null when name_en is set or no draft")

    @classmethod
    def fields_of(cls, project) -> dict[str, Any]:
        return {
            "id": project.id,
            "catalogue_id": project.catalogue_id,
            "code": project.code,
            "name": project.name,
            "name_en": project.name_en,
            "sectors": [SectorRef.of(s) for s in project.sectors],
            "region": RegionRef.of(project.region),
            "location": project.location,
            "total_investment_yuan": project.total_investment_yuan,
            "investment_sought_yuan": project.investment_sought_yuan,
            "currency": project.currency or "CNY",
            "rate": project.exchange_rate,
            "total_investment_original": project.total_investment_original,
            "investment_sought_original": project.investment_sought_original,
            "province": project.province or ("贵州省" if project.region is not None else None),
            "cooperation_modes": list(project.cooperation_modes or []),
            "status": project.status.value,
            "summary": project.construction_content,
            "summary_en": project.summary_en or "",
            "name_en_draft": None if project.name_en else draft_english(project.name),
        }

    @classmethod
    def of(cls, project) -> ProjectOut:
        return cls(**cls.fields_of(project))


class ProjectWithContact(ProjectOut):
    """A project as a signed-in client sees it: with the owner and contact details."""

    owner: str | None
    contact_person: str | None
    contact_phone: str | None

    @classmethod
    def of(cls, project) -> ProjectWithContact:
        return cls(**cls.fields_of(project), owner=project.owner,
                   contact_person=project.contact_person, contact_phone=project.contact_phone)


def project_json(project, *, with_contact: bool = False) -> dict[str, Any]:
    """A project as JSON (the CLI's --json and every answer that embeds a project)."""
    return (ProjectWithContact if with_contact else ProjectOut).of(project).dump()


# ------------------------------------------------------------------------ import


class ImportForm(Schema):
    """multipart/form-data of POST /catalogues."""

    file: Upload
    name: text(200, required=True, description="the catalogue's name")
    year: whole(2000, 2100)
    usd_rate: RateIn = Field(None, description="yuan per US dollar (sets the catalogue's rate)")
    rates: text(300) = Field("", description="yuan per unit of other currencies: "
                                             "EUR=7.8,HKD=0.92 (EUR, HKD, JPY, GBP)")
    accepts_outside: Flag = Field(False, description="the catalogue takes projects outside Guizhou")
    sought_from_total: Flag = Field(False, description="no 拟引资 column: investment sought = "
                                                       "total investment")
    keep_unclassified: Flag = Field(False, description="keep rows whose sector is outside the "
                                                       "taxonomy, without a sector")
    dry_run: Flag = False
    skip_invalid: Flag = False
    confirm_withdraw: Flag = False

    @model_validator(mode="after")
    def _year_given(self) -> ImportForm:
        if self.year is None:
            raise InputError(N_("Give the catalogue's year in the field 'year' (e.g. 2023)."),
                             field="year")
        return self


class CatalogueOut(Schema):
    id: int | None
    name: str
    year: int
    status: str
    usd_rate: str | None
    rates: dict[str, str]
    accepts_outside: bool
    projects: int
    investment_sought_yuan: str
    review_state: str = Field("draft", description="draft | submitted | approved | returned")
    review_comment: str = ""


class ReviewIn(Schema):
    comment: text(2000, description="what the prefectures should correct (to return)") = ""


class CatalogueList(Schema):
    items: list[CatalogueOut]


class CatalogueQuery(Schema):
    edition: text(10) = Field("", description="a year (default: the current edition) or 'all'")


class CatalogueIn(Schema):
    """A new, empty catalogue of an edition (upload its sheet with POST /catalogues)."""

    name: text(200, required=True)
    year: whole(2000, 2100) = Field(None, description="the forum edition's year")
    publisher: text(200) = ""
    usd_rate: RateIn = Field(None, description="yuan per US dollar")
    rates: text(300) = Field("", description="yuan per unit of other currencies: "
                                             "EUR=7.8,HKD=0.92")
    accepts_outside: Flag = Field(False, description="the catalogue takes projects outside "
                                                     "Guizhou")


class ExportQuery(Schema):
    format: Literal["xlsx", "csv"] = "xlsx"


class ProjectEditIn(Schema):
    """What the project edit page changes, as the import sheet writes it (amounts in 亿元
    unless they say otherwise; sectors and modes as in the sheet). Fields left out (or
    null) keep their value."""

    code: optional_text(64) = None
    name: optional_text(300) = None
    name_en: optional_text(300) = None
    sectors: optional_text(500) = None
    location: optional_text(300) = None
    total_investment: optional_text(100) = None
    investment_sought: optional_text(100) = None
    cooperation_modes: optional_text(300) = None
    construction_content: optional_text(5000) = None
    market_outlook: optional_text(5000) = None
    preparation_status: optional_text(2000) = None
    owner: optional_text(300) = None
    contact_person: optional_text(100) = None
    contact_phone: optional_text(100) = None


class ProjectEditOut(Schema):
    project: ProjectWithContact
    changed: list[str] = Field(description="the fields that changed (empty: nothing did)")
    warnings: list[str]


class RejectedRow(Schema):
    model_config = ConfigDict(extra="allow")
    row: int | None
    column: str | None
    value: str | None
    reason: str


class RowWarning(Schema):
    model_config = ConfigDict(extra="allow")
    row: int | None
    column: str | None
    message: str


class PossibleDuplicate(Schema):
    model_config = ConfigDict(extra="allow")
    row: int | None
    project_id: int | None
    other_row: int | None
    score: int | float | None


class WarningCount(Schema):
    model_config = ConfigDict(extra="allow")
    column: str | None
    count: int
    message: str


class ImportReportOut(Schema):
    """The import report of INTERFACES.md: what was (or would be) created, updated and
    left unchanged, every rejected row and why, the warnings, the possible duplicates."""

    model_config = ConfigDict(extra="allow")

    catalogue: CatalogueOut
    committed: bool
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: list[RejectedRow]
    warnings: list[RowWarning]
    duplicates: list[PossibleDuplicate]
    skipped: list[Any]
    columns: list[Any]
    changes: list[Any]
    missing: list[Any]
    blocked: str | None
    warning_summary: list[WarningCount]
    totals: dict[str, int] = Field(description="how many items each list holds in all")
    truncated: list[str] = Field(description="the lists cut to their first 1000 items")
    choices: dict[str, Any]


# --- attachments ----------------------------------------------------------------------


def _uploads(value: Any, info: ValidationInfo) -> list[Any]:
    """One or several files of a multipart form (the field repeated), each with a name."""
    name = info.field_name or "files"
    items = value if isinstance(value, list) else [value]
    if not items or any(not hasattr(item, "read") or not getattr(item, "filename", None)
                        for item in items):
        raise InputError(N_("Send the files in the multipart field '%(name)s' (repeat it for "
                            "several)."), field=name, name=name)
    return items


Uploads = Annotated[list[Any], BeforeValidator(_uploads),
                    WithJsonSchema({"type": "array", "items": {"type": "string", "format": "binary"}})]


class AttachmentUploadForm(Schema):
    """multipart/form-data of POST /projects/<id>/attachments."""

    files: Uploads = Field(description="one or several files (repeat the field): PDF, JPEG, PNG, "
                                       "WebP, .docx, .xlsx, .pptx, .doc, .xls, .ppt")
    kind: text(40, required=True, description="feasibility, land, photo or other (or its label)")
    language: text(40, description="the document's language: zh, en, zh_en, none or other") = "zh"
    title: text(200, description="title in Chinese (one file only)") = ""
    title_en: text(200, description="title in English (one file only)") = ""


class AttachmentReplaceForm(Schema):
    """multipart/form-data of POST /projects/<id>/attachments/<attachment_id>/replace."""

    file: Upload


class AttachmentOut(Schema):
    id: int
    project_id: int
    kind: str = Field(description="feasibility, land, photo or other")
    kind_name: str
    kind_name_en: str
    title: str
    title_en: str
    language: str = Field(description="zh, en, zh_en, none or other")
    filename: str
    size: int = Field(description="bytes")
    content_type: str = Field(description="the type read from the content, not the one declared")
    sha256: str
    uploaded_at: Timestamp
    url: str = Field(description="where the file is served (the project page's link), relative "
                                 "to the site")

    @classmethod
    def of(cls, attachment) -> AttachmentOut:
        kind = names(attachment.kind)
        return cls(
            id=attachment.id, project_id=attachment.project_id, kind=attachment.kind.value,
            kind_name=kind["name"], kind_name_en=kind["name_en"], title=attachment.title,
            title_en=attachment.title_en, language=attachment.language.value,
            filename=attachment.filename, size=attachment.size,
            content_type=attachment.content_type, sha256=attachment.sha256,
            uploaded_at=attachment.uploaded_at,
            url=f"/projects/{attachment.project_id}/attachments/{attachment.id}",
        )


class AttachmentList(Schema):
    items: list[AttachmentOut]
