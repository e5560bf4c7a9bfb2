"""Signing: totals + breakdowns over N agreements, and recording one agreement.

- totals: `signed_totals()` (running tallies kept by triggers) against, in the same run,
  the exact grouped statement it falls back to (one UNION ALL over covering indexes), the
  previous path (four GROUP BYs in turn: `legacy_totals`) and the naive way - fetch every
  agreement row and sum and break down in Python.
- record: `record_agreement` + commit through the service (investor by id, and by a
  name resolved against the known investors) against a bare ORM insert + commit.

Standalone: `python -m benchmarks.bench_signing [--sizes 10000,100000]`.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from benchmarks import synthetic
from benchmarks.harness import Row, temp_app, time_runs

PROJECTS = 220
INVESTORS = 200


def _populate(size: int) -> None:
    """220 catalogue projects, 200 investors, 2 sessions, `size` agreements (a third
    off-catalogue, 5% letters of intent, 2% voided), inserted with Core."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import Project
    from matchmaker.editions.operations import edition_for_year
    from matchmaker.extensions import db
    from matchmaker.investors.models import Investor, InvestorKind
    from matchmaker.reference.models import Region, Sector
    from matchmaker.signing.models import (
        Agreement,
        AgreementKind,
        SessionKind,
        SessionState,
        SigningSession,
    )

    rng = random.Random(11)
    catalogue_id = synthetic.bulk_load(synthetic.projects(PROJECTS))
    project_ids = list(db.session.scalars(sa.select(Project.id).where(Project.catalogue_id == catalogue_id)))
    sector_ids = list(db.session.scalars(sa.select(Sector.id)))
    region_ids = list(db.session.scalars(sa.select(Region.id)))
    kinds = list(InvestorKind)
    db.session.execute(
        sa.insert(Investor),
        [{"name": f"基准投资有限公司{i}", "kind": kinds[i % len(kinds)], "aliases": []} for i in range(INVESTORS)],
    )
    for index, kind in enumerate((SessionKind.GREEN_INDUSTRY, SessionKind.MAJOR_PROJECTS)):
        db.session.add(SigningSession(edition=edition_for_year(2025), name=f"签约仪式{index}", kind=kind, state=SessionState.OPEN,
                                      target_yuan=Decimal("8000000000")))
    db.session.flush()
    investor_ids = list(db.session.scalars(sa.select(Investor.id)))
    session_ids = list(db.session.scalars(sa.select(SigningSession.id)))
    start = datetime(2025, 7, 12, 1, 0, tzinfo=UTC)
    agreement_kinds = [AgreementKind.INVESTMENT_CONTRACT, AgreementKind.FRAMEWORK, AgreementKind.STRATEGIC]
    rows = []
    for i in range(size):
        off = rng.random() < 0.33
        voided = rng.random() < 0.02
        rows.append({
            "session_id": rng.choice(session_ids),
            "investor_id": rng.choice(investor_ids),
            "project_id": None if off else rng.choice(project_ids),
            "project_name": f"场外项目{i}" if off else "",
            "sector_id": rng.choice(sector_ids) if off else None,
            "region_id": rng.choice(region_ids) if off else None,
            "amount_yuan": Decimal(rng.randint(1_000, 5_000_000)) * 100,
            "kind": AgreementKind.INTENT if rng.random() < 0.05 else rng.choice(agreement_kinds),
            "signed_at": start + timedelta(seconds=i),
            "voided": voided,
            "void_reason": "重复录入" if voided else "",
        })
    # Multi-row INSERT statements: PostgreSQL's tally triggers run once per statement.
    for chunk in range(0, len(rows), 2_000):
        db.session.execute(sa.insert(Agreement).values(rows[chunk:chunk + 2_000]))
    db.session.commit()


