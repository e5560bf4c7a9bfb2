"""Serving benchmark: `matchmaker serve` (gunicorn, 2 and 4 workers) against Flask's
development server (`matchmaker run`), in the same run, on the same database.

For each dataset (the demo data; the demo data plus N synthetic projects) and each server:
time to the first answered search after start (the search index is built per worker, at
its first search), then requests/s, p50 and p95 at 1, 8 and 32 concurrent clients for the
project search page, the search API, POST /api/v1/match and the signing dashboard, and the
resident memory of each worker afterwards. The load generator is Python threads with
keep-alive connections on the same 2-core machine, so it competes with the server: the
figures are comparable with each other, not absolute.

    python -m benchmarks.bench_serving [--sizes 0,100000] [--workers 2,4] \
        [--concurrency 1,8,32] [--seconds 5] [--json]
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


def prepare_site(folder: Path, extra_projects: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env.update(MATCHMAKER_INSTANCE=str(folder / "instance"), MATCHMAKER_SECRET_KEY=secrets.token_hex(32),
               MATCHMAKER_DEMO_PASSWORD="bench-Password-2023", MATCHMAKER_REQUEST_LOG="false")
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


def start_server(kind: str, workers: int, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    if kind == "dev":
        args = [sys.executable, "-m", "matchmaker", "run", "--port", str(port)]
    else:
        args = [sys.executable, "-m", "matchmaker", "serve", "--port", str(port),
                "--workers", str(workers), "--threads", "4"]
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


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


def run(sizes: list[int], worker_counts: list[int], concurrency: list[int], seconds: float,
        endpoints: str = "", dev: bool = True, exhaustive: bool = False) -> list[dict]:
    chosen = [e for e in ENDPOINTS if not endpoints or any(part in e[0] for part in endpoints.split(","))]
    results = []
    for extra in sizes:
        with tempfile.TemporaryDirectory(prefix="mm-serve-") as tmp:
            folder = Path(tmp)
            env = prepare_site(folder, extra)
            servers = [("dev server", "dev", 1, env)] * dev + [
                (f"serve {n} workers", "serve", n, env) for n in worker_counts]
            if exhaustive:  # the same server scoring every project (MATCH_CANDIDATES off)
                servers += [(f"serve {n} workers, exhaustive", "serve", n,
                             {**env, "MATCHMAKER_MATCH_CANDIDATES": "false"}) for n in worker_counts]
            for label, kind, workers, server_env in servers:
                port = free_port()
                started = time.perf_counter()
                process = start_server(kind, workers, port, server_env, folder)
                try:
                    first = first_answer(port, started)
                    # Warm every worker (each builds its own index at its first search).
                    for _name, method, path, body in chosen:
                        load(port, method, path, body, max(8, workers * 4), 2)
                    row = {"dataset": "demo" if not extra else f"demo+{extra}", "server": label,
                           "first_answer_s": round(first, 2), "results": []}
                    for name, method, path, body in chosen:
                        for clients in concurrency:
                            measured = load(port, method, path, body, clients, seconds)
                            row["results"].append({"endpoint": name, "clients": clients, **measured})
                            print(f"{row['dataset']:<12} {label:<16} {name:<20} c={clients:<3} "
                                  f"{measured['rps']:>7} req/s p50 {measured['p50_ms']} ms "
                                  f"p95 {measured['p95_ms']} ms errors {measured['errors']}",
                                  file=sys.stderr, flush=True)
                    row["rss_mb_per_worker"] = rss_mb(process.pid)
                    results.append(row)
                finally:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=60)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serving", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,100000", help="synthetic projects added to the demo data")
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint and concurrency")
    parser.add_argument("--endpoints", default="", help="only these (comma-separated parts of their names)")
    parser.add_argument("--no-dev", action="store_true", help="leave out Flask's development server")
    parser.add_argument("--exhaustive", action="store_true",
                        help="also each gunicorn server with the matcher's candidate stage off (the old path)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    ints = lambda text: [int(x) for x in text.split(",") if x.strip()]  # noqa: E731
    load_before = os.getloadavg()
    results = run(ints(args.sizes), ints(args.workers), ints(args.concurrency), args.seconds,
                  args.endpoints, not args.no_dev, args.exhaustive)
    document = {"load_average_before": load_before, "load_average_after": os.getloadavg(),
                "cores": os.cpu_count(), "results": results}
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        for row in results:
            print(f"\n{row['dataset']} · {row['server']}: first answer {row['first_answer_s']} s, "
                  f"RSS per worker {row['rss_mb_per_worker']} MB")
            for item in row["results"]:
                print(f"  {item['endpoint']:<20} c={item['clients']:<3} {item['rps']:>8} req/s  "
                      f"p50 {item['p50_ms']:>7} ms  p95 {item['p95_ms']:>7} ms  errors {item['errors']}")
        print(f"\nload average before {load_before}, after {document['load_average_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
