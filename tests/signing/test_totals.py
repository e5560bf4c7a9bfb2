"""Exact signed totals: sums, breakdowns that add up, letters of intent, press lines."""

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (
    make_agreement,
    make_catalogue,
    make_investor,
    make_project,
    make_session,
    region,
    sector,
)

from matchmaker.extensions import db
from matchmaker.investors.models import InvestorKind
from matchmaker.money import YI
from matchmaker.signing.models import Agreement, AgreementKind
from matchmaker.signing.press import press_line_en, press_line_zh
from matchmaker.signing.totals import signed_totals

BREAKDOWNS = ("by_session", "by_sector", "by_region", "by_kind", "by_investor_kind")


def rows_of(totals, name):
    return {row.key: (row.count, row.total_yuan) for row in getattr(totals, name)}


def assert_adds_up(totals):
    for name in BREAKDOWNS:
        rows = getattr(totals, name)
        assert sum((r.total_yuan for r in rows), Decimal(0)) == totals.total_yuan, name
        assert sum(r.count for r in rows) == totals.count, name


def test_three_agreements_of_a_tenth_of_a_yi_total_exactly_0_30(app):
    session = make_session()
    for _ in range(3):
        make_agreement(session, amount_yuan=Decimal("0.1") * YI)
    totals = signed_totals(edition=2023)
    assert totals.total_yuan == Decimal("30000000.00")
    assert totals.count == 3
    assert totals.press_zh == "2023年生态文明贵阳国际论坛共签约项目3个，签约金额0.30亿元"
    across = signed_totals()  # every edition: the line says so, never "本次论坛"
    assert across.press_zh == "历届生态文明贵阳国际论坛合计共签约项目3个，签约金额0.30亿元"
    assert_adds_up(totals)


def test_ten_thousand_random_amounts_sum_exactly(app):
    session = make_session()
    investor = make_investor()
    rng = random.Random(20230708)
    amounts = [Decimal(rng.randint(1, 10**13)) / 100 for _ in range(10_000)]
    db.session.execute(
        sa.insert(Agreement),
        [
            {"session_id": session.id, "investor_id": investor.id, "project_name": "场外", "amount_yuan": a,
             "kind": AgreementKind.FRAMEWORK, "signed_at": datetime(2023, 7, 8, tzinfo=UTC)}
            for a in amounts
        ],
    )
    db.session.commit()
    totals = signed_totals()
    assert totals.total_yuan == sum(amounts, Decimal(0))
    assert totals.count == 10_000
    assert_adds_up(totals)


@pytest.fixture
def mixed(app):
    """Catalogue and off-catalogue agreements, two sessions, intent and voided ones."""
    catalogue = make_catalogue()
    two_sectors = make_project(catalogue, sectors=("new_energy.solar", "storage"), region_code="520303",
                               investment_sought_yuan=Decimal("10") * YI)
    data_centre = make_project(catalogue, sectors=("big_data.datacenter",), region_code="529900",
                               investment_sought_yuan=Decimal("20") * YI)
    make_project(catalogue, sectors=("eco_tourism",), investment_sought_yuan=Decimal("5") * YI)
    green, major = make_session(name="绿色产业项目签约", target_yuan=Decimal("60") * YI), make_session(
        name="重大项目签约", target_yuan=Decimal("100") * YI)
    soe = make_investor("贵州绿能投资集团有限公司", kind=InvestorKind.SOE)
    fund = make_investor("砺新创业投资基金", kind=InvestorKind.FUND)
    foreign = make_investor("温塔尔能源有限公司", kind=InvestorKind.FOREIGN)
    make_agreement(green, soe, project=two_sectors, amount_yuan=Decimal("3.25") * YI)
    make_agreement(green, fund, project=data_centre, amount_yuan=Decimal("1.38") * YI, kind=AgreementKind.FRAMEWORK)
    make_agreement(major, foreign, project_name="风光储一体化", sector=sector("new_energy.wind"),
                   region=region("522301"), amount_yuan=Decimal("16.39") * YI, kind=AgreementKind.STRATEGIC)
    make_agreement(major, soe, project_name="无归属项目", amount_yuan=Decimal("0.01") * YI)
    make_agreement(major, fund, project_name="意向项目", amount_yuan=Decimal("7") * YI, kind=AgreementKind.INTENT)
    make_agreement(green, fund, project_name="作废项目", amount_yuan=Decimal("9") * YI, voided=True,
                   void_reason="签错了")
    return {"green": green, "major": major}


