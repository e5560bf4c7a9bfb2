"""Forum editions: the record, the current-edition rule, rates by edition, the selector on
every organiser and public page, and one edition per page (never 2023 plus 2024 as
"本次论坛")."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import (
    make_agreement,
    make_catalogue,
    make_edition,
    make_project,
    make_session,
    make_user,
)

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.editions import operations
from matchmaker.editions.models import Edition
from matchmaker.editions.rates import rate_for
from matchmaker.errors import DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.money import YI
from matchmaker.signing.totals import signed_totals

# --- the record and the current edition --------------------------------------------------


def test_the_current_edition_is_the_latest_year_unless_one_is_pinned(app):
    assert operations.current_edition() is None
    make_edition(2023)
    later = make_edition(2025)
    earlier = make_edition(2024)
    assert operations.current_edition() == later
    operations.pin_edition(earlier, user=None)
    db.session.commit()
    assert operations.current_edition() == earlier
    operations.pin_edition(later, user=None)  # one pin at a time
    db.session.commit()
    assert [e.year for e in db.session.scalars(sa.select(Edition).where(Edition.pinned))] == [2025]
    operations.unpin_editions(user=None)
    make_edition(2026)
    db.session.commit()
    assert operations.current_edition().year == 2026
    actions = [e.action for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "edition").order_by(AuditEvent.id))]
    assert actions == ["pin", "pin", "unpin"]


def test_create_with_default_names_target_and_checked_rates(app):
    edition = operations.create_edition(
        operations.EditionInput(year="2025", target="160", rates="USD=7.1, eur=7.8",
                                starts_on=date(2025, 7, 11), ends_on=date(2025, 7, 13)),
        user=None,
    )
    db.session.commit()
    assert (edition.name, edition.name_en) == ("2025年生态文明贵阳国际论坛", "Eco Forum Global Guiyang 2025")
    assert edition.target_yuan == Decimal("16000000000.00")
    assert edition.rates == {"EUR": "7.8", "USD": "7.1"}
    assert edition.exchange_rates() == {"EUR": Decimal("7.8"), "USD": Decimal("7.1")}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "二〇二五"}, "year", "whole number"),
        ({"year": 1999}, "year", "a year, like 2025"),
        ({"year": 2025, "rates": "USD=0"}, "rates", "outside"),
        ({"year": 2025, "rates": "XYZ=1"}, "rates", "Unknown currency"),
        ({"year": 2025, "rates": {"USD": "NaN"}}, "rates", "not an exchange rate"),
        ({"year": 2025, "target": "-5"}, "target", ""),
        ({"year": 2025, "target": "5亿美元"}, "target", "yuan"),
        ({"year": 2025, "starts_on": date(2025, 7, 12), "ends_on": date(2025, 7, 11)}, "ends_on", "end before"),
    ],
)
def test_bad_edition_input_is_refused_and_nothing_is_written(app, data, field, message):
    with pytest.raises(DomainError) as refused:
        operations.create_edition(operations.EditionInput(**data), user=None)
    db.session.rollback()
    assert refused.value.field == field
    assert message in str(refused.value.message.template) or message in refused.value.translated()
    assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 0


def test_an_edition_keeps_its_year_and_exists_once(app):
    edition = make_edition(2025)
    with pytest.raises(DomainError, match="keeps its year"):
        operations.update_edition(edition, operations.EditionInput(year=2026), user=None)
    with pytest.raises(DomainError, match="exists already"):
        operations.create_edition(operations.EditionInput(year=2025), user=None)


def test_resolve_edition_from_a_query(app):
    make_edition(2024)
    current = make_edition(2025)
    assert operations.resolve_edition(None) == current
    assert operations.resolve_edition("") == current
    assert operations.resolve_edition("2024").year == 2024
    with pytest.raises(NotFound):
        operations.resolve_edition("2031")
    with pytest.raises(DomainError, match="one edition"):
        operations.resolve_edition("all")
    assert operations.resolve_edition("ALL", allow_all=True) is operations.ALL


# --- rates: the most specific holder wins ---------------------------------------------------


def test_the_rate_for_a_currency_comes_from_the_catalogue_then_its_edition(app):
    edition = make_edition(2025, rates={"USD": "7.10", "EUR": "7.80"})
    catalogue = make_catalogue(edition=edition, usd_rate=Decimal("7.2"), rates={"HKD": "0.92"})
    session = make_session(edition=edition)
    usd = rate_for("usd", catalogue)
    assert (usd.yuan_per_unit, usd.source, usd.source_id) == (Decimal("7.2"), "catalogue", catalogue.id)
    eur = rate_for("EUR", catalogue)
    assert (eur.yuan_per_unit, eur.source, eur.source_id) == (Decimal("7.80"), "edition", edition.id)
    assert rate_for("HKD", catalogue).source == "catalogue"
    assert rate_for("JPY", catalogue) is None  # never guessed
    assert (rate_for("USD", session).yuan_per_unit, rate_for("USD", session).source) == (Decimal("7.10"), "edition")
    assert rate_for("CNY", session).yuan_per_unit == 1
    assert rate_for("GBP", edition) is None
    assert catalogue.exchange_rates() == {"USD": Decimal("7.2"), "EUR": Decimal("7.80"), "HKD": Decimal("0.92")}


def test_a_catalogue_without_its_own_rate_converts_at_the_editions_and_says_so(app, client, login):
    from matchmaker.catalogue.operations import import_catalogue

    edition = make_edition(2025, rates={"USD": "7.1"})
    catalogue = make_catalogue(edition=edition)
    sheet = "序号,项目名称,所属产业,建设地点,项目总投资（亿元）,拟引资金额（亿元）\n1,美元项目,光伏,贵阳市,1亿美元,0.5亿美元\n"
    report = import_catalogue(catalogue, sheet.encode(), "usd.csv", user=None)
    db.session.commit()
    assert report.committed and not report.rejected
    project = catalogue.projects[0]
    assert (project.currency, project.exchange_rate, project.investment_sought_yuan) == (
        "USD", Decimal("7.1"), Decimal("355000000.00"))
    login(make_user(Role.STAFF))
    html = client.get(f"/catalogues/{catalogue.id}?lang=en").get_data(as_text=True)
    assert "Exchange rate: 7.1 yuan per USD (the edition’s rate)." in html


# --- the migration: one edition per existing year, rows linked -----------------------------


@pytest.fixture
def scratch_url(app, tmp_path):
    """An empty database of the same kind as the suite's (SQLite file / PostgreSQL db)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    name = f"{url.database}_editions_migration"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_migration_creates_one_edition_per_year_and_links_every_row(app, scratch_url, tmp_path):
    import os

    from flask_migrate import downgrade, upgrade

    from matchmaker.app import MIGRATIONS_DIR, create_app

    saved_instance = os.environ.get("MATCHMAKER_INSTANCE")
    os.environ["MATCHMAKER_INSTANCE"] = str(tmp_path / "scratch")
    other = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x", "TESTING": True,
                        "RATE_LIMITS": False, "REQUEST_LOG": False})
    os.environ["MATCHMAKER_INSTANCE"] = saved_instance or ""
    with other.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="1001_real_sheets")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO catalogues (id, name, year, publisher, rates, accepts_outside, status, created_at, updated_at) "
                "VALUES (1, '2023目录', 2023, '', '{}', false, 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                "(2, '2024目录', 2024, '', '{}', false, 'draft', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            connection.execute(sa.text(
                "INSERT INTO signing_sessions (id, edition, name, name_en, kind, venue, target_yuan, state, created_at) "
                "VALUES (1, 2023, '签约A', '', 'green_industry', '', 0, 'closed', CURRENT_TIMESTAMP), "
                "(2, 2024, '签约B', '', 'other', '', 0, 'open', CURRENT_TIMESTAMP), "
                "(3, 2025, '签约C', '', 'other', '', 0, 'planned', CURRENT_TIMESTAMP)"))
        upgrade(directory=MIGRATIONS_DIR)
        with db.engine.connect() as connection:
            editions = dict(connection.execute(sa.text("SELECT year, id FROM editions")).all())
            names = [r[0] for r in connection.execute(sa.text("SELECT name FROM editions ORDER BY year"))]
            catalogues = dict(connection.execute(sa.text("SELECT id, edition_id FROM catalogues")).all())
            sessions = dict(connection.execute(sa.text("SELECT id, edition_id FROM signing_sessions")).all())
        assert sorted(editions) == [2023, 2024, 2025]
        assert names == ["2023年生态文明贵阳国际论坛", "2024年生态文明贵阳国际论坛", "2025年生态文明贵阳国际论坛"]
        assert catalogues == {1: editions[2023], 2: editions[2024]}
        assert sessions == {1: editions[2023], 2: editions[2024], 3: editions[2025]}
        downgrade(directory=MIGRATIONS_DIR, revision="1001_real_sheets")
        with db.engine.connect() as connection:
            years = dict(connection.execute(sa.text("SELECT id, edition FROM signing_sessions")).all())
        assert years == {1: 2023, 2: 2024, 3: 2025}
        db.session.remove()
        db.engine.dispose()


# --- one edition per page ----------------------------------------------------------------------


@pytest.fixture
def two_editions(app):
    """2024: one session, 2.00亿 signed; 2025 (current): one session, 3.00亿 signed, target 50亿."""
    e2024, e2025 = make_edition(2024), make_edition(2025, target_yuan=Decimal("50") * YI)
    old_catalogue = make_catalogue(edition=e2024, name="2024目录")
    new_catalogue = make_catalogue(edition=e2025, name="2025目录")
    old_project = make_project(old_catalogue, name="旧届光伏项目")
    new_project = make_project(new_catalogue, name="本届储能项目")
    make_project(new_catalogue, name="本届未签项目")
    old = make_session(edition=e2024, name="2024绿色产业项目签约", target_yuan=Decimal("10") * YI)
    new = make_session(edition=e2025, name="生态文明贵阳国际论坛绿色产业项目签约",
                       name_en="Green-industry project signing", target_yuan=Decimal("20") * YI)
    make_agreement(old, project=old_project, amount_yuan=Decimal("2") * YI)
    make_agreement(new, project=new_project, amount_yuan=Decimal("3") * YI)
    return {"2024": e2024, "2025": e2025, "old": old, "new": new}


def test_totals_count_one_edition_and_the_catalogue_conversion_is_per_edition(two_editions):
    current = signed_totals(edition=two_editions["2025"])
    assert (current.count, current.total_yuan) == (1, Decimal("300000000.00"))
    assert (current.target_yuan, current.target_source) == (Decimal("5000000000.00"), "edition")
    assert (current.signed_projects, current.catalogue_projects) == (1, 2)
    assert current.signed_on_catalogue_yuan == Decimal("300000000.00")
    assert current.press_zh == "2025年生态文明贵阳国际论坛共签约项目1个，签约金额3.00亿元"
    assert current.press_en == ("1 project was signed at the Eco Forum Global Guiyang 2025, for a total of "
                                "RMB 300 million (RMB 300,000,000).")
    old = signed_totals(edition=2024)
    assert (old.count, old.total_yuan, old.target_source, old.target_yuan) == (
        1, Decimal("200000000.00"), "sessions", Decimal("1000000000.00"))
    assert (old.signed_projects, old.catalogue_projects) == (1, 1)
    both = signed_totals(edition=operations.ALL)
    assert (both.count, both.total_yuan, both.catalogue_projects) == (2, Decimal("500000000.00"), 3)


def test_a_session_press_line_names_the_edition_and_the_session(two_editions):
    totals = signed_totals(edition=two_editions["2025"])
    zh, en = totals.session_press(two_editions["new"])
    assert zh == "2025年生态文明贵阳国际论坛绿色产业项目签约：共签约项目1个，签约金额3.00亿元"
    assert en == ("Eco Forum Global Guiyang 2025: Green-industry project signing — 1 project was signed, "
                  "for a total of RMB 300 million (RMB 300,000,000).")


def _selector(html: str) -> list[tuple[str, bool]]:
    form = re.search(r'<form[^>]*class="edition-selector".*?</form>', html, re.S)
    assert form, "no edition selector on the page"
    return [(m.group(1), bool(m.group(2))) for m in
            re.finditer(r'<option value="([^"]+)"( selected)?', form.group(0))]


def test_public_pages_show_the_current_edition_with_a_selector(two_editions, client):
    for path in ("/", "/signing/dashboard", "/signing/venue"):
        html = client.get(path).get_data(as_text=True)
        assert _selector(html) == [("2025", True), ("2024", False)], path
        assert "2025年生态文明贵阳国际论坛" in html, path
    dashboard = client.get("/signing/dashboard").get_data(as_text=True)
    assert 'id="signed-total">3.00<' in dashboard and "2.00亿元" not in dashboard
    assert "1 of 2 catalogue projects signed" in client.get("/signing/dashboard?lang=en").get_data(as_text=True)
    old = client.get("/signing/dashboard?edition=2024&lang=zh").get_data(as_text=True)
    assert _selector(old) == [("2025", False), ("2024", True)]
    assert 'id="signed-total">2.00<' in old
    assert "2024年生态文明贵阳国际论坛共签约项目1个，签约金额2.00亿元" in old
    home = client.get("/?lang=zh").get_data(as_text=True)
    assert 'id="fig-signed">3.00<' in home and 'id="fig-projects">2<' in home


def test_the_venue_screen_names_the_edition_and_shows_the_open_sessions_title_and_target(two_editions, client):
    html = client.get("/signing/venue").get_data(as_text=True)
    assert '<p class="edition" id="venue-edition">2025年生态文明贵阳国际论坛</p>' in html
    assert 'id="venue-session">生态文明贵阳国际论坛绿色产业项目签约</h1>' in html
    assert 'id="venue-total">3.00<' in html
    assert "15.0% of the 20.00亿元 target" in client.get("/signing/venue?lang=en").get_data(as_text=True)
    assert "2025年生态文明贵阳国际论坛绿色产业项目签约：共签约项目1个，签约金额3.00亿元" in html
    old = client.get(f"/signing/venue?session={two_editions['old'].id}&lang=zh").get_data(as_text=True)
    assert 'id="venue-edition">2024年生态文明贵阳国际论坛<' in old and 'id="venue-total">2.00<' in old
    assert client.get("/signing/venue?session=99999").status_code == 404


def test_unknown_and_cross_edition_choices_are_refused_on_one_edition_pages(two_editions, client):
    assert client.get("/signing/dashboard?edition=2031").status_code == 404
    refused = client.get("/signing/dashboard?edition=all&lang=en")
    assert refused.status_code == 400
    assert "totals across editions are on their own page" in refused.get_data(as_text=True)
    assert client.get("/signing/dashboard?edition=%E2%91%A4").status_code == 400


def test_totals_across_editions_only_on_the_page_that_says_so(two_editions, client):
    html = client.get("/signing/editions?lang=en").get_data(as_text=True)
    assert "This page adds up several editions of the forum." in html
    assert 'id="across-count">2<' in html and 'id="across-total">5.00<' in html
    assert html.index("Eco Forum Global Guiyang 2025") < html.index("Eco Forum Global Guiyang 2024")


def test_organiser_and_staff_pages_show_one_edition(two_editions, client, login):
    login(make_user(Role.ADMIN))
    sessions = client.get("/signing/").get_data(as_text=True)
    assert _selector(sessions)[0] == ("2025", True)
    assert "生态文明贵阳国际论坛绿色产业项目签约" in sessions and "2024绿色产业项目签约" not in sessions
    assert 'name="edition" required type="number" value="2025"' in sessions  # the new session's default
    old = client.get("/signing/?edition=2024").get_data(as_text=True)
    assert "2024绿色产业项目签约" in old and "生态文明贵阳国际论坛绿色产业项目签约" not in old
    catalogues = client.get("/catalogues/").get_data(as_text=True)
    assert _selector(catalogues)[0] == ("2025", True)
    assert "2025目录" in catalogues and "2024目录" not in catalogues
    assert "2024目录" in client.get("/catalogues/?edition=2024").get_data(as_text=True)


def test_api_and_cli_default_to_the_current_edition_and_say_when_they_add_editions(two_editions, client, runner):
    current = client.get("/api/v1/signing/totals").json
    assert (current["count"], current["total_yuan"], current["scope"]) == (1, "300000000.00", "edition")
    assert current["edition"] == {"year": 2025, "name": "2025年生态文明贵阳国际论坛",
                                  "name_en": "Eco Forum Global Guiyang 2025"}
    across = client.get("/api/v1/signing/totals?edition=all").json
    assert (across["count"], across["scope"], across["edition"]) == (2, "all_editions", None)
    sessions = client.get("/api/v1/signing/sessions").json["items"]
    assert [(s["name"], s["edition"]) for s in sessions] == [("生态文明贵阳国际论坛绿色产业项目签约", 2025)]
    assert len(client.get("/api/v1/signing/sessions?edition=all").json["items"]) == 2
    assert client.get("/api/v1/signing/totals?edition=2031").status_code == 404
    out = runner.invoke(args=["signing", "totals", "--json", "--edition", "2024"])
    assert json.loads(out.output)["total_yuan"] == "200000000.00"
    assert runner.invoke(args=["signing", "totals"]).output.splitlines()[0] == (
        "2025年生态文明贵阳国际论坛共签约项目1个，签约金额3.00亿元")
    refused = runner.invoke(args=["signing", "totals", "--edition", "1999"])
    assert refused.exit_code == 1


# --- the editions pages and commands --------------------------------------------------------


def test_organisers_create_edit_and_pin_editions_on_the_page(app, client, login):
    login(make_user(Role.ORGANIZER))
    created = client.post("/editions/", data={"year": "2025", "target": "160", "rates": "USD=7.1",
                                               "csrf_token": csrf_token(client)})
    assert created.status_code == 302
    edition = operations.edition_by_year(2025)
    assert (edition.name, edition.target_yuan, edition.rates) == (
        "2025年生态文明贵阳国际论坛", Decimal("16000000000.00"), {"USD": "7.1"})
    bad = client.post(f"/editions/{edition.id}/edit?lang=en", data={
        "year": "2025", "name": "改名", "rates": "USD=-1", "csrf_token": csrf_token(client)})
    assert bad.status_code == 400 and "outside" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert (edition.name, edition.rates) == ("2025年生态文明贵阳国际论坛", {"USD": "7.1"})
    make_edition(2026)
    page = client.get("/editions/?lang=en").get_data(as_text=True)
    assert "current (latest year)" in page
    assert client.post(f"/editions/{edition.id}/pin", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert operations.current_edition().year == 2025
    assert "current (pinned)" in client.get("/editions/?lang=en").get_data(as_text=True)


def test_staff_and_investors_cannot_manage_editions(app, client, login):
    edition = make_edition(2025)
    login(make_user(Role.STAFF))
    assert client.get("/editions/").status_code == 403
    assert client.post(f"/editions/{edition.id}/pin", data={"csrf_token": csrf_token(client)}).status_code == 403


def test_editions_commands(app, runner):
    result = runner.invoke(args=["editions", "create", "2025", "--target", "160", "--rates", "USD=7.1"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["editions", "create", "2025"]).exit_code == 1
    assert runner.invoke(args=["editions", "create", "2024", "--rates", "USD=abc"]).exit_code == 1
    runner.invoke(args=["editions", "create", "2024"])
    assert runner.invoke(args=["editions", "pin", "2024"]).exit_code == 0
    listed = json.loads(runner.invoke(args=["editions", "list", "--json"]).output)["items"]
    assert [(e["year"], e["current"], e["pinned"]) for e in listed] == [(2025, False, False), (2024, True, True)]
    assert listed[0]["rates"] == {"USD": "7.1"} and listed[0]["target_yuan"] == "16000000000.00"
    assert runner.invoke(args=["editions", "update", "2031"]).exit_code == 1
