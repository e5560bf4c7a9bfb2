"""An organiser, in Chinese and in English, on a desktop and on a phone: opens a signing
session, records agreements by keyboard (a company typed by its short name resolves to the
known investor), voids one with a reason, watches the dashboard and the venue screen follow,
copies the press line and downloads the agreements as .xlsx.

The recording form's Tab order, which the organiser's hands learn: investor → project →
off-catalogue box → amount → kind → signed at (its date and time parts) → the record button;
the off-catalogue sector and region are out of the order until the box is ticked. Tab on a
highlighted company picks it and moves on; Enter on a highlighted project picks it and stays.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from e2e.browser import open_menu, shoot, sign_in
from e2e.checks import check_page, t
from openpyxl import load_workbook

# Browser journeys: `pytest -m "not e2e"` skips them locally; CI runs them.
pytestmark = pytest.mark.e2e

SESSION_NAME = "2025年绿色产业项目签约（测试）"
TAB_ORDER = ["investor", "project", "off_catalogue", "amount", "kind", "signed_at"]


def _focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.name || e.type || e.tagName.toLowerCase(); })()"
    )


def _check_tab_order(page, lang: str) -> None:
    """Tab from the investor box visits exactly TAB_ORDER, then the record button."""
    page.get_by_label(t(lang, "Investor"), exact=True).focus()
    stops = [_focused(page)]
    for _ in range(12):  # signed_at takes a few presses: its date and time parts
        page.keyboard.press("Tab")
        name = _focused(page)
        if name != stops[-1]:
            stops.append(name)
        if name == "submit":
            break
    assert stops == [*TAB_ORDER, "submit"]


def _yi(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("亿元", "").strip())


def _record(page, lang: str, investor: str, project: str, amount: str, kind_steps: int = 0) -> None:
    """Type one agreement with the keyboard only: the investor and the project picked from
    the type-ahead, the amount read back with its unit, Enter to save."""
    box = page.get_by_label(t(lang, "Investor"), exact=True)
    box.focus()
    page.keyboard.type(investor, delay=15)
    page.locator(".typeahead-list").first.locator("[role=option]").first.wait_for()
    page.keyboard.press("Tab")  # picks the highlighted company and moves on
    assert _focused(page) == "project"
    page.keyboard.type(project, delay=15)
    page.locator("#project-list [role=option]").first.wait_for()
    page.keyboard.press("Enter")  # picks the project (does not submit)
    assert _focused(page) == "project"
    page.keyboard.press("Tab")
    assert _focused(page) == "off_catalogue"
    page.keyboard.press("Tab")
    assert _focused(page) == "amount"
    page.keyboard.type(amount)
    page.locator(".amount-preview").filter(has_text="亿元").wait_for()
    if kind_steps:
        page.keyboard.press("Tab")
        assert _focused(page) == "kind"
        for _ in range(kind_steps):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_organiser_records_voids_and_reports(live_server, page, lang):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    sign_in(page, live_server, "organizer@demo.matchmaker.cn")

    # Create and open a session of the 2025 edition (created with it when it is new).
    page.goto(f"{live_server}/signing/dashboard?lang={lang}")
    with page.expect_navigation():  # check the signing page, not the dashboard leaving
        open_menu(page)
        page.get_by_role("link", name=t(lang, "Signing"), exact=True).click()
    check_page(page, lang)
    page.get_by_label(t(lang, "Name"), exact=True).fill(SESSION_NAME)
    page.get_by_label(t(lang, "English name")).fill("2025 green-industry project signing (test)")
    page.get_by_label(t(lang, "Forum edition (year)")).fill("2025")
    page.get_by_label(t(lang, "Venue")).fill("贵阳国际生态会议中心")
    page.get_by_label(t(lang, "Target (亿元)")).fill("20")
    page.get_by_role("button", name=t(lang, "Create session")).click()
    page.get_by_role("button", name=t(lang, "Open the session")).click()
    assert t(lang, "Session open: agreements can be recorded.") in page.locator(".flashes").inner_text()
    check_page(page, lang)
    _check_tab_order(page, lang)
    session_url = page.url.split("#")[0]
    session_id = int(session_url.rstrip("/").rsplit("/", 1)[1])

    # The figures before: the 2025 edition's dashboard (2025 is now the latest year, the
    # current edition), and this session's venue screen in a second tab.
    page.goto(f"{live_server}/signing/dashboard?lang={lang}")
    assert "2025" in page.locator("#edition-name").inner_text()
    assert page.locator("#edition-select").input_value() == "2025"
    total_before = Decimal(page.locator("#signed-total").get_attribute("data-yuan")) / 100_000_000
    count_before = int(page.locator("#signed-count").inner_text())
    venue = page.context.new_page()
    venue.viewport_name = page.viewport_name
    venue.goto(f"{live_server}/signing/venue?session={session_id}&refresh=3")
    assert venue.locator("#venue-session").inner_text() == (
        SESSION_NAME if lang == "zh" else "2025 green-industry project signing (test)")
    assert _yi(venue.locator("#venue-total").inner_text()) == Decimal("0.00")
    page.goto(session_url)

    # Three agreements, by keyboard. 光合新能源 is the short name of a known investor.
    _record(page, lang, "光合新能源", "观山湖工商业", "5亿")
    assert t(lang, "Recorded: %(investor)s, %(amount)s亿元.", investor="光合新能源科技有限公司",
             amount="5.00") in page.locator(".flashes").inner_text()
    _record(page, lang, "Qianfeng Data", "平坝大数据", "3000万元", kind_steps=1)
    assert t(lang, "Recorded: %(investor)s, %(amount)s亿元.", investor="黔峰数据科技有限公司",
             amount="0.30") in page.locator(".flashes").inner_text()
    _record(page, lang, "黔能新材", "六枝年产6GWh", "2.5", kind_steps=2)
    assert page.locator("#session-count").inner_text() == "3"
    assert page.locator("#session-total").inner_text() == "7.80"
    rows = page.locator("table.agreements tbody tr")
    assert rows.count() == 3
    shoot(page, f"organiser-session-{lang}")

    # Void the 0.30亿 framework agreement, with a reason.
    rows.filter(has_text="0.30").get_by_role("link").click()
    page.get_by_label(t(lang, "Reason"), exact=True).fill("重复录入 / entered twice")
    page.get_by_role("button", name=t(lang, "Void"), exact=True).click()
    assert t(lang, "Agreement voided; it stays in the list, struck out, and leaves the totals.") in (
        page.locator(".flashes").inner_text()
    )
    check_page(page, lang, data=("黔峰数据科技有限公司", "Qianfeng Data Technology Co., Ltd."))
    with page.expect_navigation():
        page.locator("main > p a").first.click()  # back to the session
    voided = page.locator("table.agreements tr.voided")
    assert voided.count() == 1 and "重复录入 / entered twice" in voided.inner_text()
    assert page.locator("#session-count").inner_text() == "2"
    assert page.locator("#session-total").inner_text() == "7.50"

    # The dashboard: +7.50亿元 in 2 agreements, the press line exact to the sum.
    open_menu(page)
    page.get_by_role("link", name=t(lang, "Signed totals"), exact=True).first.click()
    total = total_before + Decimal("7.50")
    count = count_before + 2
    assert Decimal(page.locator("#signed-total").get_attribute("data-yuan")) / 100_000_000 == total
    assert page.locator("#signed-count").inner_text() == str(count)
    press_zh = f"2025年生态文明贵阳国际论坛共签约项目{count}个，签约金额{total:.2f}亿元"
    assert page.locator("#press-zh").inner_text() == press_zh
    check_page(page, lang)
    shoot(page, f"organiser-dashboard-{lang}")

    # Copy the press line to the clipboard.
    page.get_by_role("button", name=t(lang, "Copy the Chinese press line")).click()
    assert page.evaluate("navigator.clipboard.readText()") == press_zh

    # The venue screen refreshes itself to the session's new total, against its target.
    venue.wait_for_function(
        "(expected) => document.querySelector('#venue-total').textContent.startsWith(expected)",
        arg="7.50", timeout=10_000,
    )
    assert "2" in venue.locator(".count").inner_text()
    assert "20.00" in venue.locator("#venue-target").inner_text()
    shoot(venue, f"organiser-venue-{lang}")

    # The agreements as .xlsx: the new rows, the voided one marked with its reason.
    open_menu(page)
    page.get_by_role("link", name=t(lang, "Signing"), exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=t(lang, "Export agreements (.xlsx)")).click()
    assert download.value.suggested_filename == "agreements.xlsx"
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))["Agreements"]
    ours = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == SESSION_NAME]
    assert [(r[2], Decimal(str(r[6])), r[11] or "", r[12] or "") for r in ours] == [
        ("光合新能源科技有限公司", Decimal("500000000"), "", ""),
        ("黔峰数据科技有限公司", Decimal("30000000"), "yes 是", "重复录入 / entered twice"),
        ("黔能新材料科技股份有限公司", Decimal("250000000"), "", ""),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_desk_never_saves_an_unknown_company_under_a_known_one(live_server, page, lang):
    """Issue 11: typing a company the platform does not know and pressing Tab used to save
    the agreement under the nearest known company. Now the typed text stays, and before
    anything is saved the candidates and the new-investor choice are shown side by side."""
    sign_in(page, live_server, "organizer@demo.matchmaker.cn")
    page.goto(f"{live_server}/signing/?lang={lang}")
    page.get_by_label(t(lang, "Name"), exact=True).fill(SESSION_NAME + " B")
    page.get_by_label(t(lang, "Forum edition (year)")).fill("2025")
    page.get_by_role("button", name=t(lang, "Create session")).click()
    page.get_by_role("button", name=t(lang, "Open the session")).click()
    unknown = "黔能新材料装备制造有限公司"  # close to 黔能新材料科技股份有限公司, not it
    box = page.get_by_label(t(lang, "Investor"), exact=True)
    box.focus()
    page.keyboard.type(unknown, delay=15)
    page.locator("#investor-list [role=option]").first.wait_for()
    page.keyboard.press("Tab")  # not confident: nothing is picked
    assert box.input_value() == unknown
    assert page.evaluate("document.activeElement.name") == "project"
    page.keyboard.type("观山湖工商业", delay=15)
    page.locator("#project-list [role=option]").first.wait_for()
    page.keyboard.press("Enter")
    page.get_by_label(t(lang, "Amount (亿元, or in USD, EUR, HKD)")).fill("1.5")
    page.locator(".amount-preview").filter(has_text="亿元").wait_for()
    with page.expect_navigation():
        page.get_by_label(t(lang, "Amount (亿元, or in USD, EUR, HKD)")).press("Enter")
    choice = page.get_by_role("group", name=t(lang, "Which investor is it?"))
    assert choice.is_visible() and page.locator("#session-count").inner_text() == "0"
    assert t(lang, "Save under %(name)s", name="黔能新材料科技股份有限公司") in choice.inner_text()
    # company names are data: the buttons carry them in whatever language they were written
    names = tuple(b.inner_text() for b in choice.get_by_role("button").all())
    names += tuple(w.inner_text() for w in choice.locator(".why").all())
    check_page(page, lang, data=names)
    shoot(page, f"organiser-investor-choice-{lang}")
    with page.expect_navigation():
        choice.get_by_role("button", name=t(lang, "Save as the new investor “%(name)s”", name=unknown)).click()
    assert page.locator("#session-count").inner_text() == "1"
    assert unknown in page.locator("table.agreements").inner_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_desk_asks_once_for_a_short_name_then_knows_it(live_server, page, lang):
    """黔能 is held by two known companies (黔能新材料科技, 黔山能源): the first time the desk
    asks which, the organiser picks one, and from then on 黔能 is that company - Tab picks it."""
    sign_in(page, live_server, "organizer@demo.matchmaker.cn")
    page.goto(f"{live_server}/signing/?lang={lang}")
    page.get_by_label(t(lang, "Name"), exact=True).fill(SESSION_NAME + " C")
    page.get_by_label(t(lang, "Forum edition (year)")).fill("2025")
    page.get_by_role("button", name=t(lang, "Create session")).click()
    page.get_by_role("button", name=t(lang, "Open the session")).click()
    box = page.get_by_label(t(lang, "Investor"), exact=True)
    box.focus()
    page.keyboard.type("黔能", delay=15)
    page.locator("#investor-list [role=option]").first.wait_for()
    page.keyboard.press("Tab")  # two companies hold 黔能: nothing is picked
    assert box.input_value() == "黔能"
    page.keyboard.type("观山湖工商业", delay=15)
    page.locator("#project-list [role=option]").first.wait_for()
    page.keyboard.press("Enter")
    page.get_by_label(t(lang, "Amount (亿元, or in USD, EUR, HKD)")).fill("1.2")
    page.locator(".amount-preview").filter(has_text="亿元").wait_for()
    with page.expect_navigation():
        page.get_by_label(t(lang, "Amount (亿元, or in USD, EUR, HKD)")).press("Enter")
    choice = page.get_by_role("group", name=t(lang, "Which investor is it?"))
    assert page.locator("#session-count").inner_text() == "0"
    # the page's script reads the amount back again before a button saves without asking
    page.locator(".amount-preview").filter(has_text="亿元").wait_for()
    with page.expect_navigation():
        choice.get_by_role("button", name=t(lang, "Save under %(name)s", name="黔能新材料科技股份有限公司")).click()
    assert t(lang, "From now on “%(text)s” is read as %(investor)s (staff can undo this under "
                   "Investors → Learned names).", text="黔能",
             investor="黔能新材料科技股份有限公司") in page.locator(".flashes").inner_text()
    check_page(page, lang, data=("黔能新材料科技股份有限公司",))  # company names are data
    # the second time, by keyboard only, as with any known company
    _record(page, lang, "黔能", "观山湖工商业", "0.8")
    assert page.locator("#session-count").inner_text() == "2"
    # both under the company chosen (its English name on the English page)
    chosen = "黔能新材料科技股份有限公司" if lang == "zh" else "Qianneng New Materials Technology Co., Ltd."
    assert page.locator("table.agreements").inner_text().count(chosen) == 2
