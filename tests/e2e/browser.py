"""End-to-end fixtures: the app served on 127.0.0.1 by a thread of the test process, and
Debian's Chromium driven by Playwright. Without Chromium (or Playwright) these tests skip
with the reason, so README's test command still passes on such a machine."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MATCHMAKER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DEMO_PASSWORD = "demo-journey-2023"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _skip_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    """Journeys (marked `e2e` in their modules) skip with the reason without Chromium."""
    reason = _skip_reason()
    if reason:
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live_server(app, monkeypatch):
    """The test app served by a real HTTP server on a free port, with the demo data."""
    from werkzeug.serving import make_server

    from matchmaker import demo
    from matchmaker.extensions import db

    monkeypatch.setenv("MATCHMAKER_DEMO_PASSWORD", DEMO_PASSWORD)
    demo.load_demo()
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    # The tables are emptied after the test; the search index in memory must not outlive
    # them (its incremental refresh cannot tell an emptied database from a newer one).
    from matchmaker.search.index import forget_indexes

    forget_indexes()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    """A fresh browser context per test, at desktop and at phone width."""
    viewport = VIEWPORTS[request.param]
    context = browser.new_context(viewport=viewport, is_mobile=request.param == "phone",
                                  locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


SHOT_MAX_SCREENS = 2.5  # a long page is cut after this many screens: readable, small files


def shoot(page, name: str) -> Path:
    """Save a screenshot of the page's top (up to 2.5 screens) under tests/screenshots/
    (git-ignored) for reviewers."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": viewport["width"],
            "height": min(height, int(viewport["height"] * SHOT_MAX_SCREENS))}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("邮箱").or_(page.get_by_label("Email")).fill(email)
    page.get_by_label("密码").or_(page.get_by_label("Password")).first.fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def open_menu(page) -> None:
    """On a phone the navigation links fold behind the menu button: open it first."""
    toggle = page.locator(".site-nav .menu-toggle")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
