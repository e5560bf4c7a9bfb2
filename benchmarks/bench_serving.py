"""Serving benchmark: `matchmaker serve` (gunicorn, 2 and 4 workers) against Flask's
development server (`matchmaker run`), in the same run, on the same database.

For each dataset (the demo data; the demo data plus N synthetic projects) and each server:
time to the first answered search after start (the search index is built per worker, at
its first search), then requests/s, p50 and p95 at 1, 8 and 32 concurrent clients for the
project search page, the search API, POST /api/v1/match and the signing dashboard, and the
resident memory of each worker afterwards, and the server's CPU time per request (master and
workers, from /proc: what a request costs, whatever else the machine runs). The load generator is Python threads with
keep-alive connections on the same 2-core machine, so it competes with the server: the
figures are comparable with each other, not absolute.

    python -m benchmarks.bench_serving [--sizes 0,100000] [--workers 2,4] [--threads 4] \
        [--concurrency 1,8,32] [--seconds 5] [--rounds 1] [--json]

A database already loaded (a copy of the 1M template, or one an earlier run loaded through
MATCHMAKER_BENCH_DATABASE_URL) is served as it is, nothing loaded: `--database URL`, or the harness's
MATCHMAKER_BENCH_REUSE_DATABASE=1 with MATCHMAKER_BENCH_DATABASE_URL (without REUSE that
URL is where the demo and synthetic data are loaded, as the SQLite file is otherwise).
`--instance DIR` keeps the instance folder (the snapshots a start maps) between runs.

The baseline in the same run: `--baseline-tree DIR` (a checkout of the code before a
change, e.g. `git archive COMMIT | tar -x -C DIR`) serves the same database with that
code, with the same worker and thread counts (`--baseline-threads` to give it others,
such as the defaults it had) and its own snapshot folder (`snapshots-baseline` in the
instance folder: the formats may differ); `--rounds N` alternates ours and the baseline N times so that
a change in the machine's load does not favour either.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ENDPOINTS = [
    ("search page", "GET", "/projects?q=" + quote("光伏"), None),
    ("search API", "GET", "/api/v1/projects?q=" + quote("锂电 遵义"), None),
    ("POST /api/v1/match", "POST", "/api/v1/match",
     json.dumps({"sectors": ["new_energy"], "regions": ["520300"], "keywords": "光伏 储能",
                 "min_yuan": "1亿元", "max_yuan": "20亿元"})),
    ("signing dashboard", "GET", "/signing/dashboard", None),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(instance: Path, database_url: str | None = None) -> dict[str, str]:
    """The servers' environment: this instance folder (SQLite file, snapshots) and, when
    given, this database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(instance), MATCHMAKER_SECRET_KEY=secrets.token_hex(32),
               MATCHMAKER_DEMO_PASSWORD="bench-Password-2023", MATCHMAKER_REQUEST_LOG="false")
    if database_url:
        env["MATCHMAKER_DATABASE_URL"] = database_url
    return env


def prepare_site(folder: Path, extra_projects: int, database_url: str | None = None) -> dict[str, str]:
    """The demo data plus `extra_projects` synthetic ones, in SQLite under `folder` or in
    the (empty) database at `database_url`."""
    env = site_env(folder / "instance", database_url)
    subprocess.run([sys.executable, "-m", "matchmaker", "demo"], env=env, check=True, cwd=folder,
                   capture_output=True)
    if extra_projects:
        code = (
            "from benchmarks import synthetic\n"
            "from matchmaker.app import create_app\n"
            "from matchmaker.extensions import db\n"
            "from matchmaker.search.operations import reindex_projects\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            f"    synthetic.bulk_load(synthetic.projects({extra_projects}))\n"
            "    reindex_projects(None)\n"
            "    db.session.commit()\n"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=Path(__file__).parents[1])
    return env


def start_server(kind: str, workers: int, port: int, env: dict, cwd: Path, *, threads: int = 4,
                 tree: Path | None = None, log: Path | None = None) -> subprocess.Popen:
    """`matchmaker run` or `matchmaker serve` from this checkout, or from `tree` (the
    baseline's code, first on the path)."""
    if kind == "dev":
        args = [sys.executable, "-m", "matchmaker", "run", "--port", str(port)]
    else:
        args = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port),
                "--workers", str(workers), "--threads", str(threads)]
    if tree is not None:
        env = {**env, "PYTHONPATH": os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=output, stderr=output,
                            start_new_session=True)


