"""Excel exports of the agreements and the totals, safe against formula injection.

Every cell goes through `matchmaker.sheets.safe_cell`, the one writer helper: text
starting with = + - @ (or a tab / carriage return) is prefixed with an apostrophe so a
spreadsheet shows it instead of evaluating it, and control characters .xlsx cannot hold
are dropped (a stray one in a session or investor name never fails the export). Amounts are written as exact numbers of
yuan with a two-decimal format, plus 亿元 columns derived from the same Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from matchmaker.extensions import db
from matchmaker.money import to_yi
from matchmaker.reference.labels import label_in
from matchmaker.sheets import safe_cell
from matchmaker.signing.forms import local_zone
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.totals import Totals

YUAN_FORMAT = "#,##0.00"


def _append(sheet, row: list[Any]) -> None:
    sheet.append([safe_cell(v) for v in row])


def _money_columns(sheet, columns: list[int]) -> None:
    for column in columns:
        for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = YUAN_FORMAT


def _header(sheet, names: list[str]) -> None:
    _append(sheet, names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _totals_sheets(workbook: Workbook, totals: Totals, *, first: bool) -> None:
    if first:
        sheet = workbook.active
        sheet.title = "Totals"
    else:
        sheet = workbook.create_sheet("Totals")
    _header(sheet, ["figure 指标", "value 数值"])
    edition = totals.edition
    rows: list[list[Any]] = [
        ["edition 届次", f"{edition.name} / {edition.name_en}" if edition is not None
         else "all editions 全部届次"],
        ["signed total (yuan) 签约金额（元）", totals.total_yuan],
        ["signed total (亿元) 签约金额（亿元）", to_yi(totals.total_yuan)],
        ["agreements counted 签约项目数", totals.count],
        ["target (yuan) 目标（元）", totals.target_yuan],
        ["letters of intent counted 意向协议计入", "yes 是" if totals.count_intent else "no 否"],
        ["letters of intent 意向协议数", totals.intent_count],
        ["letters of intent (yuan) 意向金额（元）", totals.intent_yuan],
        ["voided agreements 已作废", totals.voided_count],
        ["catalogue projects 目录项目数", totals.catalogue_projects],
        ["catalogue projects signed 已签约目录项目", totals.signed_projects],
        ["amount sought (yuan) 拟引资金额（元）", totals.sought_yuan],
        [
            "signed on catalogue projects (yuan) 目录项目签约金额（元）",
            totals.signed_on_catalogue_yuan,
        ],
        ["press line (zh)", totals.press_zh],
        ["press line (en)", totals.press_en],
        ["of which foreign-currency agreements (yuan) 其中外币签约（元）", totals.foreign_total_yuan],
        *([f"{row.currency} signed 外币签约（{row.currency}）", row.amount_original] for row in totals.foreign),
        *([["foreign-currency line (zh)", totals.foreign_zh], ["foreign-currency line (en)", totals.foreign_en]]
          if totals.foreign else []),
    ]
    for row in rows:
        _append(sheet, row)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cell.value, Decimal):
            cell.number_format = YUAN_FORMAT
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 40
    for name, breakdown in totals.breakdowns().items():
        part = workbook.create_sheet(name)
        _header(
            part,
            [
                "key",
                "name 名称",
                "name_en",
                "count 数量",
                "total (yuan) 金额（元）",
                "total (亿元)",
            ],
        )
        for row in breakdown:
            _append(
                part,
                [row.key, row.name, row.name_en, row.count, row.total_yuan, to_yi(row.total_yuan)],
            )
        _append(
            part,
            [
                "total",
                "合计",
                "Total",
                sum(r.count for r in breakdown),
                sum((r.total_yuan for r in breakdown), Decimal("0.00")),
                None,
            ],
        )
        _money_columns(part, [5, 6])
        part.column_dimensions["B"].width = 30
        part.column_dimensions["C"].width = 36
        part.column_dimensions["E"].width = 22


def totals_workbook(totals: Totals) -> bytes:
    """The dashboard's figures: a summary sheet and one sheet per breakdown."""
    workbook = Workbook()
    _totals_sheets(workbook, totals, first=True)
    return _save(workbook)


def agreements_workbook(totals: Totals, *, edition=None) -> bytes:
    """Every agreement (voided ones too, marked), then the totals sheets."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Agreements"
    _header(
        sheet,
        [
            "id",
            "session 签约仪式",
            "investor 投资方",
            "investor_en",
            "project code 项目编号",
            "project 项目",
            "amount (yuan) 金额（元）",
            "amount (亿元)",
            "kind 类型",
            "signed at 签约时间",
            "counted 计入",
            "voided 作废",
            "void reason 作废原因",
            "currency 币种",
            "amount signed 原币金额",
            "rate (yuan per unit) 汇率",
        ],
    )
    query = (
        sa.select(Agreement)
        .join(SigningSession)
        .order_by(SigningSession.id, Agreement.signed_at, Agreement.id)
        .options(
            sa.orm.joinedload(Agreement.investor),
            sa.orm.joinedload(Agreement.project),
            sa.orm.joinedload(Agreement.session),
        )
    )
    if getattr(edition, "id", None) is not None:
        query = query.where(SigningSession.edition_id == edition.id)
    zone = local_zone()
    for agreement in db.session.scalars(query):
        counted = not agreement.voided and (totals.count_intent or agreement.kind.value != "intent")
        _append(
            sheet,
            [
                agreement.id,
                agreement.session.name,
                agreement.investor.name,
                agreement.investor.name_en or "",
                agreement.project.code if agreement.project else "",
                agreement.project.name if agreement.project else agreement.project_name,
                agreement.amount_yuan,
                to_yi(agreement.amount_yuan),
                label_in(agreement.kind, "zh"),
                agreement.signed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "yes 是" if counted else "no 否",
                "yes 是" if agreement.voided else "",
                agreement.void_reason,
                agreement.currency,
                agreement.amount_original,
                agreement.exchange_rate.normalize() if agreement.exchange_rate is not None else None,
            ],
        )
    _money_columns(sheet, [7, 8, 15])
    for column, width in (("B", 30), ("C", 30), ("F", 36), ("G", 20), ("J", 18), ("M", 30)):
        sheet.column_dimensions[column].width = width
    _totals_sheets(workbook, totals, first=False)
    return _save(workbook)
