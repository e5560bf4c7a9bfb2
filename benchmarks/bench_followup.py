"""Follow-through: the rates (履约率, 开工率, 投产率, 资金到位率 with four breakdowns and the
quarter series) and the catalogue -> landing funnel over N agreements with progress,
against a naive per-row computation in the same run (every agreement loaded, its
follow-up fetched one by one, everything summed in Python).

Standalone: `python -m benchmarks.bench_followup [--sizes 10000,100000]`;
MATCHMAKER_BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from benchmarks.bench_signing import _populate as populate_agreements
from benchmarks.harness import Row, temp_app, time_runs


def _populate(size: int) -> None:
    """`size` agreements (bench_signing's mix), then progress for about 70 % of them:
    registered, started (half), in production (a fifth), funds in place in one payment,
    a few stalled or terminated; leads on a third of the catalogue projects."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project
    from matchmaker.editions.models import Edition
    from matchmaker.extensions import db
    from matchmaker.followup.models import EntryKind, Followup, FollowupState, ProgressEntry
    from matchmaker.investors.models import Investor
    from matchmaker.matching.models import Lead
    from matchmaker.signing.models import Agreement

    populate_agreements(size)
    edition_id = db.session.scalar(sa.select(Edition.id).where(Edition.year == 2025))
    db.session.execute(sa.update(Catalogue).values(status=CatalogueStatus.PUBLISHED,
                                                   edition_id=edition_id, year=2025))
    rng = random.Random(16)
    signed = date(2025, 7, 12)
    now = datetime.now(UTC)
    followups, entries = [], []
    for agreement_id, amount in db.session.execute(sa.select(Agreement.id, Agreement.amount_yuan)):
        if rng.random() > 0.7:
            continue
        started = signed + timedelta(days=rng.randint(20, 300)) if rng.random() < 0.5 else None
        producing = (started + timedelta(days=rng.randint(30, 200))
                     if started and rng.random() < 0.4 else None)
        funds = (amount * rng.randint(0, 100) / 100).quantize(Decimal("0.01"))
        paid_on = signed + timedelta(days=rng.randint(5, 400))
        state = rng.choices(list(FollowupState), weights=(90, 7, 3))[0]
        followups.append({
            "agreement_id": agreement_id, "registered_on": signed + timedelta(days=10),
            "started_on": started, "in_production_on": producing, "funds_yuan": funds,
            "payments": 1 if funds > 0 else 0, "first_funds_on": paid_on if funds > 0 else None,
            "state": state, "state_reason": "基准" if state != FollowupState.ON_TRACK else "",
            "last_progress_at": now - timedelta(days=rng.randint(0, 400)),
        })
        if funds > 0:
            entries.append({"agreement_id": agreement_id, "kind": EntryKind.FUNDS,
                            "occurred_on": paid_on, "amount_yuan": funds, "note": "回单",
                            "reason": "", "recorded_at": now})
    for table, rows in ((Followup, followups), (ProgressEntry, entries)):
        for chunk in range(0, len(rows), 5_000):
            db.session.execute(sa.insert(table), rows[chunk:chunk + 5_000])
    project_ids = list(db.session.scalars(sa.select(Project.id)))
    investor_id = db.session.scalar(sa.select(Investor.id).limit(1))
    db.session.execute(sa.insert(Lead), [{"investor_id": investor_id, "project_id": p, "message": ""}
                                         for p in project_ids[::3]])
    db.session.commit()


def _naive_rates(edition) -> tuple[int, Decimal, int, int, Decimal]:
    """Per row: every counted agreement as an ORM object, its follow-up fetched alone."""
    import sqlalchemy as sa

    from matchmaker.extensions import db
    from matchmaker.followup.models import Followup, FollowupState
    from matchmaker.signing.models import Agreement, AgreementKind, SigningSession

    count, signed, started, producing, funds = 0, Decimal(0), 0, 0, Decimal(0)
    sessions = {s.id for s in db.session.scalars(
        sa.select(SigningSession).where(SigningSession.edition_id == edition.id))}
    for agreement in db.session.scalars(sa.select(Agreement)):
        if agreement.voided or agreement.kind == AgreementKind.INTENT:
            continue
        if agreement.session_id not in sessions:
            continue
        count += 1
        signed += agreement.amount_yuan
        followup = db.session.get(Followup, agreement.id)
        if followup is None:
            continue
        started += followup.started_on is not None
        producing += followup.in_production_on is not None
        funds += followup.funds_yuan
        _ = followup.state == FollowupState.TERMINATED
    return count, signed, started, producing, funds


def _naive_funnel(edition) -> list[int]:
    """Per catalogue project: its leads and its agreements queried one project at a time."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import Catalogue, Project
    from matchmaker.extensions import db
    from matchmaker.followup.models import Followup
    from matchmaker.matching.models import Lead
    from matchmaker.signing.models import Agreement, AgreementKind

    steps = [0, 0, 0, 0, 0]
    projects = db.session.scalars(sa.select(Project).join(Catalogue)
                                  .where(Catalogue.edition_id == edition.id)).all()
    for project in projects:
        steps[0] += 1
        steps[1] += bool(db.session.scalar(sa.select(Lead.id).where(Lead.project_id == project.id)
                                           .limit(1)))
        agreements = db.session.scalars(sa.select(Agreement).where(
            Agreement.project_id == project.id, Agreement.voided.is_(False),
            Agreement.kind != AgreementKind.INTENT)).all()
        steps[2] += bool(agreements)
        followups = [db.session.get(Followup, a.id) for a in agreements]
        steps[3] += any(f is not None and f.started_on for f in followups)
        steps[4] += any(f is not None and f.in_production_on for f in followups)
    return steps


def rates_and_funnel(size: int) -> list[Row]:
    import sqlalchemy as sa

    from matchmaker.editions.models import Edition
    from matchmaker.extensions import db
    from matchmaker.followup.funnel import edition_funnel
    from matchmaker.followup.rates import edition_rates

    with temp_app("followup"):
        _populate(size)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE agreements, followups, progress_entries"))
        edition = db.session.scalar(sa.select(Edition).where(Edition.year == 2025))
        ours = edition_rates(edition)
        naive = _naive_rates(edition)
        whole = ours.whole
        assert (whole.count, whole.signed_yuan, whole.started, whole.in_production,
                whole.funds_yuan) == naive, (whole, naive)
        funnel = edition_funnel(edition)
        naive_steps = _naive_funnel(edition)
        by_key = {s.key: s.projects for s in funnel.steps}
        assert [by_key[k] for k in ("catalogue", "interest", "signed", "started",
                                    "in_production")] == naive_steps, (by_key, naive_steps)
        assert naive_steps[0] > 0 and naive_steps[3] > 0
        db.session.rollback()

        def timed(fn):
            def run() -> None:
                fn()
                db.session.rollback()
                db.session.expunge_all()  # the naive way pays its loads every time
            return run

        edition_id = edition.id

        def the_edition():
            return db.session.get(Edition, edition_id)

        runs = 5
        rates_t = time_runs(timed(lambda: edition_rates(the_edition())), runs=runs)
        naive_rates_t = time_runs(timed(lambda: _naive_rates(the_edition())), runs=1, warmup=0)
        funnel_t = time_runs(timed(lambda: edition_funnel(the_edition())), runs=runs)
        naive_funnel_t = time_runs(timed(lambda: _naive_funnel(the_edition())), runs=1, warmup=0)
        followups = db.session.scalar(sa.text("SELECT count(*) FROM followups"))
        dialect = db.engine.dialect.name
        return [
            Row.of("followup rates + 4 breakdowns + quarters", size, rates_t, naive_rates_t,
                   "per-row ORM + get()", agreements=size, with_progress=followups, db=dialect),
            Row.of("followup funnel (catalogue -> production)", size, funnel_t, naive_funnel_t,
                   "per-project queries", agreements=size, db=dialect),
        ]


def register(registry) -> None:
    registry.add("followup rates and funnel", rates_and_funnel, sizes=(10_000, 100_000))


if __name__ == "__main__":
    from benchmarks.__main__ import format_table

    wanted = [10_000, 100_000]
    if len(sys.argv) > 2 and sys.argv[1] == "--sizes":
        wanted = [int(s) for s in sys.argv[2].split(",")]
    started = time.perf_counter()
    print(format_table([row.as_dict() for size in wanted for row in rates_and_funnel(size)]))
    print(f"({time.perf_counter() - started:.1f} s)")
