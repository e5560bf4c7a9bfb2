"""The home page and sign-in in a real browser, in Chinese and English."""

import pytest
from e2e.browser import shoot, sign_in

# Browser journeys: `pytest -m "not e2e"` skips them locally; CI runs them.
pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_shows_the_demo_figures_and_switches_language(live_server, page, lang):
    page.goto(f"{live_server}/?lang={lang}")
    assert page.locator("#fig-projects").inner_text() == "220"
    assert page.locator("#fig-sought").inner_text() == ("1,300.00" if lang == "zh" else "RMB 130 billion")
    heading = "绿色产业招商" if lang == "zh" else "Green-industry investment promotion"
    assert heading in page.locator("h1").inner_text()
    shoot(page, f"home-{lang}")


def test_staff_signs_in_with_the_demo_account(live_server, page):
    sign_in(page, live_server, "staff@demo.matchmaker.cn")
    assert "省投资促进局" in page.locator("header").inner_text()
