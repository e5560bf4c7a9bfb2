"""Scale (issue 17): deltas instead of rebuilds, and what a second worker sees.

In one run, on one database (SQLite, or MATCHMAKER_BENCH_DATABASE_URL):
- matrix: one changed project applied to the cached ProjectMatrix (generation read, change
  log, re-read of that row, copy-on-write apply) against the full rebuild from the database
  that every worker did before;
- search: one reindexed project brought into the in-memory index plus the next search,
  against the full load of the index;
- listed projects (home page, dashboard): the per-catalogue counts kept by the generation
  cache against the recount every request ran;
- a second worker process (spawned, its own app, started from the snapshots this process
  wrote): time to answer its first search and match, its resident memory, and how long
  after a commit in this process it finds a newly written project - with no rebuild (its
  build counter is reported);
- (case "workers from snapshots vs rows") 1, 2 and 4 workers started at once from the
  snapshots against as many building from rows, same run, same database: time to the
  first search + match, and per worker RSS, PSS and USS (/proc/<pid>/smaps_rollup: PSS
  divides shared pages among the processes mapping them, USS counts private pages only),
  so that memory per worker is shown not to grow with workers x projects.

Standalone: `python -m benchmarks.bench_scale --sizes 100000`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from decimal import Decimal

from benchmarks.harness import Row, Timing, loaded_app, time_runs

MATCH_BODY = {"sectors": ["new_energy"], "regions": ["520100"], "min_yuan": "1亿", "max_yuan": "10亿",
              "modes": ["joint_venture"], "keywords": "光伏 储能"}


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _worker(url: str, instance: str, requests, answers) -> None:  # runs in a child process
    started = time.perf_counter()
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    os.environ["MATCHMAKER_INSTANCE"] = instance
    from matchmaker.app import create_app
    from matchmaker.extensions import db
    from matchmaker.matching import operations
    from matchmaker.search.core import SearchRequest
    from matchmaker.search.operations import search_projects

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-worker"})
    with app.app_context():
        client = app.test_client()

        parts: dict[str, float] = {}

        def answer(name: str, profile: dict) -> tuple[bool, bool]:
            began = time.perf_counter()
            found = any(p.name == name for p, _ in search_projects(SearchRequest(q=name)).items)
            searched = time.perf_counter()
            operations.matching_context()  # the matrix's delta, timed apart from the match
            brought = time.perf_counter()
            response = client.post("/api/v1/match", json={**profile, "keywords": name})
            matched = any(item["project"]["name"] == name for item in response.json["items"])
            db.session.remove()
            parts.update(search_ms=(searched - began) * 1000, matrix_delta_ms=(brought - searched) * 1000,
                         match_ms=(time.perf_counter() - brought) * 1000)
            return found, matched

        answer("光伏", MATCH_BODY)
        answers.put(json.dumps({"ready_ms": (time.perf_counter() - started) * 1000, "rss_mib": _rss_mib(),
                                "builds": operations._contexts.builds}))
        for message in iter(requests.get, None):
            name, profile = json.loads(message)
            deadline = time.perf_counter() + 30
            while True:
                found, matched = answer(name, profile)
                if (found and matched) or time.perf_counter() > deadline:
                    break
            answers.put(json.dumps({"found": found, "matched": matched, "builds": operations._contexts.builds,
                                    "deltas": operations._contexts.deltas, "seen_at": time.time(),
                                    "loads": operations._contexts.loads, **parts}))


def scale(size: int) -> list[Row]:
    import sqlalchemy as sa

    from matchmaker import cache
    from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
    from matchmaker.db import money_sum
    from matchmaker.extensions import db
    from matchmaker.matching import operations
    from matchmaker.search import index as search_index
    from matchmaker.search.core import SearchRequest
    from matchmaker.search.operations import search_projects, write_snapshots
    from matchmaker.signing.totals import listed_figures

    rows: list[Row] = []
    with loaded_app("scale", size) as (app, loaded):
        catalogue_id = loaded["catalogue_id"]
        cache.bump(cache.MATCHING_PROJECTS)
        db.session.commit()
        load_s = loaded["load_s"] + loaded["reindex_s"]
        dialect = db.engine.dialect.name

        # -- matrix: full rebuild (what every worker did on every change) vs one-row delta
        rebuild = time_runs(lambda: (operations.invalidate(), db.session.commit(),
                                     operations.matching_context()), runs=1, warmup=0)
        project = db.session.scalar(sa.select(Project).where(Project.catalogue_id == catalogue_id).limit(1))
        counter = iter(range(10**9))

        def edit_one() -> None:
            project.construction_content = f"建设光伏电站及储能设施{next(counter)}"
            db.session.commit()

        def after_an_edit(read) -> Timing:
            """Time `read` (the first request after a commit elsewhere), the edit untimed."""
            samples = []
            for _ in range(10):
                edit_one()
                start = time.perf_counter()
                read()
                samples.append((time.perf_counter() - start) * 1000)
                db.session.commit()
            return Timing(samples[1:])

        builds = operations._contexts.builds
        applied = after_an_edit(operations.matching_context)
        assert operations._contexts.builds == builds, "a delta rebuilt the matrix"
        rows.append(Row.of("matrix: one edited project applied (delta)", size, applied, rebuild,
                           "full rebuild from the db", db=dialect))

        # -- search: full load vs one-row delta + the next search
        def full_load() -> None:  # from the rows, as before snapshots
            search_index.forget_indexes()
            app.config["SNAPSHOTS"] = False
            try:
                search_projects(SearchRequest(q="光伏"))
            finally:
                app.config["SNAPSHOTS"] = True
            db.session.commit()

        loaded = time_runs(full_load, runs=1, warmup=0)

        searched = after_an_edit(lambda: search_projects(SearchRequest(q="光伏")))
        rows.append(Row.of("search: one edited project + next search", size, searched, loaded,
                           "full index load", db=dialect))

        # -- listed projects: kept counts vs the recount every request ran
        def recount() -> None:
            db.session.execute(
                sa.select(sa.func.count(Project.id), money_sum(Project.investment_sought_yuan))
                .join(Catalogue).where(Catalogue.status == CatalogueStatus.PUBLISHED,
                                       Project.status != ProjectStatus.WITHDRAWN)).one()
            db.session.commit()

        def kept() -> None:
            listed_figures(None)
            db.session.commit()

        kept_timing, recount_timing = time_runs(kept, runs=21), time_runs(recount, runs=5)
        assert listed_figures(None)[0] == size
        rows.append(Row.of("listed projects + sought (home, dashboard)", size, kept_timing, recount_timing,
                           "recount per request", db=dialect))

        # -- a second worker: start, memory, and a project written here found there
        write_snapshots()  # what it starts from (written here unless current already)
        db.session.commit()
        context = multiprocessing.get_context("spawn")
        requests, answers = context.Queue(), context.Queue()
        worker = context.Process(target=_worker, args=(app.config["SQLALCHEMY_DATABASE_URI"],
                                                       os.environ["MATCHMAKER_INSTANCE"], requests, answers))
        spawned = time.perf_counter()
        worker.start()
        added: list[Project] = []
        try:
            ready = json.loads(answers.get(timeout=1800))
            visibility, seen_parts = [], []
            for attempt in range(5):
                name = f"基准新增光伏储能项目{attempt}号"
                added.append(Project(catalogue_id=catalogue_id, code=f"new-{attempt}", name=name,
                                       investment_sought_yuan=Decimal("500000000"),
                                       total_investment_yuan=Decimal("500000000"),
                                       cooperation_modes=["joint_venture"],
                                       construction_content="光伏 储能", region_id=project.region_id,
                                       sectors=list(project.sectors)))
                db.session.add(added[-1])
                db.session.commit()
                committed = time.time()
                profile = {"sectors": [s.code for s in project.sectors], "modes": ["joint_venture"],
                           "regions": [project.region.code] if project.region else []}
                requests.put(json.dumps([name, profile]))
                seen = json.loads(answers.get(timeout=120))
                assert seen["found"] and seen["matched"], seen
                visibility.append((seen["seen_at"] - committed) * 1000)
                seen_parts.append(seen)
        finally:
            requests.put(None)
            worker.join(timeout=60)
            if worker.is_alive():
                worker.terminate()
            for new_project in added:  # a kept database keeps its size for the next case or run
                db.session.delete(new_project)
            db.session.commit()
        rows.append(Row.of("second worker: first search + match answered", size,
                           Timing([ready["ready_ms"]]), db=dialect, rss_mib=round(ready["rss_mib"], 1),
                           spawn_to_ready_s=round(time.perf_counter() - spawned, 1)))
        rows.append(Row.of("second worker: a project committed here found", size, Timing(visibility),
                           db=dialect, worker_builds=seen["builds"], worker_deltas=seen["deltas"],
                           worker_from_snapshot=seen["loads"] == 1, load_s=round(load_s, 1),
                           **{f"{part}_median": round(statistics.median(s[part] for s in seen_parts), 1)
                              for part in ("search_ms", "matrix_delta_ms", "match_ms")}))
    return rows




# -- workers started from the snapshots vs built from rows: start time and memory ---------------


def _smaps_mib(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages divided among the processes that map them) and USS (pages of
    this process alone) from /proc/<pid>/smaps_rollup, in MiB."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                values[parts[0][:-1]] = int(parts[1])
    uss = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return {"rss": values.get("Rss", 0) / 1024, "pss": values.get("Pss", 0) / 1024, "uss": uss / 1024}


def _idle_worker(url: str, instance: str, snapshots: bool, answers, release) -> None:  # a child process
    started = time.perf_counter()
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    os.environ["MATCHMAKER_INSTANCE"] = instance
    os.environ["MATCHMAKER_SNAPSHOTS"] = "true" if snapshots else "false"
    from matchmaker.app import create_app
    from matchmaker.extensions import db
    from matchmaker.matching import operations
    from matchmaker.search import index as search_index
    from matchmaker.search.core import SearchRequest
    from matchmaker.search.operations import search_projects

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-worker"})
    app_ms = (time.perf_counter() - started) * 1000
    with app.app_context():
        client = app.test_client()
        found = search_projects(SearchRequest(q="光伏")).result.total
        search_ms = (time.perf_counter() - started) * 1000 - app_ms
        matched = len(client.post("/api/v1/match", json=MATCH_BODY).json["items"])
        db.session.remove()
        ready_ms = (time.perf_counter() - started) * 1000
        mapped = any(i.snapshot_token is not None for i in search_index._indexes.values())
        answers.put(json.dumps({"pid": os.getpid(), "ready_ms": ready_ms, "app_ms": app_ms, "search_ms": search_ms,
                                "match_ms": ready_ms - app_ms - search_ms, "found": found, "matched": matched,
                                "matrix_builds": operations._contexts.builds,
                                "matrix_loads": operations._contexts.loads, "index_mapped": mapped}))
        release.get()


def _start_workers(url: str, instance: str, count: int, snapshots: bool) -> list[dict]:
    """`count` workers started at once; each one's report and memory once all answered."""
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    releases = [context.Queue() for _ in range(count)]
    workers = [context.Process(target=_idle_worker, args=(url, instance, snapshots, answers, releases[i]))
               for i in range(count)]
    for worker in workers:
        worker.start()
    try:
        reports = [json.loads(answers.get(timeout=1800)) for _ in workers]
        for report in reports:
            report.update(_smaps_mib(report["pid"]))
    finally:
        for release in releases:
            release.put(None)
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.terminate()
    return reports


