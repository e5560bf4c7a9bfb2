"""Agreements signed in US dollars, euros and Hong Kong dollars (合同外资): converted at the
session's (or edition's) rate, exact to the fen, the original kept, totals in yuan with the
foreign sub-total; a missing rate, an unknown currency or an absurd rate is refused."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_edition, make_investor, make_project, make_session, make_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement
from matchmaker.signing.operations import AgreementInput, SessionInput, parse_signed_amount
from matchmaker.signing.totals import signed_totals

SIGNED = datetime(2025, 7, 12, 2, 30, tzinfo=UTC)


@pytest.fixture
def organizer(app):
    return make_user(Role.ORGANIZER)


@pytest.fixture
def session_2025(app):
    """The 2025 edition at USD 7.1, EUR 7.8 and HKD 0.92; its session sets its own USD rate."""
    edition = make_edition(2025, rates={"USD": "7.1", "EUR": "7.8", "HKD": "0.92"})
    return make_session(edition=edition, name="绿色产业项目签约", rates={"USD": "7.1234"})


def record(session, amount, *, user, **fields):
    values = {"investor": make_investor().id, "amount": amount, "kind": "investment_contract",
              "project_name": "外资项目", "signed_at": SIGNED, **fields}
    agreement = operations.record_agreement(session, AgreementInput(**values), user=user)
    db.session.commit()
    return agreement


@pytest.mark.parametrize(
    ("typed", "currency", "original", "yuan", "rate"),
    [
        ("6.7亿美元", "USD", "670000000.00", "4772678000.00", "7.1234"),
        ("USD 670 million", "USD", "670000000.00", "4772678000.00", "7.1234"),
        ("$670m", "USD", "670000000.00", "4772678000.00", "7.1234"),
        ("US$ 1,234,567.89", "USD", "1234567.89", "8794320.91", "7.1234"),  # 8,794,320.9076…
        ("EUR 120m", "EUR", "120000000.00", "936000000.00", "7.8"),
        ("€0.35亿", "EUR", "35000000.00", "273000000.00", "7.8"),
        ("HK$5亿", "HKD", "500000000.00", "460000000.00", "0.92"),
        ("5000万港元", "HKD", "50000000.00", "46000000.00", "0.92"),
    ],
)
def test_foreign_amounts_convert_at_the_session_or_edition_rate(session_2025, typed, currency, original,
                                                                yuan, rate):
    parsed = parse_signed_amount(typed, rates=operations.session_rates(session_2025))
    assert (parsed.currency, f"{parsed.amount_original:f}", f"{parsed.yuan:f}", f"{parsed.rate:f}") == (
        currency, original, yuan, rate)


def test_the_agreement_keeps_what_was_signed_and_totals_count_it_exactly(organizer, session_2025):
    dollars = record(session_2025, "USD 670 million", user=organizer)
    record(session_2025, "US$ 1,234,567.89", user=organizer)
    record(session_2025, "HK$5亿", user=organizer)
    record(session_2025, "3.25亿元", user=organizer)
    db.session.expire_all()
    stored = db.session.get(Agreement, dollars.id)
    assert (stored.currency, stored.amount_original, stored.exchange_rate, stored.amount_yuan) == (
        "USD", Decimal("670000000.00"), Decimal("7.1234"), Decimal("4772678000.00"))

    totals = signed_totals(edition=2025)
    rows = db.session.scalars(sa.select(Agreement.amount_yuan)).all()
    assert totals.total_yuan == sum(rows) == Decimal("5566472320.91")
    assert [(r.currency, r.count, r.amount_original, r.total_yuan) for r in totals.foreign] == [
        ("USD", 2, Decimal("671234567.89"), Decimal("4781472320.91")),
        ("HKD", 1, Decimal("500000000.00"), Decimal("460000000.00")),
    ]
    assert totals.foreign_total_yuan == Decimal("5241472320.91")
    assert totals.press_zh == "2025年生态文明贵阳国际论坛共签约项目4个，签约金额55.66亿元"
    assert totals.foreign_zh == "其中外币签约（合同外资）：6.71亿美元、5.00亿港元，折合52.41亿元"
    assert totals.foreign_en == (
        "of which foreign-currency agreements: USD 671.23 million, HKD 500 million (RMB 5.24 billion)")
    data = totals.as_json()
    assert data["foreign"][0] == {"currency": "USD", "count": 2, "amount_original": "671234567.89",
                                  "total_yuan": "4781472320.91"}
    assert data["foreign_total_yuan"] == "5241472320.91"


def test_a_voided_foreign_agreement_leaves_the_foreign_total(organizer, session_2025):
    agreement = record(session_2025, "$670m", user=organizer)
    operations.void_agreement(agreement, "重复录入", user=organizer)
    db.session.commit()
    totals = signed_totals(edition=2025)
    assert (totals.total_yuan, totals.foreign, totals.foreign_zh) == (Decimal("0.00"), [], "")


def test_a_missing_rate_is_refused_naming_it_and_nothing_is_written(organizer, session_2025):
    with pytest.raises(DomainError) as caught:
        record(session_2025, "£20m", user=organizer)
    db.session.rollback()
    assert str(caught.value) == (
        "£20m is in GBP, but no GBP exchange rate is set for this signing session or its edition; "
        "an organiser sets it (yuan per GBP) on the session or the edition page.")
    assert caught.value.field == "amount"
    assert db.session.scalar(sa.select(sa.func.count(Agreement.id))) == 0


def test_an_amendment_keeps_the_rate_the_agreement_was_signed_at(organizer, session_2025):
    agreement = record(session_2025, "USD 670 million", user=organizer)
    session_2025.rates = {"USD": "7.25"}
    db.session.commit()
    operations.amend_agreement(
        agreement, AgreementInput(investor=agreement.investor_id, amount="USD 680 million",
                                  project_name="外资项目", signed_at=SIGNED), "金额更正", user=organizer)
    db.session.commit()
    assert (agreement.exchange_rate, agreement.amount_yuan) == (Decimal("7.1234"), Decimal("4843912000.00"))
    later = record(session_2025, "USD 1 million", user=organizer)
    assert (later.exchange_rate, later.amount_yuan) == (Decimal("7.25"), Decimal("7250000.00"))


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ("USD=-7.1", "The exchange rate -7.1 is outside 0.0001–1000 yuan per unit."),
        ("USD=0.14", "0.14 yuan per USD is not a plausible rate (expected 2–21); is it written the wrong "
                     "way round?"),
        ("USD=71000", "The exchange rate 71000 is outside 0.0001–1000 yuan per unit."),
        ("CHF=7.9", "Unknown currency CHF; rates are for USD, EUR, HKD, JPY, GBP."),
        ("USD=7.12345678", "The exchange rate 7.12345678 has more than six decimals."),
    ],
)
def test_a_session_refuses_bad_rates(organizer, rates, message):
    make_edition(2025)
    with pytest.raises(DomainError) as caught:
        operations.create_session(SessionInput(edition=2025, name="签约", rates=rates), user=organizer)
    assert (str(caught.value), caught.value.field) == (message, "rates")


def test_a_session_rate_is_set_and_shown(organizer):
    make_edition(2025, rates={"USD": "7.1"})
    session = operations.create_session(SessionInput(edition=2025, name="签约", rates="usd=7.15, HKD=0.91"),
                                        user=organizer)
    db.session.commit()
    assert session.rates == {"HKD": "0.91", "USD": "7.15"}
    assert {c: (r.yuan_per_unit, r.source) for c, r in operations.session_rates(session).items()} == {
        "HKD": (Decimal("0.91"), "session"), "USD": (Decimal("7.15"), "session")}


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def headers(app):
    token, _row = create_token(make_user(Role.ORGANIZER))
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_the_api_records_a_dollar_agreement_and_reports_it(client, headers, session_2025):
    project = make_project()
    body = {"investor": make_investor(name_en="Tesla").id, "project": project.id, "amount": "6.7亿美元",
            "kind": "investment_contract", "signed_at": "2025-07-12T10:30:00+08:00"}
    response = client.post(f"/api/v1/signing/sessions/{session_2025.id}/agreements", json=body,
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["amount_yuan"], data["currency"], data["amount_original"], data["rate"]) == (
        "4772678000.00", "USD", "670000000.00", "7.1234")
    totals = client.get("/api/v1/signing/totals?edition=2025").get_json()
    assert (totals["total_yuan"], totals["foreign_total_yuan"]) == ("4772678000.00", "4772678000.00")
    assert totals["foreign"] == [{"currency": "USD", "count": 1, "amount_original": "670000000.00",
                                  "total_yuan": "4772678000.00"}]
    sessions = client.get("/api/v1/signing/sessions?edition=2025").get_json()["items"]
    assert sessions[0]["rates"] == {"USD": "7.1234"}


@pytest.mark.parametrize(
    ("amount", "needle"),
    [("500万英镑", "no GBP exchange rate is set"), ("CHF 5m", "CHF, a currency the platform does not convert"),
     ("-USD 5m", "negative")],
)
def test_the_api_refuses_a_foreign_amount_it_cannot_convert(client, headers, session_2025, amount, needle):
    body = {"investor": make_investor().id, "project_name": "p", "amount": amount, "kind": "framework"}
    response = client.post(f"/api/v1/signing/sessions/{session_2025.id}/agreements?lang=en", json=body,
                           headers=headers)
    assert response.status_code == 400
    assert needle in response.get_json()["error"]["message"]
    assert client.get("/api/v1/signing/totals?edition=2025").get_json()["count"] == 0


# --- the desk -----------------------------------------------------------------------------------


@pytest.fixture
def desk(client, login):
    login(make_user(Role.ORGANIZER))
    return client


def desk_record(client, session, **fields):
    from conftest import csrf_token

    data = {"investor": "", "project": "", "amount": "", "kind": "investment_contract",
            "idempotency_key": "key-1", "investor_kind": "enterprise", "csrf_token": csrf_token(client)}
    data.update(fields)
    return client.post(f"/signing/sessions/{session.id}/record", data=data)


def test_the_desk_previews_the_rate_then_records_in_dollars(desk, session_2025):
    investor = make_investor("特斯拉（上海）有限公司", name_en="Tesla (Shanghai) Co., Ltd.")
    page = desk.get(f"/signing/sessions/{session_2025.id}?lang=en").get_data(as_text=True)
    assert ("Exchange rates: EUR 7.8 (the edition’s rate) · HKD 0.92 (the edition’s rate) · "
            "USD 7.1234 (this session’s rate)") in " ".join(page.split())
    fields = {"investor": f"#{investor.id}", "project": "外资项目", "off_catalogue": "y", "amount": "6.7亿美元"}
    first = desk_record(desk, session_2025, **fields)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert '<strong class="preview-amount">47.73亿元</strong>' in html
    assert "USD 670,000,000.00</strong> × 7.1234" in html
    saved = desk_record(desk, session_2025, shown_amount="6.7亿美元", **fields)
    assert saved.status_code == 302
    agreement = db.session.scalar(sa.select(Agreement))
    assert (agreement.currency, agreement.amount_original, agreement.amount_yuan) == (
        "USD", Decimal("670000000.00"), Decimal("4772678000.00"))
    listing = desk.get(f"/signing/sessions/{session_2025.id}").get_data(as_text=True)
    assert "USD 670,000,000.00 × 7.1234" in listing
    amend = desk.get(f"/signing/agreements/{agreement.id}").get_data(as_text=True)
    assert 'value="USD 670000000.00"' in amend  # corrected in its currency
    dashboard = desk.get("/signing/dashboard?edition=2025&lang=en").get_data(as_text=True)
    assert 'id="foreign-en">of which foreign-currency agreements: USD 670 million (RMB 4.77 billion)' in dashboard
    assert "其中外币签约（合同外资）：6.70亿美元，折合47.73亿元" in dashboard


def test_the_live_preview_names_the_rate_or_the_missing_one(desk, session_2025):
    answer = desk.get(f"/api/v1/signing/lookup/amount?session={session_2025.id}&amount=HK%245亿&lang=en").get_json()
    assert (answer["ok"], answer["yi"], answer["original"], answer["rate"], answer["rate_source"]) == (
        True, "4.60", "HKD 500,000,000.00", "0.92", "the edition’s rate")
    missing = desk.get(f"/api/v1/signing/lookup/amount?session={session_2025.id}&amount=£5m&lang=en").get_json()
    assert not missing["ok"] and "no GBP exchange rate is set" in missing["message"]


def test_the_session_page_sets_its_rates(desk, session_2025):
    from conftest import csrf_token

    form = desk.get(f"/signing/sessions/{session_2025.id}/edit").get_data(as_text=True)
    assert 'value="USD=7.1234"' in form
    data = {"name": session_2025.name, "edition": "2025", "kind": "green_industry", "target": "80",
            "rates": "USD=0.14", "csrf_token": csrf_token(desk)}
    refused = desk.post(f"/signing/sessions/{session_2025.id}/edit?lang=en", data=data)
    assert refused.status_code == 400 and "is it written the wrong way round?" in refused.get_data(as_text=True)
    data["rates"] = "USD=7.15, HKD=0.915"
    assert desk.post(f"/signing/sessions/{session_2025.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert session_2025.rates == {"HKD": "0.915", "USD": "7.15"}


def test_the_agreements_export_keeps_the_original_currency(desk, organizer, session_2025):
    from io import BytesIO

    from openpyxl import load_workbook

    record(session_2025, "EUR 120m", user=organizer)
    sheet = load_workbook(BytesIO(desk.get("/signing/export/agreements.xlsx?edition=2025").data))["Agreements"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["amount (yuan) 金额（元）"], row["currency 币种"], row["amount signed 原币金额"],
            row["rate (yuan per unit) 汇率"]) == (936000000, "EUR", 120000000, 7.8)
