"""Rates as reports state them, against figures computed by hand (both databases).

The 2024 edition, signed 2024-07-05 (10:42 in Guiyang), two sessions:
  A  3亿 遵义 (county 汇川), 新能源   registered, started 2024-09-10, in production 2025-02-01, funds 1.5亿
  B  2亿 遵义,               新能源   registered 2024-08-01 only, funds 0.5亿 (2024-08-15)
  C  1亿 贵阳, off-catalogue, no sector   nothing recorded
  D  4亿 贵阳,               大数据   started 2024-10-01, funds 1亿 (2024-11-20), then terminated
left out: E voided (2亿, started), F a letter of intent (5亿), G of the 2023 edition (9亿).

  counted 4, signed 10亿; fulfilled A, B (D is terminated) = 2 -> 50.0% (5亿 signed)
  started A, D = 2 -> 50.0% (7亿); in production A = 1 -> 25.0% (3亿)
  funds 1.5 + 0.5 + 1 = 3亿 of 10亿 -> 30.0%
  遵义: 2 agreements, 5亿, fulfilled 2 (100.0%), started 1 (50.0%), production 1, funds 2亿 (40.0%)
  贵阳: 2, 5亿, fulfilled 0 (0.0%), started 1 (50.0%), production 0, funds 1亿 (20.0%)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from factories import make_agreement, make_investor, make_project, make_session, make_user, region
from openpyxl import load_workbook
from queries import count_queries

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.extensions import db
from matchmaker.followup import operations
from matchmaker.followup.operations import FundsInput, StageInput, StateInput
from matchmaker.followup.rates import edition_rates, percent
from matchmaker.investors.models import InvestorKind
from matchmaker.signing.models import AgreementKind

SIGNED = datetime(2024, 7, 5, 2, 42, tzinfo=UTC)
YI = Decimal("100000000")
TODAY = date(2025, 6, 30)


@pytest.fixture
def fixture_2024(app):
    s1 = make_session(edition=2024, name="绿色产业项目签约")
    s2 = make_session(edition=2024, name="重大项目签约")
    old = make_session(edition=2023)
    soe = make_investor(kind=InvestorKind.SOE)
    private = make_investor(kind=InvestorKind.ENTERPRISE)
    p_a = make_project(region_code="520303", sectors=("new_energy.solar",))
    p_b = make_project(region_code="520300", sectors=("new_energy.solar",))
    p_d = make_project(region_code="520100", sectors=("big_data",))

    def signed(session, investor, yi, **fields):
        return make_agreement(session, investor, amount_yuan=Decimal(yi) * YI, signed_at=SIGNED,
                              **fields)

    a = signed(s1, soe, 3, project=p_a)
    b = signed(s1, private, 2, project=p_b)
    c = signed(s2, private, 1, project_name="场外项目", region=region("520100"))
    d = signed(s2, soe, 4, project=p_d)
    e = signed(s1, soe, 2, project=p_a)
    f = signed(s1, soe, 5, project=p_b, kind=AgreementKind.INTENT)
    g = signed(old, soe, 9, project=p_a)
    stage = operations.record_stage
    stage(a, StageInput("registered", date(2024, 8, 1), "执照"), user=None)
    stage(a, StageInput("started", date(2024, 9, 10), "许可证"), user=None)
    stage(a, StageInput("in_production", date(2025, 2, 1), "验收"), user=None)
    operations.record_funds(a, FundsInput("1.5", date(2024, 9, 1), "回单"), user=None)
    stage(b, StageInput("registered", date(2024, 8, 1), "执照"), user=None)
    operations.record_funds(b, FundsInput("0.5", date(2024, 8, 15), "回单"), user=None)
    stage(d, StageInput("started", date(2024, 10, 1), "许可证"), user=None)
    operations.record_funds(d, FundsInput("1", date(2024, 11, 20), "回单"), user=None)
    operations.change_state(d, StateInput("terminated", "投资方退出", date(2025, 1, 5)), user=None)
    stage(e, StageInput("started", date(2024, 9, 1), "许可证"), user=None)
    stage(g, StageInput("started", date(2024, 9, 1), "许可证"), user=None)
    db.session.commit()
    e.voided, e.void_reason = True, "重复"
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "f": f, "edition": s1.edition}


def test_rates_of_the_edition_are_exact(fixture_2024):
    rates = edition_rates(fixture_2024["edition"], today=TODAY)
    w = rates.whole
    assert (w.count, w.signed_yuan) == (4, 10 * YI)
    assert (w.fulfilled, w.fulfilled_yuan, w.fulfilled_rate) == (2, 5 * YI, Decimal("50.0"))
    assert (w.started, w.started_yuan, w.started_rate) == (2, 7 * YI, Decimal("50.0"))
    assert (w.in_production, w.in_production_yuan, w.in_production_rate) == (1, 3 * YI, Decimal("25.0"))
    assert (w.funds_yuan, w.funds_rate) == (3 * YI, Decimal("30.0"))
    assert (w.stalled, w.terminated) == (0, 1)
    by_place = {row.name: row for row in rates.breakdowns["prefecture"]}
    assert set(by_place) == {"遵义市", "贵阳市"}
    zunyi, guiyang = by_place["遵义市"], by_place["贵阳市"]
    assert (zunyi.count, zunyi.signed_yuan, zunyi.fulfilled_rate, zunyi.started_rate,
            zunyi.funds_yuan, zunyi.funds_rate) == (2, 5 * YI, Decimal("100.0"), Decimal("50.0"),
                                                    2 * YI, Decimal("40.0"))
    assert (guiyang.fulfilled_rate, guiyang.started_rate, guiyang.in_production,
            guiyang.funds_rate) == (Decimal("0.0"), Decimal("50.0"), 0, Decimal("20.0"))
    for name, rows in rates.breakdowns.items():
        assert sum(r.count for r in rows) == w.count, name
        assert sum((r.signed_yuan for r in rows), Decimal(0)) == w.signed_yuan, name
        assert sum((r.funds_yuan for r in rows), Decimal(0)) == w.funds_yuan, name
        assert sum(r.started for r in rows) == w.started, name
    sectors = {row.key: row.count for row in rates.breakdowns["sector"]}
    assert sectors == {"new_energy": 2, "big_data": 1, "unassigned": 1}
    kinds = {row.key: (row.count, row.started) for row in rates.breakdowns["investor_kind"]}
    assert kinds == {"soe": (2, 2), "enterprise": (2, 0)}
    assert [r.count for r in rates.breakdowns["session"]] == [2, 2]


def test_rates_by_quarter_are_cumulative(fixture_2024):
    quarters = edition_rates(fixture_2024["edition"], today=TODAY).quarters
    assert [q.label for q in quarters] == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert [q.started for q in quarters] == [1, 2, 2, 2]
    assert [q.in_production for q in quarters] == [0, 0, 1, 1]
    assert [q.funds_yuan for q in quarters] == [2 * YI, 3 * YI, 3 * YI, 3 * YI]
    assert [q.funds_rate for q in quarters] == [Decimal("20.0"), Decimal("30.0"),
                                                Decimal("30.0"), Decimal("30.0")]


def test_percent_rounds_half_up():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 0) is None


def test_rates_page_export_and_api(fixture_2024, client, login, app):
    organiser = login(make_user(Role.ORGANIZER))
    page = client.get("/followup/rates?edition=2024").get_data(as_text=True)
    assert "50.0%" in page and "30.0%" in page and "<svg" in page
    assert "3.00亿元" in page and "10.00亿元" in page
    sheet = client.get("/followup/rates.xlsx?edition=2024")
    workbook = load_workbook(BytesIO(sheet.data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    total = rows[-1]
    assert total[0] == "合计 Total" and total[2] == 4 and total[3] == 10
    assert (total[5], round(total[11], 6)) == (0.5, 0.3)  # shown as 50.0% and 30.0%
    assert [r[1] for r in rows[2:-1]] == ["贵阳市", "遵义市"]  # 5亿 each: by code
    plain, _ = create_token(organiser)
    db.session.commit()
    answer = client.get("/api/v1/followup/rates?edition=2024",
                        headers={"Authorization": f"Bearer {plain}"}).json
    assert answer["whole"]["funds"] == {"in_place_yuan": "300000000.00",
                                        "signed_yuan": "1000000000.00", "rate": "30.0"}
    assert answer["whole"]["started"]["rate"] == "50.0"


def test_scoped_staff_see_their_prefecture_only(fixture_2024, client, login):
    staff = make_user(Role.STAFF)
    staff.scope_regions = [region("520300")]
    db.session.commit()
    login(staff)
    page = client.get("/followup/rates?edition=2024&by=prefecture").get_data(as_text=True)
    assert "遵义市" in page and "贵阳市" not in page


def _page_queries(client, url: str):
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted


def test_busy_pages_run_a_constant_number_of_queries(fixture_2024, client, login):
    login(make_user(Role.ORGANIZER))
    urls = ["/followup/?edition=2024", "/followup/rates?edition=2024&by=sector"]
    db.session.commit()  # the signed-in user is reloaded in both measurements
    before = [_page_queries(client, url) for url in urls]
    session = fixture_2024["a"].session
    for _number in range(15):
        agreement = make_agreement(session, make_investor(), amount_yuan=YI, signed_at=SIGNED,
                                   project=make_project(region_code="520100"))
        operations.record_stage(agreement, StageInput("started", date(2024, 9, 1), "许可证"),
                                user=None)
    db.session.commit()
    after = [_page_queries(client, url) for url in urls]
    for one, other in zip(before, after, strict=True):
        assert one.count == other.count, f"{one}\n---\n{other}"
