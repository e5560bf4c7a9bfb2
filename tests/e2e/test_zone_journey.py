"""The negotiation zone, in Chinese and in English, on a desktop and on a phone: an investor
asks for a meeting from a project's page, the staff accept it from their inbox, the organiser
sets up the zone and places it at a table, both sides see it on their agenda, check in, and
the outcome is recorded in one tap."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from e2e.browser import shoot, sign_in
from e2e.checks import check_page, t

from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.extensions import db

pytestmark = pytest.mark.e2e


def _sign_out(page, base: str, lang: str) -> None:
    page.goto(f"{base}/?lang={lang}")
    page.get_by_role("button", name=t(lang, "Sign out")).click()


def _project_id() -> int:
    found = db.session.scalar(
        sa.select(Project.id).join(Catalogue).where(
            Catalogue.status == CatalogueStatus.PUBLISHED, Project.status == ProjectStatus.OPEN)
        .order_by(Project.id).limit(1))
    db.session.remove()
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_match_becomes_a_meeting_at_a_numbered_table(live_server, page, lang):
    base = live_server
    project_id = _project_id()

    # The organiser sets up the zone: one day, 30-minute slots, 4 tables.
    sign_in(page, base, "organizer@demo.matchmaker.cn")
    page.goto(f"{base}/zone?lang={lang}")
    page.get_by_label(t(lang, "Days (YYYY-MM-DD, separated by commas)")).fill(
        date.today().replace(month=7, day=10).isoformat())
    page.get_by_label(t(lang, "Tables"), exact=True).fill("4")
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    assert t(lang, "Negotiation zone saved.") in page.locator(".flashes").inner_text()
    _sign_out(page, base, lang)

    # The investor asks for a meeting from the project's page, ticking the first slot.
    sign_in(page, base, "investor@demo.matchmaker.cn")
    page.goto(f"{base}/projects/{project_id}?lang={lang}")
    page.get_by_role("link", name=t(lang, "Request a meeting")).first.click()
    check_page(page, lang)
    page.get_by_label(t(lang, "Message to the project side (optional)")).fill(
        "想了解项目进度" if lang == "zh" else "We would like to hear about the project")
    page.locator("fieldset.slots input[type=checkbox]").first.check()
    page.get_by_role("button", name=t(lang, "Request a meeting")).click()
    assert page.locator("#meeting-status").inner_text() == (
        "待答复" if lang == "zh" else "Requested")
    shoot(page, f"zone-requested-{lang}")
    _sign_out(page, base, lang)

    # The staff find it in their inbox and accept.
    sign_in(page, base, "staff@demo.matchmaker.cn")
    page.goto(f"{base}/meetings?lang={lang}")
    check_page(page, lang)
    page.locator("table.meetings tbody tr a").first.click()
    page.get_by_role("button", name=t(lang, "Accept")).click()
    assert page.locator("#meeting-status").inner_text() == ("已接受" if lang == "zh" else "Accepted")
    _sign_out(page, base, lang)

    # The organiser places it at a table.
    sign_in(page, base, "organizer@demo.matchmaker.cn")
    page.goto(f"{base}/zone?lang={lang}")
    page.get_by_role("button", name=t(lang, "Place accepted meetings at tables")).click()
    # The click returns once the POST is under way; wait for the rendered result (count() does not wait).
    page.locator("#schedule-result").wait_for()
    assert page.locator("#schedule-result").count() == 1
    page.goto(f"{base}/zone/grid?lang={lang}")
    assert page.locator("#zone-grid tbody a").count() == 1
    _sign_out(page, base, lang)

    # The investor sees it on the agenda: a numbered table at a stated time, the zone named.
    sign_in(page, base, "investor@demo.matchmaker.cn")
    page.goto(f"{base}/agenda?lang={lang}")
    check_page(page, lang)
    item = page.locator(".agenda-item").first
    assert item.locator(".table-number").inner_text().strip().endswith("1")
    assert t(lang, "China Standard Time, UTC+8") in page.locator("#agenda-zone").inner_text()
    shoot(page, f"zone-agenda-{lang}")
    # ... checks in at the table (both sides present) and records the outcome in one tap.
    item.get_by_role("button", name=t(lang, "Check in: both sides are here")).click()
    page.locator(".agenda-item a").first.click()
    page.get_by_role("button", name="有望签约" if lang == "zh" else "Agreement expected").click()
    assert page.locator("#meeting-outcome").inner_text() == (
        "有望签约" if lang == "zh" else "Agreement expected")
    check_page(page, lang)