def _naive_totals() -> tuple[Decimal, dict]:
    """Every agreement row to Python, summed and broken down there."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import Project, project_sectors
    from matchmaker.extensions import db
    from matchmaker.investors.models import Investor
    from matchmaker.signing.models import Agreement, AgreementKind

    first_sector = {}
    for project_id, sector_id in db.session.execute(
        sa.select(project_sectors.c.project_id, project_sectors.c.sector_id)
    ):
        first_sector.setdefault(project_id, sector_id)
    regions = dict(db.session.execute(sa.select(Project.id, Project.region_id)).all())
    total = Decimal(0)
    breakdowns: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for row in db.session.execute(
        sa.select(Agreement.session_id, Agreement.project_id, Agreement.sector_id, Agreement.region_id,
                  Agreement.kind, Agreement.voided, Agreement.amount_yuan, Investor.kind)
        .join(Investor, Investor.id == Agreement.investor_id)
    ):
        session_id, project_id, sector_id, region_id, kind, voided, amount, investor_kind = row
        if voided or kind == AgreementKind.INTENT:
            continue
        total += amount
        breakdowns["session"][session_id] += amount
        breakdowns["kind"][kind] += amount
        breakdowns["investor_kind"][investor_kind] += amount
        breakdowns["sector"][first_sector.get(project_id) if project_id else sector_id] += amount
        breakdowns["region"][regions.get(project_id) if project_id else region_id] += amount
    return total, breakdowns


def _legacy_totals() -> Decimal:
    """The path before issue 17 (four full GROUP BYs in turn), in benchmarks/legacy_totals.py."""
    from benchmarks.legacy_totals import signed_totals as legacy_signed_totals

    return legacy_signed_totals().total_yuan


def totals(size: int) -> list[Row]:
    import sqlalchemy as sa

    from matchmaker.extensions import db
    from matchmaker.signing import totals as signing_totals

    with temp_app("signing"):
        _populate(size)
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE agreements"))
        from benchmarks.legacy_totals import signed_totals as legacy_signed_totals

        ours_totals = signing_totals.signed_totals()
        ours_total = ours_totals.total_yuan
        naive_total, _ = _naive_totals()
        assert ours_total == naive_total == _legacy_totals(), (ours_total, naive_total)
        # exact to the fen, every breakdown: the same rows as the previous path's
        legacy = legacy_signed_totals()
        for name, rows in ours_totals.breakdowns().items():
            assert [(r.key, r.count, r.total_yuan) for r in rows] == \
                [(r.key, r.count, r.total_yuan) for r in legacy.breakdowns()[name]], name
        counted = signing_totals.counted_kinds(False)
        assert (signing_totals.read_tallies(counted, None).normalised()
                == signing_totals.grouped_tallies(counted, None).normalised())

        cpu: dict[str, list[float]] = defaultdict(list)

        def timed(name, fn):
            # the machine is shared: this process's CPU time beside the wall time (SQLite runs
            # in the process, so it is the whole cost there; PostgreSQL's server is not in it)
            def run() -> None:
                start = time.process_time()
                fn()
                db.session.rollback()
                cpu[name].append((time.process_time() - start) * 1000)
            return run

        def cpu_ms(name: str) -> float:
            samples = sorted(cpu[name][1:])  # the warm-up left out
            return round(samples[len(samples) // 2], 1)

        runs = 7 if size <= 10_000 else 5
        ours = time_runs(timed("ours", signing_totals.signed_totals), runs=runs)
        grouped = time_runs(timed("grouped", lambda: signing_totals.grouped_tallies(counted, None)), runs=runs)
        legacy = time_runs(timed("legacy", _legacy_totals), runs=runs)
        naive = time_runs(timed("naive", _naive_totals), runs=3)
        dialect = db.engine.dialect.name
        base = {"agreements": size, "db": dialect, "baseline_cpu_ms": cpu_ms("legacy")}
        return [
            Row.of("signing totals + breakdowns (tallies)", size, ours, legacy,
                   "4 GROUP BYs (before 17)", cpu_ms=cpu_ms("ours"), **base),
            Row.of("signing totals: grouped statement only", size, grouped, legacy,
                   "4 GROUP BYs (before 17)", cpu_ms=cpu_ms("grouped"), **base),
            Row.of("signing totals: all rows in Python", size, naive, legacy,
                   "4 GROUP BYs (before 17)", cpu_ms=cpu_ms("naive"), **base),
        ]


def record(size: int) -> list[Row]:
    """Recording one agreement (with commit) into a database already holding `size` agreements."""
    from matchmaker.extensions import db
    from matchmaker.investors.models import Investor
    from matchmaker.signing.models import Agreement, AgreementKind, SigningSession
    from matchmaker.signing.operations import AgreementInput, record_agreement

    with temp_app("signing-record"):
        _populate(size)
        session = db.session.scalar(db.select(SigningSession).limit(1))
        investor = db.session.scalar(db.select(Investor).limit(1))
        counter = iter(range(10**9))

        def by_id() -> None:
            n = next(counter)
            record_agreement(session, AgreementInput(investor=investor.id, amount="3.25亿元", kind="投资合同",
                                                     project_name=f"基准项目{n}", idempotency_key=f"id-{n}"),
                             user=None)
            db.session.commit()

        def by_name() -> None:
            n = next(counter)
            record_agreement(session, AgreementInput(investor="基准投资有限公司17", amount="5000万",
                                                     kind="framework", project_name=f"基准项目{n}",
                                                     idempotency_key=f"name-{n}"), user=None)
            db.session.commit()

        def bare_insert() -> None:
            n = next(counter)
            db.session.add(Agreement(session_id=session.id, investor_id=investor.id, project_name=f"裸{n}",
                                     amount_yuan=Decimal("325000000"), kind=AgreementKind.INVESTMENT_CONTRACT,
                                     signed_at=datetime.now(UTC)))
            db.session.commit()

        baseline = time_runs(bare_insert, runs=30, warmup=3)
        return [
            Row.of("record one agreement (investor id)", size, time_runs(by_id, runs=30, warmup=3), baseline,
                   "bare ORM insert + commit"),
            Row.of("record one agreement (name resolved)", size, time_runs(by_name, runs=30, warmup=3), baseline,
                   "bare ORM insert + commit", investors=INVESTORS),
        ]


def register(registry) -> None:
    registry.add("signing totals", totals, sizes=(10_000, 100_000))
    registry.add("signing record", record, sizes=(10_000,))


def run(sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        rows += [r.as_dict() for r in totals(size)]
    rows += [r.as_dict() for r in record(min(sizes))]
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import format_table

    wanted = [10_000, 100_000]
    if len(sys.argv) > 2 and sys.argv[1] == "--sizes":
        wanted = [int(s) for s in sys.argv[2].split(",")]
    started = time.perf_counter()
    print(format_table(run(wanted)))
    print(f"({time.perf_counter() - started:.1f} s)")