def test_breakdowns_add_up_and_follow_the_first_sector_and_the_prefecture(mixed):
    totals = signed_totals()
    assert totals.total_yuan == Decimal("2103000000.00")  # 3.25 + 1.38 + 16.39 + 0.01 亿
    assert totals.count == 4
    assert totals.target_yuan == Decimal("16000000000.00")
    assert_adds_up(totals)
    # The solar+storage project counts once, under its first sector in taxonomy order
    # (project.sectors[0]: storage comes before new_energy.*), rolled up to the top level.
    assert rows_of(totals, "by_sector") == {
        "storage": (1, Decimal("325000000.00")),
        "new_energy": (1, Decimal("1639000000.00")),
        "big_data": (1, Decimal("138000000.00")),
        "unassigned": (1, Decimal("1000000.00")),
    }
    # Counties roll up to their prefecture: 520303 -> 520300, 522301 -> 522300.
    assert rows_of(totals, "by_region") == {
        "522300": (1, Decimal("1639000000.00")),
        "520300": (1, Decimal("325000000.00")),
        "529900": (1, Decimal("138000000.00")),
        "unassigned": (1, Decimal("1000000.00")),
    }
    assert [r.key for r in totals.by_kind] == ["investment_contract", "framework", "strategic"]
    assert rows_of(totals, "by_investor_kind") == {
        "foreign": (1, Decimal("1639000000.00")),
        "soe": (2, Decimal("326000000.00")),
        "fund": (1, Decimal("138000000.00")),
    }
    assert (totals.intent_count, totals.intent_yuan, totals.voided_count) == (1, Decimal("700000000.00"), 1)
    assert (totals.signed_projects, totals.catalogue_projects) == (2, 3)
    assert totals.signed_on_catalogue_yuan == Decimal("463000000.00")
    assert totals.sought_yuan == Decimal("3500000000.00")
    assert signed_totals(edition=2023).press_zh == "2023年生态文明贵阳国际论坛共签约项目4个，签约金额21.03亿元"


def test_letters_of_intent_count_only_when_chosen(mixed):
    totals = signed_totals(count_intent=True)
    assert totals.count == 5
    assert totals.total_yuan == Decimal("2803000000.00")
    assert [r.key for r in totals.by_kind][-1] == "intent"
    assert_adds_up(totals)


def test_edition_filter_and_empty_sessions(app):
    old = make_session(edition=2023)
    make_session(edition=2025, target_yuan=Decimal("0"))
    make_agreement(old)
    totals = signed_totals(edition=2025)
    assert (totals.count, totals.total_yuan) == (0, Decimal("0.00"))
    assert [r.count for r in totals.by_session] == [0]


@pytest.mark.parametrize(
    ("count", "yuan", "zh", "en"),
    [
        (0, "0", "本次论坛共签约项目0个，签约金额0.00亿元", "0 projects were signed at the forum, for a total of RMB 0."),
        (1, "100000000", "本次论坛共签约项目1个，签约金额1.00亿元",
         "1 project was signed at the forum, for a total of RMB 100 million (RMB 100,000,000)."),
        (52, "16025000000.00", "本次论坛共签约项目52个，签约金额160.25亿元",
         "52 projects were signed at the forum, for a total of RMB 16.03 billion (RMB 16,025,000,000)."),
        (3, "1234567.89", "本次论坛共签约项目3个，签约金额0.01亿元",
         "3 projects were signed at the forum, for a total of RMB 1.23 million (RMB 1,234,567.89)."),
        (2, "1234500000", "本次论坛共签约项目2个，签约金额12.35亿元",
         "2 projects were signed at the forum, for a total of RMB 1.23 billion (RMB 1,234,500,000)."),
    ],
)
def test_press_lines(count, yuan, zh, en):
    assert press_line_zh(count, Decimal(yuan)) == zh
    assert press_line_en(count, Decimal(yuan)) == en


def test_home_page_shows_the_same_signed_figures(mixed, client):
    html = client.get("/").get_data(as_text=True)
    assert 'id="fig-signed">21.03<' in html