def _forking_master(url: str, instance: str, count: int, answers, release) -> None:  # a child process
    """What `matchmaker serve` does: one master warms its caches (`serve.warm_caches`: from
    the snapshots when they are usable), then forks `count` workers that inherit them. Each
    worker answers a first search + match; the master reports, with every worker alive,
    how long each took from its fork and the memory of the master and of each worker."""
    started = time.perf_counter()
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    os.environ["MATCHMAKER_INSTANCE"] = instance
    from matchmaker.app import create_app
    from matchmaker.extensions import db
    from matchmaker.matching import operations
    from matchmaker.search.core import SearchRequest
    from matchmaker.search.operations import search_projects
    from matchmaker.serve import warm_caches

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-worker"})
    app_ms = (time.perf_counter() - started) * 1000
    warm_ms = warm_caches(app) * 1000
    master = {"pid": os.getpid(), "app_ms": app_ms, "warm_ms": warm_ms,
              "matrix_builds": operations._contexts.builds, "matrix_loads": operations._contexts.loads}
    reading, writing = os.pipe()
    children = []
    for _ in range(count):
        forked_at = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # a worker: what gunicorn's post_fork does, then its first requests
            os.close(reading)
            try:
                with app.app_context():
                    db.engine.dispose(close=False)
                    client = app.test_client()
                    found = search_projects(SearchRequest(q="光伏")).result.total
                    search_ms = (time.perf_counter() - forked_at) * 1000
                    matched = len(client.post("/api/v1/match", json=MATCH_BODY).json["items"])
                    db.session.remove()
                    report = {"pid": os.getpid(), "ready_ms": (time.perf_counter() - forked_at) * 1000,
                              "search_ms": search_ms, "found": found, "matched": matched,
                              "matrix_builds": operations._contexts.builds - master["matrix_builds"]}
                os.write(writing, (json.dumps(report) + "\n").encode())
                os.close(writing)
                signal_wait()
            finally:
                os._exit(0)
        children.append(pid)
    os.close(writing)
    with os.fdopen(reading) as lines:
        reports = [json.loads(lines.readline()) for _ in children]
    for report in reports:
        report.update(_smaps_mib(report["pid"]))
    master.update(_smaps_mib(os.getpid()))
    answers.put(json.dumps({"master": master, "workers": reports}))
    release.get()
    import signal
    for pid in children:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def signal_wait() -> None:
    """A forked worker idles (its pages stay mapped for the master to measure) until killed."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        signal.pause()


def _fork_workers(url: str, instance: str, count: int) -> dict:
    context = multiprocessing.get_context("spawn")
    answers, release = context.Queue(), context.Queue()
    master = context.Process(target=_forking_master, args=(url, instance, count, answers, release))
    master.start()
    try:
        return json.loads(answers.get(timeout=1800))
    finally:
        release.put(None)
        master.join(timeout=60)
        if master.is_alive():
            master.terminate()


def _forked_rows(size: int, dialect: str, url: str, instance: str, counts: tuple[int, ...]) -> list[Row]:
    """Workers forked from a master warmed from the snapshots (`matchmaker serve`)."""
    import statistics

    rows = []
    for count in counts:
        found = _fork_workers(url, instance, count)
        master, reports = found["master"], found["workers"]
        assert len({(r["found"], r["matched"]) for r in reports}) == 1, reports
        assert all(r["matrix_builds"] == 0 for r in reports), reports
        rows.append(Row.of(
            f"{count} worker(s) forked from a warmed master: first search + match", size,
            Timing([r["ready_ms"] for r in reports]), db=dialect, workers=count,
            first_search_ms=round(statistics.median(r["search_ms"] for r in reports)),
            master_app_ms=round(master["app_ms"]), master_warm_ms=round(master["warm_ms"]),
            master_from_snapshot=master["matrix_loads"] == 1 and master["matrix_builds"] == 0,
            master_rss_mib=round(master["rss"], 1), master_pss_mib=round(master["pss"], 1),
            rss_mib_each=round(statistics.median(r["rss"] for r in reports), 1),
            pss_mib_each=round(statistics.median(r["pss"] for r in reports), 1),
            uss_mib_each=round(statistics.median(r["uss"] for r in reports), 1),
            pss_mib_total=round(master["pss"] + sum(r["pss"] for r in reports), 1),
            found=reports[0]["found"], matched=reports[0]["matched"], load_avg=round(os.getloadavg()[0], 1)))
    return rows


def _worker_rows(size: int, dialect: str, url: str, instance: str, counts: tuple[int, ...]) -> list[Row]:
    import statistics

    rows: list[Row] = []
    baseline: dict[int, list[dict]] = {}
    rows_counts = counts if size < 1_000_000 else counts[:1]  # rows at 1M: GiBs per worker
    for snapshots in (False, True):
        for count in counts if snapshots else rows_counts:
            reports = _start_workers(url, instance, count, snapshots)
            answered = {(r["found"], r["matched"]) for r in reports}
            assert len(answered) == 1, reports  # every worker gives the same answer
            if snapshots:
                assert all(r["matrix_builds"] == 0 and r["matrix_loads"] == 1 and r["index_mapped"]
                           for r in reports), reports
            else:
                baseline[count] = reports
            mode = "snapshot" if snapshots else "rows"
            before = baseline.get(count)
            rows.append(Row.of(
                f"{count} worker(s) from {mode}: first search + match answered", size,
                Timing([r["ready_ms"] for r in reports]),
                Timing([r["ready_ms"] for r in before]) if snapshots and before else None,
                f"{count} worker(s) from rows" if snapshots and before else None,
                db=dialect, workers=count,
                rss_mib_each=round(statistics.median(r["rss"] for r in reports), 1),
                pss_mib_each=round(statistics.median(r["pss"] for r in reports), 1),
                uss_mib_each=round(statistics.median(r["uss"] for r in reports), 1),
                pss_mib_total=round(sum(r["pss"] for r in reports), 1),
                rows_pss_mib_total=round(sum(r["pss"] for r in before), 1) if snapshots and before else None,
                imports_and_app_ms=round(statistics.median(r["app_ms"] for r in reports)),
                first_search_ms=round(statistics.median(r["search_ms"] for r in reports)),
                first_match_ms=round(statistics.median(r["match_ms"] for r in reports)),
                found=reports[0]["found"], matched=reports[0]["matched"], load_avg=round(os.getloadavg()[0], 1)))
    return rows


def workers(size: int, counts: tuple[int, ...] = (1, 2, 4)) -> list[Row]:
    """Workers started at once from the snapshots, against workers that build from rows,
    in the same run on the same database: time to the first search + match and memory."""
    from matchmaker import cache
    from matchmaker.extensions import db
    from matchmaker.search.operations import write_snapshots

    with loaded_app("snapshot", size) as (app, loaded):
        cache.bump(cache.MATCHING_PROJECTS)
        db.session.commit()
        load_s = loaded["load_s"] + loaded["reindex_s"]
        started = time.perf_counter()
        paths = write_snapshots()  # builds both from rows here, then writes their snapshots
        db.session.commit()
        written_s = time.perf_counter() - started
        snapshot_mib = sum(path.stat().st_size for path in paths) / 2**20
        dialect = db.engine.dialect.name
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
        rows = _worker_rows(size, dialect, url, os.environ["MATCHMAKER_INSTANCE"], counts)
        rows += _forked_rows(size, dialect, url, os.environ["MATCHMAKER_INSTANCE"], counts)
        for row in rows:
            row.extra.update(load_s=round(load_s, 1), build_and_write_s=round(written_s, 1),
                             snapshot_mib=round(snapshot_mib, 1))
    return rows


def register(registry) -> None:
    registry.add("scale: deltas and a second worker", scale, sizes=(10_000, 100_000, 300_000, 1_000_000))
    registry.add("scale: workers from snapshots vs rows", workers, sizes=(10_000, 100_000, 300_000, 1_000_000))


if __name__ == "__main__":
    from benchmarks.__main__ import format_table

    wanted = [100_000]
    if len(sys.argv) > 2 and sys.argv[1] == "--sizes":
        wanted = [int(s) for s in sys.argv[2].split(",")]
    began = time.perf_counter()
    results = []
    for wanted_size in wanted:
        results += [row.as_dict() for row in scale(wanted_size)]
    print(format_table(results))
    print(f"({time.perf_counter() - began:.1f} s)")
