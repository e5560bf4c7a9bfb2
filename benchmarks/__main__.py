"""python -m benchmarks [--sizes 220,10000,100000] [--only NAME] [--json]"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

from benchmarks.harness import Registry, Row

DEFAULT_SIZES = (220, 10_000, 100_000)


def discover(registry: Registry) -> None:
    folder = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            if hasattr(module, "register"):
                module.register(registry)


def format_table(rows: list[dict]) -> str:
    header = f"{'case':<44} {'size':>8} {'median ms':>11} {'p95 ms':>9} {'baseline':<22} {'base ms':>10} {'ratio':>7}"
    lines = [header, "-" * len(header)]
    for row in rows:
        if "skipped" in (row.get("extra") or {}):
            lines.append(f"{row['name'][:44]:<44} {row['size']:>8}  skipped: {row['extra']['skipped']}")
            continue
        lines.append(
            f"{row['name'][:44]:<44} {row['size']:>8} {row['median_ms']:>11.2f} "
            f"{(row['p95_ms'] or 0):>9.2f} {(row['baseline'] or '')[:22]:<22} "
            f"{(row['baseline_ms'] if row['baseline_ms'] is not None else float('nan')):>10.2f} "
            f"{(str(row['ratio']) + 'x') if row['ratio'] else '':>7}"
        )
        if row.get("extra"):
            lines.append("    " + ", ".join(f"{k}={v}" for k, v in row["extra"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas")
    registry = Registry()
    discover(registry)
    rows: list[dict] = []
    for name, case, only_sizes in registry.cases:
        if args.only and args.only not in name:
            continue
        for size in sizes:
            if only_sizes and size not in only_sizes:
                if size > max(only_sizes):  # asked for more than the case runs at: say so
                    reason = registry.reasons.get(name) or f"runs at {', '.join(map(str, only_sizes))} only"
                    rows.append(Row.skipped(name, size, reason).as_dict())
                continue
            if not args.json:
                print(f"… {name} at {size}", file=sys.stderr, flush=True)
            started = time.perf_counter()
            for row in case(size):
                data = row.as_dict()
                # the machine is shared: every figure with the load it was taken under
                data["extra"]["load_1m"] = round(os.getloadavg()[0], 1)
                rows.append(data)
            if not args.json:
                print(f"  ({time.perf_counter() - started:.0f} s, load {os.getloadavg()[0]:.1f})",
                      file=sys.stderr, flush=True)
    if args.json:
        json.dump({"sizes": sizes, "results": rows}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