def request(conn: http.client.HTTPConnection, method: str, path: str, body: str | None) -> int:
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def first_answer(port: int, started: float, timeout: float = 300) -> float:
    """Seconds from the start of the process to the first answered search."""
    method, path, body = ENDPOINTS[1][1:]
    while time.perf_counter() - started < timeout:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            if request(conn, method, path, body) == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server never answered")


def load(port: int, method: str, path: str, body: str | None, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < stop:
            begin = time.perf_counter()
            try:
                status = request(conn, method, path, body)
            except (OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine.append((time.perf_counter() - begin) * 1000)
            if status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    ordered = sorted(latencies)
    return {"rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
            "requests": len(latencies), "errors": errors[0]}


def rss_mb(root_pid: int) -> list[float]:
    """Resident memory (MB) of each worker (the children of gunicorn's master; the dev
    server's single process)."""
    pids = []
    try:
        children = Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()
    except OSError:
        children = []
    pids = [int(p) for p in children] or [root_pid]
    sizes = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        except OSError:
            pass
    return sizes


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by the server: the master and its workers. Per
    request it says what a request costs whatever else the machine runs (latencies do not)."""
    try:
        children = Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()
    except OSError:
        children = []
    total = 0
    for pid in [root_pid, *(int(p) for p in children)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    label: str
    kind: str  # "dev" or "serve"
    workers: int = 1
    threads: int = 4
    tree: Path | None = None  # the baseline's code
    env: tuple[tuple[str, str], ...] = ()  # added to the site's environment


def servers_for(worker_counts: list[int], threads: list[int], *, dev: bool, exhaustive: bool,
                baseline_tree: Path | None, baseline_threads: list[int] | None) -> list[Server]:
    ours = [Server(f"serve {n}x{t}", "serve", n, t) for n in worker_counts for t in threads]
    chosen = [Server("dev server", "dev")] * dev + ours
    if exhaustive:  # the same server scoring every project (MATCH_CANDIDATES off)
        chosen += [Server(f"serve {s.workers}x{s.threads}, exhaustive", "serve", s.workers, s.threads,
                          env=(("MATCHMAKER_MATCH_CANDIDATES", "false"),)) for s in ours]
    if baseline_tree is not None:
        chosen += [Server(f"baseline {n}x{t}", "serve", n, t, tree=baseline_tree)
                   for n in worker_counts for t in (baseline_threads or threads)]
    return chosen


def count_projects(env: dict[str, str], cwd: Path) -> int:
    code = ("import sqlalchemy as sa\n"
            "from matchmaker.app import create_app\n"
            "from matchmaker.catalogue.models import Project\n"
            "from matchmaker.extensions import db\n"
            "with create_app().app_context():\n"
            "    print(db.session.scalar(sa.select(sa.func.count(Project.id))))\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True,
                          capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def measure(server: Server, env: dict[str, str], folder: Path, chosen: list, concurrency: list[int],
            seconds: float, dataset: str, start_timeout: float) -> dict:
    port = free_port()
    env = {**env, **dict(server.env)}
    if server.tree is not None:  # its snapshots may be of another format: kept apart
        env.setdefault("MATCHMAKER_SNAPSHOT_DIR", str(Path(env["MATCHMAKER_INSTANCE"]) / "snapshots-baseline"))
    started = time.perf_counter()
    process = start_server(server.kind, server.workers, port, env, folder,
                           threads=server.threads, tree=server.tree,
                           log=folder / f"server-{port}.log")
    try:
        first = first_answer(port, started, start_timeout)
        # Warm every worker (each builds its own index at its first search).
        for _name, method, path, body in chosen:
            load(port, method, path, body, max(8, server.workers * 4), 2)
        row = {"dataset": dataset, "server": server.label, "workers": server.workers,
               "threads": server.threads if server.kind == "serve" else None,
               "code": "baseline" if server.tree else "ours", "first_answer_s": round(first, 2),
               "results": []}
        for name, method, path, body in chosen:
            for clients in concurrency:
                cpu_before = cpu_seconds(process.pid)
                measured = load(port, method, path, body, clients, seconds)
                measured["server_cpu_ms_per_request"] = round(
                    (cpu_seconds(process.pid) - cpu_before) * 1000 / max(measured["requests"], 1), 1)
                measured["load_average"] = [round(x, 2) for x in os.getloadavg()]
                row["results"].append({"endpoint": name, "clients": clients, **measured})
                print(f"{dataset:<12} {server.label:<20} {name:<20} c={clients:<3} "
                      f"{measured['rps']:>7} req/s p50 {measured['p50_ms']} ms "
                      f"p95 {measured['p95_ms']} ms cpu/req {measured['server_cpu_ms_per_request']} ms "
                      f"errors {measured['errors']} load {measured['load_average'][0]}",
                      file=sys.stderr, flush=True)
        row["rss_mb_per_worker"] = rss_mb(process.pid)
        return row
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=120)


def run(sizes: list[int], worker_counts: list[int], concurrency: list[int], seconds: float,
        endpoints: str = "", dev: bool = True, exhaustive: bool = False, *,
        threads: list[int] | None = None, database_url: str | None = None, reuse: bool = False,
        instance: Path | None = None, baseline_tree: Path | None = None,
        baseline_threads: list[int] | None = None, rounds: int = 1,
        start_timeout: float = 300) -> list[dict]:
    """One row per dataset, server and round. `reuse`: serve the database at
    `database_url` as it is (`sizes` is not used: the dataset is what it holds)."""
    chosen = [e for e in ENDPOINTS if not endpoints or any(part in e[0] for part in endpoints.split(","))]
    servers = servers_for(worker_counts, threads or [4], dev=dev, exhaustive=exhaustive,
                          baseline_tree=baseline_tree, baseline_threads=baseline_threads)
    results = []
    for extra in ([None] if reuse else sizes):
        with tempfile.TemporaryDirectory(prefix="mm-serve-") as tmp:
            folder = Path(tmp)
            if reuse:
                env = site_env(instance or folder / "instance", database_url)
                dataset = f"{count_projects(env, folder)} projects"
            else:
                env = prepare_site(folder, extra, database_url)
                if instance is not None:
                    env["MATCHMAKER_INSTANCE"] = str(instance)
                dataset = "demo" if not extra else f"demo+{extra}"
            for round_number in range(1, rounds + 1):
                for server in servers:
                    row = measure(server, env, folder, chosen, concurrency, seconds, dataset,
                                  start_timeout)
                    row["round"] = round_number
                    results.append(row)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serving", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,100000", help="synthetic projects added to the demo data")
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--threads", default="4", help="threads per worker (each value with each --workers)")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint and concurrency")
    parser.add_argument("--endpoints", default="", help="only these (comma-separated parts of their names)")
    parser.add_argument("--no-dev", action="store_true", help="leave out Flask's development server")
    parser.add_argument("--exhaustive", action="store_true",
                        help="also each gunicorn server with the matcher's candidate stage off (the old path)")
    parser.add_argument("--database", default=None,
                        help="serve this database as it is (already loaded; nothing is loaded)")
    parser.add_argument("--instance", default=None, type=Path,
                        help="instance folder to keep between runs (snapshots); default: a temporary one")
    parser.add_argument("--baseline-tree", default=None, type=Path,
                        help="also serve with the code of this checkout (the baseline, same run)")
    parser.add_argument("--baseline-threads", default="",
                        help="threads per worker for the baseline (default: --threads)")
    parser.add_argument("--rounds", type=int, default=1, help="run every server this many times, in turn")
    parser.add_argument("--start-timeout", type=float, default=300,
                        help="seconds a server may take to answer its first search")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    ints = lambda text: [int(x) for x in text.split(",") if x.strip()]  # noqa: E731
    url = args.database or os.environ.get("MATCHMAKER_BENCH_DATABASE_URL") or None
    reuse = bool(args.database) or (bool(url) and bool(os.environ.get("MATCHMAKER_BENCH_REUSE_DATABASE")))
    load_before = os.getloadavg()
    results = run(ints(args.sizes), ints(args.workers), ints(args.concurrency), args.seconds,
                  args.endpoints, not args.no_dev, args.exhaustive, threads=ints(args.threads),
                  database_url=url, reuse=reuse, instance=args.instance,
                  baseline_tree=args.baseline_tree, baseline_threads=ints(args.baseline_threads) or None,
                  rounds=args.rounds, start_timeout=args.start_timeout)
    document = {"load_average_before": load_before, "load_average_after": os.getloadavg(),
                "cores": os.cpu_count(), "results": results}
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        for row in results:
            print(f"\n{row['dataset']} · {row['server']} (round {row['round']}): first answer "
                  f"{row['first_answer_s']} s, RSS per worker {row['rss_mb_per_worker']} MB")
            for item in row["results"]:
                print(f"  {item['endpoint']:<20} c={item['clients']:<3} {item['rps']:>8} req/s  "
                      f"p50 {item['p50_ms']:>7} ms  p95 {item['p95_ms']:>7} ms  "
                      f"cpu/req {item['server_cpu_ms_per_request']:>6} ms  errors {item['errors']}  "
                      f"load {item['load_average'][0]}")
        print(f"\nload average before {load_before}, after {document['load_average_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
