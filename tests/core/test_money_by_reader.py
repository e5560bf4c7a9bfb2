"""Money as each reader writes it: Chinese pages keep 亿元; English pages say RMB billions or
millions with the US-dollar equivalent at the edition's rate; tickets in USD, EUR or HKD are
converted at the rate the profile form shows."""

from decimal import Decimal

import pytest
from conftest import csrf_token
from factories import make_catalogue, make_edition, make_investor, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.money import format_money


@pytest.mark.parametrize(
    ("yuan", "locale", "rate", "text"),
    [
        ("16235000000", "en", "7.1", "RMB 16.24 billion (≈ USD 2.29 billion at 7.10)"),
        ("350000000", "en", "7.1", "RMB 350 million (≈ USD 49.3 million at 7.10)"),
        ("350000000", "en", None, "RMB 350 million"),
        ("16235000000", "zh", "7.1", "162.35亿元"),
        ("50000000", "zh", None, "0.50亿元"),
    ],
)
def test_format_money(yuan, locale, rate, text):
    assert format_money(Decimal(yuan), locale, Decimal(rate) if rate else None) == text


@pytest.fixture
def project_2025(app):
    edition = make_edition(2025, rates={"USD": "7.10"})
    catalogue = make_catalogue(edition=edition, year=2025)
    return make_project(catalogue, name="六盘水市钟山区光伏电站项目", investment_sought_yuan=Decimal("350000000.00"),
                        total_investment_yuan=Decimal("1624000000.00"))


def test_an_english_project_page_shows_rmb_and_dollars(client, project_2025):
    html = client.get(f"/projects/{project_2025.id}?lang=en").get_data(as_text=True)
    assert "RMB 350 million (≈ USD 49.3 million at 7.10)" in html
    assert "RMB 1.62 billion (≈ USD 228.73 million at 7.10)" in html
    chinese = client.get(f"/projects/{project_2025.id}?lang=zh").get_data(as_text=True)
    assert "3.50</strong> 亿元" in chinese and "RMB" not in chinese


def test_the_english_home_page_states_rmb_with_the_dollar_equivalent(client, project_2025):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<span class="value" id="fig-sought">RMB 350 million</span>' in html
    assert "(≈ USD 49.3 million at 7.10)" in html


def test_a_ticket_in_dollars_or_euros_is_converted_at_the_rate_shown(client, login, project_2025):
    login(make_user(Role.INVESTOR))
    form = client.get("/matches/profile?lang=en").get_data(as_text=True)
    assert "converted to yuan at USD 7.10 yuan per unit" in form
    data = {"csrf_token": csrf_token(client), "organisation": "Example Capital Partners", "create_investor": "y",
            "min_amount": "50", "max_amount": "$120m", "unit": "USD million", "keywords": "solar"}
    response = client.post("/matches/profile", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    from matchmaker.matching.models import InvestorProfile

    profile = db.session.query(InvestorProfile).one()
    assert (profile.min_yuan, profile.max_yuan) == (Decimal("355000000.00"), Decimal("852000000.00"))
    data.update(min_amount="30", unit="EUR million")
    refused = client.post("/matches/profile?lang=en", data=data)
    assert refused.status_code == 400
    assert "No EUR rate is set for the current edition" in refused.get_data(as_text=True)


def test_staff_fill_a_ticket_in_hong_kong_dollars(client, login, project_2025):
    make_edition(2025, rates={"USD": "7.10", "HKD": "0.91"})
    login(make_user(Role.STAFF))
    investor = make_investor("香港绿色基金有限公司")
    response = client.post(f"/investors/{investor.id}/profile", data={
        "csrf_token": csrf_token(client), "min_amount": "HK$1亿", "max_amount": "500", "unit": "HKD million"})
    assert response.status_code == 302
    db.session.refresh(investor)
    assert (investor.profile.min_yuan, investor.profile.max_yuan) == (Decimal("91000000.00"), Decimal("455000000.00"))


def test_a_match_reason_states_the_amount_as_its_reader_writes_it(app):
    from flask_babel import refresh

    from matchmaker.i18n import N_, Message, Yuan, translate

    reason = Message(N_("Amount sought %(amount)s is within your range"),
                     {"amount": Yuan(Decimal("500000000"))})
    with app.test_request_context("/?lang=en"):
        refresh()
        assert translate(reason) == "Amount sought RMB 500 million is within your range"
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert translate(reason) == "拟引资 5.00亿元，在您的投资区间内"
