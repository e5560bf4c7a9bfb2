"""An investor, in Chinese and in English, on a desktop and on a phone: signs up, searches
(a two-character Chinese word, an English query, a filter), opens a project, describes what
they look for, reads their matches with the reasons, registers interest in the best one."""

from __future__ import annotations

import re

import pytest
from e2e.browser import open_menu, shoot
from e2e.checks import check_page, t

# Browser journeys: `pytest -m "not e2e"` skips them locally; CI runs them.
pytestmark = pytest.mark.e2e

PASSWORD = "green-forum-2023"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_investor_signs_up_searches_and_registers_interest(live_server, page, lang):
    email = f"investor-{lang}-{page.viewport_name}@example.com"

    # Sign up from the home page.
    page.goto(f"{live_server}/?lang={lang}")
    page.get_by_role("link", name=t(lang, "Sign up"), exact=True).click()
    check_page(page, lang)
    page.get_by_label(t(lang, "Your name")).fill("Li Wei" if lang == "en" else "李伟")
    page.get_by_label(t(lang, "Email")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t(lang, "Repeat password")).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Create account")).click()
    # The same answer for a new and a known address (sign-up tells nobody which e-mails
    # have accounts), then the sign-in page.
    assert t(lang, "If this email had no account yet, your investor account is ready: sign in "
                   "with it now. If it already had one, sign in with that account's password "
                   "(an administrator can reset it).") in page.locator(".flashes").inner_text()
    check_page(page, lang)
    page.get_by_label(t(lang, "Email")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # A two-character Chinese word: 18 projects, 光伏 highlighted in the first titles.
    open_menu(page)
    page.get_by_role("link", name=t(lang, "Projects"), exact=True).click()
    page.get_by_role("searchbox", name=t(lang, "Search projects")).fill("光伏")
    page.get_by_role("searchbox").press("Enter")
    assert page.locator("#result-count").inner_text() == t(lang, "%(count)d projects", count=18)
    titles = page.locator(".project-item h2")
    assert "光伏" in titles.first.locator("mark").first.inner_text()
    check_page(page, lang)
    shoot(page, f"investor-search-guangfu-{lang}")

    # A filter narrows the list and says so; the facet's count is the new total.
    sector_group = page.locator(".facets details").nth(1)
    if page.viewport_name == "phone":  # filter groups are folded on a phone
        assert sector_group.get_attribute("open") is None
        sector_group.locator("summary").click()
    sector_group.get_by_role("link", name="New energy" if lang == "en" else "新能源", exact=True).click()
    assert page.locator("#result-count").inner_text() == t(lang, "%(count)d projects", count=11)
    assert re.search(r"sector=new_energy", page.url)
    page.get_by_role("link", name=t(lang, "Clear all filters")).click()
    assert page.locator("#result-count").inner_text() == t(lang, "%(count)d projects", count=18)

    # An English query: every project found is in Zunyi.
    box = page.get_by_role("searchbox", name=t(lang, "Search projects"))
    box.fill("battery Zunyi")
    box.press("Enter")
    assert page.locator("#result-count").inner_text() == t(lang, "%(count)d projects", count=10)
    zunyi = "Zunyi" if lang == "en" else "遵义市"
    metas = page.locator(".project-item .meta").all_inner_texts()
    assert len(metas) == 10 and all(meta.startswith(zunyi) for meta in metas), metas
    shoot(page, f"investor-search-battery-zunyi-{lang}")

    # The first project: amounts in 亿元 and in yuan, contact details for a signed-in user.
    titles.first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "遵义年产8万吨锂电池电解液项目"
    amount = page.locator(".project .amount").first.inner_text()
    assert ("亿元" in amount) if lang == "zh" else ("RMB" in amount and "≈ USD" in amount), amount
    assert page.locator("#contact dd").count() == 3
    # The location map, drawn on the server (no tiles): the place named for screen readers.
    location_map = page.locator("#location-map svg")
    assert location_map.is_visible() and location_map.get_attribute("role") == "img"
    assert ("Zunyi" if lang == "en" else "遵义") in location_map.get_attribute("aria-label")
    check_page(page, lang, data=("遵义年产8万吨锂电池电解液项目",))
    shoot(page, f"investor-project-{lang}")

    # My matches first asks what I look for; the company is found by its short name.
    open_menu(page)
    page.get_by_role("link", name=t(lang, "My matches")).click()
    assert t(lang, "Tell us what you look for to see your matches.") in page.locator(".flashes").inner_text()
    organisation = "光合新能源" if lang == "zh" else "Guanghe New Energy"
    # FINDING (matching, zh): "Organisation" and "Unit" are both 单位: two fields, one name.
    page.get_by_role("textbox", name=t(lang, "Organisation"), exact=True).fill(organisation)
    for value in ("new_energy", "storage"):  # checkboxes (chips), not a multi-select
        page.locator(f"input[name=sectors][value='{value}']").check()
    for value in ("520100", "529900"):
        page.locator(f"input[name=regions][value='{value}']").check()
    page.get_by_label(t(lang, "Ticket from")).fill("1")
    page.get_by_label(t(lang, "Ticket up to")).fill("30")
    page.get_by_label("合资" if lang == "zh" else "Joint venture").check()
    page.get_by_label(t(lang, "Keywords or a short description (Chinese or English)")).fill("光伏 储能")
    check_page(page, lang)
    shoot(page, f"investor-profile-{lang}")
    page.get_by_role("button", name=t(lang, "Save profile")).click()

    # Ranked matches with reasons; the best first.
    assert t(lang, "Profile saved. Here are your matches.") in page.locator(".flashes").inner_text()
    matches = page.locator("section.match")
    assert matches.count() >= 5
    scores = [int(s) for s in page.locator("section.match .score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and scores[0] > 50
    best = matches.first
    reasons = best.locator(".reason").all_inner_texts()
    assert any(("Sector" if lang == "en" else "行业") in r for r in reasons), reasons
    check_page(page, lang)
    shoot(page, f"investor-matches-{lang}")

    # Register interest in the best match, with a message.
    best.locator("summary").click()
    best.get_by_label(t(lang, "Message to the project team (optional)")).fill(
        "We would like to visit the site in July." if lang == "en" else "希望七月实地考察。"
    )
    best.get_by_role("button", name=t(lang, "Register interest")).click()
    assert t(lang, "Interest registered: the project team will contact you.") in page.locator(".flashes").inner_text()
    assert matches.first.locator(".notice").inner_text() == t(lang, "You registered interest in this project.")
    shoot(page, f"investor-interest-{lang}")
