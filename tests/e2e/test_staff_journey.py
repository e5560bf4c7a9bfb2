"""Provincial staff, in Chinese and in English, on a desktop and on a phone: create a
catalogue, upload the demo sheet with four broken rows, read each rejected row and its
reason on the preview, upload the corrected sheet, import it and publish it."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.browser import shoot, sign_in
from e2e.checks import check_page, t
from openpyxl import load_workbook

# Browser journeys: `pytest -m "not e2e"` skips them locally; CI runs them.
pytestmark = pytest.mark.e2e

DEMO_SHEET = Path(__file__).resolve().parents[2] / "data" / "demo" / "catalogue-2023.xlsx"
CATALOGUE = "2025年绿色产业招商项目（测试）"
# 序号 -> (column header, broken value): what a county office might really send.
BROKEN = {
    3: ("项目名称", None),
    10: ("拟引资金额（亿元）", "待定"),
    20: ("建设地点", "火星基地"),
    30: ("所属产业", "区块链金融"),
}


def broken_copy(folder: Path) -> tuple[Path, dict[int, int]]:
    """The demo sheet with the BROKEN cells; returns it and the sheet row of each 序号."""
    workbook = load_workbook(DEMO_SHEET)
    sheet = workbook.active
    headers = {cell.value: cell.column for cell in sheet[3]}
    rows = {}
    for row in sheet.iter_rows(min_row=4):
        number = row[0].value
        if number in BROKEN:
            header, value = BROKEN[number]
            sheet.cell(row=row[0].row, column=headers[header]).value = value
            rows[number] = row[0].row
    path = folder / "catalogue-2025-broken.xlsx"
    workbook.save(path)
    return path, rows


def _upload(page, lang: str, path: Path) -> None:
    page.get_by_label(t(lang, "Catalogue file (.xlsx or .csv)")).set_input_files(str(path))
    page.get_by_role("button", name=t(lang, "Check the file")).click()


def _count(page, lang: str, label: str) -> str:
    item = page.locator("#import-counts li").filter(has_text=t(lang, label))
    return item.locator("strong").inner_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_staff_fixes_rejected_rows_and_publishes(live_server, page, lang, tmp_path):
    broken, sheet_rows = broken_copy(tmp_path)
    sign_in(page, live_server, "staff@demo.matchmaker.cn")
    page.goto(f"{live_server}/catalogues/?lang={lang}")
    check_page(page, lang)

    # A new catalogue for this year's sheet.
    page.get_by_label(t(lang, "Name"), exact=True).fill(CATALOGUE)
    page.get_by_label(t(lang, "Year"), exact=True).fill("2025")
    page.get_by_role("button", name=t(lang, "Create"), exact=True).click()
    assert t(lang, "Catalogue created. Upload its sheet now.") in page.locator(".flashes").inner_text()
    check_page(page, lang, data=(CATALOGUE,))

    # The broken sheet: a preview, nothing imported, each rejected row with its reason.
    _upload(page, lang, broken)
    assert t(lang, "Preview: nothing has been imported yet.") in page.locator("#import-state").inner_text()
    assert _count(page, lang, "Rejected rows") == "4"
    assert _count(page, lang, "New projects") == "216"
    rejected = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("#rejected tbody tr").all()
    ]
    assert rejected == [
        [str(sheet_rows[3]), "项目名称", "", t(lang, "The project name is missing.")],
        [str(sheet_rows[10]), "拟引资金额（亿元）", "待定",
         t(lang, "The investment sought %(value)s is not known yet; the catalogue needs a figure.", value="待定")],
        [str(sheet_rows[20]), "建设地点", "火星基地",
         t(lang, "The location %(value)s is not a known place in Guizhou.", value="火星基地")],
        [str(sheet_rows[30]), "所属产业", "区块链金融", t(lang, "Unknown sector %(value)s.", value="区块链金融")],
    ], rejected
    check_page(page, lang, data=(CATALOGUE,))
    shoot(page, f"staff-rejected-rows-{lang}")

    # The corrected sheet: 220 new projects, 1,300.00亿元 sought, imported in one go.
    page.get_by_role("link", name=CATALOGUE).first.click()
    _upload(page, lang, DEMO_SHEET)
    assert _count(page, lang, "Rejected rows") == "0"
    assert _count(page, lang, "New projects") == "220"
    assert _count(page, lang, "Investment sought by the valid rows") == "1,300.00"
    page.get_by_role("button", name=t(lang, "Import"), exact=True).click()
    assert t(lang, "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, %(withdrawn)d withdrawn.",
             created=220, updated=0, unchanged=0, withdrawn=0) in page.locator(".flashes").inner_text()
    shoot(page, f"staff-imported-{lang}")

    # Publish: investors see it.
    page.get_by_role("link", name=CATALOGUE).first.click()
    summary = page.locator("#catalogue-summary").inner_text()
    assert t(lang, "%(count)d projects, %(sought)s亿元 investment sought.", count=220, sought="1,300.00") in summary
    page.get_by_role("button", name=t(lang, "Publish"), exact=True).click()
    assert t(lang, "The catalogue is published.") in page.locator(".flashes").inner_text()
    assert t(lang, "Published") in page.locator("#catalogue-summary").inner_text()
    check_page(page, lang, data=(CATALOGUE,))
    shoot(page, f"staff-published-{lang}")
