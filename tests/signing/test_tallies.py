"""Running tallies: after every kind of write the totals read from the tallies equal the
exact grouped statement over the agreements and the sum of the rows themselves."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (
    make_agreement,
    make_investor,
    make_project,
    make_session,
    make_user,
    region,
    sector,
)

from matchmaker.extensions import db
from matchmaker.investors.models import InvestorKind
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, AgreementKind, AgreementTally
from matchmaker.signing.operations import AgreementInput
from matchmaker.signing.totals import counted_kinds, grouped_tallies, read_tallies, signed_totals


def rows_total(*, count_intent: bool = False) -> tuple[Decimal, int]:
    """The signed total summed over the agreement rows in Python."""
    counted = set(counted_kinds(count_intent))
    rows = [a for a in db.session.scalars(sa.select(Agreement)) if not a.voided and a.kind in counted]
    return sum((a.amount_yuan for a in rows), Decimal(0)), len(rows)


def assert_tallies_exact():
    for count_intent in (False, True):
        counted = counted_kinds(count_intent)
        assert read_tallies(counted, None).normalised() == grouped_tallies(counted, None).normalised()
        totals = signed_totals(count_intent=count_intent)
        assert (totals.total_yuan, totals.count) == rows_total(count_intent=count_intent)
        for rows in totals.breakdowns().values():
            assert sum((r.total_yuan for r in rows), Decimal(0)) == totals.total_yuan
            assert sum(r.count for r in rows) == totals.count


def test_create_amend_void_keep_tallies_equal_to_the_rows(app):
    organizer = make_user("organizer")
    session, other_session = make_session(), make_session()
    project = make_project(sectors=("new_energy.solar",), region_code="520100")
    investor = make_investor(kind=InvestorKind.SOE)
    first = operations.record_agreement(
        session, AgreementInput(investor=investor.id, amount="3.25亿元", project_id=project.id), user=organizer
    )
    second = operations.record_agreement(
        session, AgreementInput(investor=investor.id, amount=Decimal("0.01"), project_name="场外项目",
                                sector_code="storage", region_code="520300", kind="framework"),
        user=organizer,
    )
    operations.record_agreement(
        other_session, AgreementInput(investor=investor.id, amount="5000万", project_name="意向项目", kind="intent"),
        user=organizer,
    )
    db.session.commit()
    assert_tallies_exact()
    assert signed_totals().total_yuan == Decimal("325000000.01")

    # amend: amount, kind, and from catalogue to off-catalogue
    operations.amend_agreement(
        first, AgreementInput(investor=investor.id, amount="1.5亿元", project_name="改为场外", kind="strategic",
                              sector_code="new_materials", region_code="520200"),
        "录入有误", user=organizer,
    )
    db.session.commit()
    assert_tallies_exact()
    assert signed_totals().total_yuan == Decimal("150000000.01")

    operations.void_agreement(second, "重复录入", user=organizer)
    db.session.commit()
    assert_tallies_exact()
    totals = signed_totals()
    assert (totals.total_yuan, totals.count, totals.voided_count) == (Decimal("150000000.00"), 1, 1)


def test_core_writes_and_deletes_are_tallied_too(app):
    session = make_session()
    investor, other = make_investor(kind=InvestorKind.FUND), make_investor(kind=InvestorKind.FOREIGN)
    project = make_project()
    db.session.execute(sa.insert(Agreement), [
        {"session_id": session.id, "investor_id": investor.id, "project_id": project.id, "project_name": "",
         "amount_yuan": Decimal("12.34"), "kind": AgreementKind.FRAMEWORK,
         "signed_at": datetime(2023, 7, 8, tzinfo=UTC)}
        for _ in range(50)
    ])
    make_agreement(session, investor, currency="USD", amount_original=Decimal("100.00"),
                   exchange_rate=Decimal("7.1"), amount_yuan=Decimal("710.00"))
    make_agreement(session, investor, currency="USD", amount_original=Decimal("0.01"),
                   exchange_rate=Decimal("7.1"), amount_yuan=Decimal("0.07"), kind=AgreementKind.INTENT)
    db.session.commit()
    assert_tallies_exact()
    assert [(r.currency, r.count, r.amount_original) for r in signed_totals().foreign] == [
        ("USD", 1, Decimal("100.00"))
    ]
    # a bulk move to another investor, then deleting some rows outright
    db.session.execute(sa.update(Agreement).where(Agreement.id % 2 == 0).values(investor_id=other.id))
    db.session.execute(sa.delete(Agreement).where(Agreement.id % 5 == 0))
    db.session.commit()
    assert_tallies_exact()
    assert signed_totals().count == len(db.session.scalars(
        sa.select(Agreement.id).where(Agreement.kind != AgreementKind.INTENT)).all())


def test_a_project_moving_sector_or_region_moves_its_signed_amounts(app):
    project = make_project(sectors=("new_energy.solar",), region_code="520100")
    make_agreement(project=project, project_name="", amount_yuan=Decimal("7.00"))
    before = {row.key: row.total_yuan for row in signed_totals().by_sector}
    assert before == {"new_energy": Decimal("7.00")}
    project.sectors = [sector("storage")]
    project.region = region("520300")
    db.session.commit()
    totals = signed_totals()
    assert {row.key: row.total_yuan for row in totals.by_sector} == {"storage": Decimal("7.00")}
    assert [row.key for row in totals.by_region] == ["520300"]


def test_a_tally_past_the_integer_range_falls_back_to_the_exact_sum(app, caplog):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite keeps integer fen; PostgreSQL sums NUMERIC without limit")
    make_agreement(amount_yuan=Decimal("1.00"))
    # What SQLite does when an integer sum in a trigger overflows: the value turns float.
    db.session.execute(sa.update(AgreementTally).values(yuan=sa.literal_column("100.5")))
    db.session.commit()
    assert signed_totals().total_yuan == Decimal("1.00")
    assert "tallies unusable" in caplog.text


def _totals_statements() -> list[str]:
    from queries import count_queries

    signed_totals()  # the listed projects' counts are cached per process: count the steady state
    db.session.expire_all()
    with count_queries() as counted:
        signed_totals()
    return counted.statements


def test_totals_run_as_many_statements_for_5_agreements_as_for_60_and_read_no_agreement(app):
    session = make_session()
    investors = [make_investor(f"贵州测试投资有限公司{i}") for i in range(6)]
    projects = [make_project(name=f"光伏项目{i}") for i in range(6)]

    def add(start: int, stop: int) -> None:
        for number in range(start, stop):
            off = number % 3 == 0
            make_agreement(session, investors[number % 6], project=None if off else projects[number % 6],
                           project_name=f"表外项目{number}" if off else "", amount_yuan=Decimal(100 + number))
        db.session.commit()

    add(0, 5)
    few = _totals_statements()
    add(5, 60)
    many = _totals_statements()
    assert len(many) == len(few), "\n".join(many)
    # the tallies, not the agreements: links are read from their own table
    assert not [s for s in many if "FROM agreements" in s], "\n".join(many)
    assert_tallies_exact()


def test_linked_agreements_are_read_by_id_and_counted_once(app):
    from matchmaker.signing.models import AgreementLink

    session, other = make_session(), make_session()
    project = make_project(name="光伏项目")
    originals = [make_agreement(session, project=project, project_name="", amount_yuan=Decimal("5.00"))
                 for _ in range(3)]
    duplicates = [make_agreement(other, project=project, project_name="", amount_yuan=Decimal("5.00"))
                  for _ in range(3)]
    make_agreement(other, amount_yuan=Decimal("0.01"))
    for original, duplicate in zip(originals, duplicates, strict=True):
        db.session.add(AgreementLink(duplicate_id=duplicate.id, original_id=original.id))
    duplicates[2].voided, duplicates[2].void_reason = True, "录入错误"  # no longer counted: nothing to leave out
    db.session.commit()
    statements = _totals_statements()
    reads = [s for s in statements if "FROM agreements" in s]
    assert len(reads) == 1 and "agreements.id" in reads[0].split("WHERE", 1)[1], reads
    totals = signed_totals()
    assert (totals.count, totals.total_yuan, totals.linked_count) == (4, Decimal("15.01"), 2)
    assert {row.key: row.count for row in totals.by_session} == {str(session.id): 3, str(other.id): 1}
