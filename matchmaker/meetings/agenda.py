"""Agendas: each participant's scheduled meetings (page, .ics, PDF), each table's sheet, the
organiser's grid (page and .xlsx). Times are the forum's (Asia/Shanghai, named); a second
zone is shown for participants who choose theirs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import joinedload

from matchmaker.catalogue.models import Project
from matchmaker.editions.models import Edition
from matchmaker.extensions import db
from matchmaker.meetings import operations
from matchmaker.meetings.models import Meeting, MeetingStatus, Zone
from matchmaker.meetings.zone import grid, slot_starts, zone_for
from matchmaker.sheets import safe_cell

SHOWN = (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)
# Fonts with Chinese glyphs for PDFs (PDF_FONT sets one; the first found is used).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@dataclass(frozen=True)
class Entry:
    meeting: Meeting
    starts: datetime  # aware, forum zone
    ends: datetime
    table: int
    interpreter: str | None


def _entries(meetings, zone: Zone) -> list[Entry]:
    starts = slot_starts(zone)
    length = timedelta(minutes=zone.slot_minutes)
    found = [Entry(m, starts[m.slot], starts[m.slot] + length, m.table.number, m.table.interpreter)
             for m in meetings if m.slot is not None and m.slot < len(starts)]
    return sorted(found, key=lambda e: (e.starts, e.table))


def _scheduled(edition: Edition):
    return (sa.select(Meeting).join(Project, Meeting.project_id == Project.id)
            .where(Meeting.edition_id == edition.id, Meeting.table_id.is_not(None),
                   Meeting.status.in_(SHOWN))
            .options(joinedload(Meeting.investor), joinedload(Meeting.project)
                     .joinedload(Project.region), joinedload(Meeting.table)))


def agenda_for(user, edition: Edition | None) -> tuple[Zone | None, list[Entry]]:
    """The user's scheduled meetings in the edition: an investor's own, the project side's
    (staff: the prefectures they cover), everything for organisers."""
    zone = zone_for(edition) if edition else None
    if zone is None:
        return None, []
    query = operations.visible_meetings_query(user).with_only_columns(Meeting.id)
    ids = sa.select(query.subquery().c.id)
    meetings = db.session.scalars(_scheduled(edition).where(Meeting.id.in_(ids))).unique().all()
    return zone, _entries(meetings, zone)


def table_sheets(zone: Zone, edition: Edition) -> dict[int, list[Entry]]:
    meetings = db.session.scalars(_scheduled(edition)).unique().all()
    sheets: dict[int, list[Entry]] = {t.number: [] for t in zone.tables}
    for entry in _entries(meetings, zone):
        sheets[entry.table].append(entry)
    return sheets


def in_zone(value: datetime, zone: ZoneInfo | None) -> str:
    if zone is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# --- .ics (RFC 5545) ---------------------------------------------------------------------


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a space (RFC 5545 §3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def ics(entries: list[Entry], *, title: str, locale: str, host: str = "matchmaker") -> str:
    stamp = datetime.now(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//matchmaker//negotiation zone//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(title)}",
             "X-WR-TIMEZONE:Asia/Shanghai"]
    for entry in entries:
        m = entry.meeting
        project = (m.project.name_en or m.project.name) if locale == "en" else m.project.name
        investor = (m.investor.name_en or m.investor.name) if locale == "en" else m.investor.name
        summary = f"{investor} · {project} · #{entry.table}"
        lines += [
            "BEGIN:VEVENT", f"UID:meeting-{m.id}@{host}", f"DTSTAMP:{stamp}",
            f"DTSTART:{entry.starts.astimezone(ZoneInfo('UTC')).strftime('%Y%m%dT%H%M%SZ')}",
            f"DTEND:{entry.ends.astimezone(ZoneInfo('UTC')).strftime('%Y%m%dT%H%M%SZ')}",
            f"SUMMARY:{_ics_text(summary)}",
            f"LOCATION:{_ics_text(f'Table {entry.table}' if locale == 'en' else f'{entry.table}号桌')}",
            f"DESCRIPTION:{_ics_text(m.message or '')}", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"


# --- PDF (fpdf2, with a font that has Chinese glyphs) -------------------------------------


def pdf_font() -> str | None:
    configured = current_app.config.get("PDF_FONT")
    for candidate in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def pdf(title: str, subtitle: str, header: list[str], rows: list[list[str]],
        *, pages: list[tuple[str, list[list[str]]]] | None = None) -> bytes | None:
    """A printable table (or one page per (title, rows) of `pages`); None when no font with
    Chinese glyphs is installed (the page's print version is the fallback)."""
    font = pdf_font()
    if font is None:
        return None
    try:
        from fpdf import FPDF, FontFace
    except ImportError:  # an install without fpdf2: the print version is the fallback
        return None
    document = FPDF(orientation="portrait", unit="mm", format="A4")
    document.set_auto_page_break(auto=True, margin=12)
    document.add_font("cjk", fname=font, collection_font_number=0)
    widths = [35, 14, 70, 70][: len(header)]
    for page_title, page_rows in pages or [(title, rows)]:
        document.add_page()
        document.set_font("cjk", size=15)
        document.multi_cell(0, 8, page_title, new_x="LMARGIN", new_y="NEXT")
        document.set_font("cjk", size=9)
        document.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
        with document.table(col_widths=widths, text_align="LEFT", line_height=6,
                            headings_style=FontFace(emphasis=None, fill_color=(230, 240, 233))
                            ) as table:
            row = table.row()
            for cell in header:
                row.cell(cell)
            for values in page_rows:
                row = table.row()
                for value in values:
                    row.cell(str(value))
    return bytes(document.output())


# --- the organiser's grid ------------------------------------------------------------------


def grid_rows(zone: Zone, edition: Edition) -> tuple[list[str], list[tuple[str, list[Meeting | None]]]]:
    placed = grid(zone, edition)
    numbers = [t.number for t in zone.tables]
    labels = [operations.slot_label(zone, i) for i in range(len(zone.slot_times()))]
    return [str(n) for n in numbers], [
        (labels[i], [placed.get((i, n)) for n in numbers]) for i in range(len(labels))]


def grid_workbook(zone: Zone, edition: Edition, *, locale: str) -> bytes:
    numbers, rows = grid_rows(zone, edition)
    book = Workbook()
    sheet = book.active
    sheet.title = "grid"
    head = "时段 (UTC+8)" if locale == "zh" else "Slot (UTC+8)"
    table_word = "桌" if locale == "zh" else "Table"
    sheet.append([head, *(f"{table_word} {n}" for n in numbers)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for label, meetings in rows:
        values = [label]
        for m in meetings:
            if m is None:
                values.append("")
                continue
            investor = (m.investor.name_en or m.investor.name) if locale == "en" else m.investor.name
            project = (m.project.name_en or m.project.name) if locale == "en" else m.project.name
            values.append(safe_cell(f"{investor} / {project}"))
        sheet.append(values)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    for index in range(2, len(numbers) + 2):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 28
    sheet.freeze_panes = "B2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()

