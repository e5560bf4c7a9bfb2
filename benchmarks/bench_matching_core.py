"""Pure matching cores: scorer, event-wide suggestions, name resolution.

Run: python benchmarks/bench_matching_core.py [--sizes 10000,100000] [--events 1] [--json]
`run(sizes)` returns the rows (same keys as benchmarks.harness.Row) for the shared harness.
All data is synthetic and seeded; medians after one warm-up.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from benchmarks.harness import Timing, time_runs  # noqa: E402
from benchmarks.matching_eval import (  # noqa: E402
    baseline_rankings,
    engine_rankings,
    load_eval_set,
    project_text,
    score_pair,
    summarise,
)
from benchmarks.names_eval import (  # noqa: E402
    load_name_cases,
    resolver_predictions,
    top1_accuracy,
    wratio_baseline,
)
from matchmaker.investors.names import InvestorName, NameResolver  # noqa: E402
from matchmaker.matching.scorer import (  # noqa: E402
    Profile,
    ProjectFeatures,
    ProjectMatrix,
    Weights,
    suggest_meetings,
)

DATA = ROOT / "tests" / "data"
YI = Decimal(100_000_000)


def _timed(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    return time_runs(fn, runs=runs, warmup=warmup).samples_ms


def _row(
    name: str,
    size: int,
    samples: list[float],
    baseline: str | None = None,
    baseline_ms: float | None = None,
    **extra: object,
) -> dict:
    timing = Timing(samples)
    median = timing.median
    return {
        "name": name,
        "size": size,
        "median_ms": round(median, 3),
        "p95_ms": round(timing.p95, 3),
        "runs": len(samples),
        "baseline": baseline,
        "baseline_ms": round(baseline_ms, 3) if baseline_ms is not None else None,
        "ratio": round(baseline_ms / median, 1) if baseline_ms and median else None,
        "extra": extra,
    }


# --- synthetic data ----------------------------------------------------------------------

_PHRASES = (
    "磷酸铁锂 正极材料 前驱体 光伏电站 农光互补 风电场 储能电站 抽水蓄能 数据中心 智算 算力 "
    "磷石膏 综合利用 煤矸石 再生铝 钛合金 污水处理 管网 垃圾焚烧发电 医疗废物 茶叶 精深加工 "
    "刺梨 核桃 冷链 生态旅游 康养 民宿 加氢站 充电桩 换电站 天然气 煤层气 配电网 节能改造 "
    "电子元器件 电容器 装配式建筑 石膏板 隔膜 负极材料 石墨化 环保装备 碳排放 绿色金融"
).split()
_VERBS = ("建设", "新建", "扩建", "改造", "配套建设")
_UNITS = ("生产线", "基地", "产业园", "示范项目", "中心")


def synthetic_projects(n: int, seed: int = 11) -> tuple[list[ProjectFeatures], object]:
    data = load_eval_set(DATA / "matching")
    rng = random.Random(seed)
    sectors = [code for code in data.sector_tree.parent_of]
    counties = [
        (code, code[:4] + "00" if code != "529900" else code)
        for code in data.region_codes
        if not code.endswith("00") or code == "529900"
    ]
    modes = ("独资", "合资", "合作", "PPP", "股权合作")
    projects = []
    for pid in range(1, n + 1):
        county, prefecture = rng.choice(counties)
        chosen = tuple(rng.sample(sectors, rng.choice((1, 1, 2, 3))))
        words = rng.sample(_PHRASES, 4)
        name = f"{data.region_names[county][0]}{words[0]}{rng.choice(_UNITS)}项目{pid}"
        content = "".join(f"{rng.choice(_VERBS)}{w}{rng.choice(_UNITS)}，" for w in words)
        projects.append(
            ProjectFeatures(
                id=pid,
                name=name,
                sectors=chosen,
                region_code=county,
                prefecture_code=prefecture,
                investment_sought_yuan=(Decimal(round(10 ** rng.uniform(-1, 2), 2)) * YI),
                modes=tuple(rng.sample(modes, rng.choice((0, 1, 2)))),
                text=project_text(name, chosen, data.sector_tree, content),
            )
        )
    return projects, data


def synthetic_profiles(count: int, data, seed: int = 5) -> dict[int, Profile]:
    rng = random.Random(seed)
    sectors = list(data.sector_tree.parent_of)
    prefectures = [c for c in data.region_codes if c.endswith("00")]
    profiles = {}
    for investor in range(1, count + 1):
        low = Decimal(round(10 ** rng.uniform(-1, 1.3), 2)) * YI
        profiles[investor] = Profile(
            sectors=tuple(rng.sample(sectors, rng.choice((1, 2)))),
            regions=tuple(rng.sample(prefectures, 1)) if rng.random() < 0.4 else (),
            min_yuan=low,
            max_yuan=low * rng.choice((3, 5, 10)),
            modes=tuple(rng.sample(("独资", "合资", "合作"), 1)),
            keywords=" ".join(rng.sample(_PHRASES, rng.choice((1, 2, 3)))),
        )
    return profiles


def synthetic_names(n: int, seed: int = 3) -> list[InvestorName]:
    rng = random.Random(seed)
    provinces = ("贵州", "广东", "四川", "云南", "湖南", "浙江", "江苏", "", "", "")
    chars = "华信达通远宏泰盛鑫源恒丰瑞祥安康嘉利德隆兴天海金汇融创新中联合博"
    trades = ("能源", "新材料", "科技", "环保", "电力", "化工", "锂电", "光伏", "数据", "农业")
    forms = ("股份有限公司", "有限公司", "集团有限公司", "有限责任公司")
    return [
        InvestorName(
            100_000 + i,
            f"{rng.choice(provinces)}{''.join(rng.sample(chars, 2))}"
            f"{rng.choice(trades)}{rng.choice(forms)}",
        )
        for i in range(n)
    ]


# --- cases -------------------------------------------------------------------------------


def bench_one_profile(size: int, runs: int = 7) -> list[dict]:
    projects, data = synthetic_projects(size)
    start = time.perf_counter()
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    build_ms = (time.perf_counter() - start) * 1000
    profile = synthetic_profiles(1, data)[1]
    weights = Weights()
    ours = _timed(lambda: matrix.score(profile, weights, top=20), runs)
    sample = projects if size <= 10_000 else projects[:10_000]
    loop = _timed(
        lambda: [
            score_pair(profile, p, data.sector_tree, weights, matrix.prefecture_of) for p in sample
        ],
        1,
        warmup=0,
    )[0] * (size / len(sample))
    note = "full loop" if len(sample) == size else f"loop over {len(sample)}, extrapolated"
    return [
        _row("matching: build ProjectMatrix", size, [build_ms]),
        _row(
            "matching: one profile, top 20 with reasons",
            size,
            ours,
            "per-pair Python loop",
            loop,
            loop_note=note,
        ),
    ]


def candidate_profiles(data, count: int = 24, seed: int = 5) -> list[Profile]:
    """Profiles as investors fill them: complete ones, and half filled (keywords only,
    a sector only, sector + keywords, region + ticket band, one mode)."""
    rng = random.Random(seed)
    result = []
    for profile in synthetic_profiles(count, data, seed=seed).values():
        shape = rng.randrange(6)
        band = {"min_yuan": profile.min_yuan, "max_yuan": profile.max_yuan}
        result.append([
            profile,
            Profile(keywords=profile.keywords),
            Profile(sectors=profile.sectors),
            Profile(sectors=profile.sectors, keywords=profile.keywords),
            Profile(regions=profile.regions or ("520100",), **band),
            Profile(modes=profile.modes, keywords=profile.keywords),
        ][shape])
    return result


def bench_candidates(size: int, profiles: int = 24, runs: int = 3) -> list[dict]:
    """One profile's top 20 with reasons through the candidate stage (index, bounds,
    threshold algorithm) against the exhaustive scorer (every project), in the same run,
    over the same profiles; every answer compared (`identical`)."""
    started = time.perf_counter()
    projects, data = synthetic_projects(size)
    generated_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    build_ms = (time.perf_counter() - started) * 1000
    del projects
    started = time.perf_counter()
    index = matrix.index()
    index_ms = (time.perf_counter() - started) * 1000
    weights = Weights()
    ours, theirs, scored, fallbacks, identical = [], [], [], 0, 0
    chosen = candidate_profiles(data, profiles)
    for profile in chosen:
        fast = Timing(_timed(lambda p=profile: matrix.score(p, weights, top=20), runs)).median
        full = Timing(_timed(lambda p=profile: matrix.score(p, weights, top=20, exhaustive=True), 1,
                             warmup=0)).median
        ours.append(fast)
        theirs.append(full)
        stats = matrix.top_candidates(profile, weights, 20)[2]
        scored.append(stats["scored"] if not stats["exhaustive"] else size)
        fallbacks += stats["exhaustive"]
        identical += matrix.score(profile, weights, top=20) == matrix.score(
            profile, weights, top=20, exhaustive=True)
    return [
        _row("matching: build ProjectMatrix + candidate index", size, [build_ms + index_ms],
             generated_ms=round(generated_ms), matrix_ms=round(build_ms), index_ms=round(index_ms),
             index_mib=round(index.nbytes / 2**20, 1)),
        _row("matching: one profile, top 20, candidate stage", size, ours,
             "exhaustive scorer (every project)", Timing(theirs).median,
             profiles=len(chosen), identical=f"{identical}/{len(chosen)}",
             scored_median=int(Timing([float(x) for x in scored]).median), exhaustive_fallbacks=fallbacks,
             exhaustive_p95_ms=round(Timing(theirs).p95, 1)),
    ]


def bench_delta(size: int, runs: int = 7) -> list[dict]:
    """A delta of 1 and of 100 changed projects (half edited, half new) applied to the
    matrix in place (`apply`, under the write lock) against the copy every worker made
    before (`with_changes`), in the same run on the same matrix."""
    projects, data = synthetic_projects(size + 1000)
    matrix = ProjectMatrix.build(projects[:size], data.sector_tree, region_names=data.region_names)
    matrix.index()
    rows = []
    fresh = iter(projects[size:])
    counter = iter(range(10**9))

    def delta(count: int) -> list:
        edited = [dataclasses.replace(projects[(next(counter) * 7919) % size],
                                      text=f"建设光伏电站及储能设施{next(counter)}") for _ in range(count - count // 2)]
        return edited + [next(fresh) for _ in range(count // 2)]

    for count in (1, 100):
        changes = iter([delta(count) for _ in range(runs + 1)])
        copies = iter([delta(count) for _ in range(runs + 1)])
        in_place = _timed(lambda c=changes: matrix.apply(next(c)), runs)
        copied = _timed(lambda c=copies: matrix.with_changes(next(c)), runs)
        rows.append(_row(f"matching: delta of {count} project(s) applied in place", size, in_place,
                         "copy of the matrix (with_changes)", Timing(copied).median))
    return rows


def bench_glossary(size: int, runs: int = 7) -> list[dict]:
    """The cost of the bilingual bridge (reference.glossary): building the matrix and one
    profile, top 20 with reasons, with the glossary against the same matrix without it, in
    the same run. English keywords score 0 without the bridge (they name Chinese projects'
    terms in the other language); the Chinese keywords show the cost where both find."""
    from matchmaker.reference.glossary import Glossary
    from matchmaker.reference.taxonomy import Taxonomy

    glossary = Glossary.load(ROOT / "data" / "glossary.csv", sectors=Taxonomy.load(ROOT / "data" / "sectors.json"))
    projects, data = synthetic_projects(size)
    start = time.perf_counter()
    plain = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    plain_build = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    bridged = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names, glossary=glossary)
    bridged_build = (time.perf_counter() - start) * 1000
    base = synthetic_profiles(1, data)[1]
    weights = Weights()
    rows = [_row("matching: build ProjectMatrix with the glossary", size, [bridged_build],
                 "without the glossary", plain_build)]
    for label, keywords in (("Chinese keywords", base.keywords),
                            ("English keywords", "lithium iron phosphate cathode, energy storage station")):
        profile = Profile(sectors=base.sectors, regions=base.regions, min_yuan=base.min_yuan,
                          max_yuan=base.max_yuan, modes=base.modes, keywords=keywords)
        without = _timed(lambda p=profile: plain.score(p, weights, top=20), runs)
        with_glossary = _timed(lambda p=profile: bridged.score(p, weights, top=20), runs)
        found = bridged.score(profile, weights, top=20)
        text_hits = sum(1 for m in found if m.components.get("text", 0) > 0)
        plain_hits = sum(1 for m in plain.score(profile, weights, top=20) if m.components.get("text", 0) > 0)
        rows.append(_row(f"matching: one profile with the glossary, {label}", size, with_glossary,
                         "same profile without the glossary", Timing(without).median,
                         top20_with_text_match=text_hits, top20_with_text_match_without=plain_hits))
    return rows


def bench_event(investors: int = 1000, size: int = 10_000, repeats: int = 1) -> list[dict]:
    projects, data = synthetic_projects(size)
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    profiles = synthetic_profiles(investors, data)
    weights = Weights()

    def event() -> dict:
        return suggest_meetings(
            profiles,
            matrix,
            data.sector_tree,
            weights,
            per_investor=5,
            per_project_cap=8,
            min_score=40,
        )

    samples = _timed(event, repeats, warmup=0)
    tracemalloc.start()
    result = event()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    meetings = sum(len(v) for v in result.values())
    sampled = list(profiles.items())[:10]
    start = time.perf_counter()
    for _investor, profile in sampled:
        for project in projects:
            score_pair(profile, project, data.sector_tree, weights, matrix.prefecture_of)
    loop_ms = (time.perf_counter() - start) * 1000 * (investors / len(sampled))
    return [
        _row(
            f"matching: suggest_meetings {investors} investors",
            size,
            samples,
            "per-pair Python loop (scores only)",
            loop_ms,
            loop_note=f"{len(sampled)} investors x {size} projects, extrapolated",
            peak_mib=round(peak / 2**20, 1),
            meetings=meetings,
        )
    ]


def bench_names(size: int = 10_000, runs: int = 5) -> list[dict]:
    records, cases = load_name_cases(DATA / "company_names.csv")
    ours = top1_accuracy(resolver_predictions(NameResolver(records), cases), cases)
    baseline, threshold = wratio_baseline(records, cases)
    rows = [
        _row("names: top-1 accuracy (ours)", len(cases), [0.0], accuracy=round(ours, 3)),
        _row(
            "names: top-1 accuracy (WRatio extractOne)",
            len(cases),
            [0.0],
            accuracy=round(baseline, 3),
            threshold=threshold,
        ),
    ]
    everything = records + synthetic_names(size - len(records))
    start = time.perf_counter()
    resolver = NameResolver(everything)
    build_ms = (time.perf_counter() - start) * 1000
    queries = [c.query for c in cases]
    per_query = []
    for _ in range(runs):
        start = time.perf_counter()
        for query in queries:
            resolver.resolve(query)
        per_query.append((time.perf_counter() - start) * 1000 / len(queries))
    choices = [r.name for r in everything]
    wratio = []
    start = time.perf_counter()
    for query in queries[:50]:
        process.extractOne(query, choices, scorer=fuzz.WRatio, processor=utils.default_process)
    wratio.append((time.perf_counter() - start) * 1000 / 50)
    accuracy_big = top1_accuracy(resolver_predictions(resolver, cases), cases)
    rows.append(_row("names: build NameResolver", size, [build_ms]))
    rows.append(
        _row(
            "names: resolve one name (mean per query)",
            size,
            per_query,
            "extractOne WRatio",
            wratio[0],
            accuracy_with_10k_distractors=round(accuracy_big, 3),
        )
    )
    return rows


def bench_quality() -> list[dict]:
    data = load_eval_set(DATA / "matching")
    ours = summarise(engine_rankings(data), data.relevant)
    base = summarise(baseline_rankings(data), data.relevant)
    return [
        _row(
            "matching quality (engine)",
            len(data.profiles),
            [0.0],
            **{k: round(v, 3) for k, v in ours.items()},
        ),
        _row(
            "matching quality (WRatio keywords vs names)",
            len(data.profiles),
            [0.0],
            **{k: round(v, 3) for k, v in base.items()},
        ),
    ]


def run(sizes: tuple[int, ...] = (10_000, 100_000), events: int = 1) -> list[dict]:
    rows = bench_quality() + bench_names()
    for size in sizes:
        rows += bench_one_profile(size)
        rows += bench_glossary(size)
    if events:
        rows += bench_event(repeats=events)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--events", type=int, default=1, help="event-wide runs (0 skips)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(tuple(int(s) for s in args.sizes.split(",") if s), args.events)
    if args.json:
        print(json.dumps({"rows": rows}, ensure_ascii=False, indent=1))
        return
    for row in rows:
        base = (
            f"  vs {row['baseline']} {row['baseline_ms']:.1f} ms ({row['ratio']}x)"
            if row["baseline"]
            else ""
        )
        extra = ", ".join(f"{k}={v}" for k, v in row["extra"].items())
        print(
            f"{row['name']:<50} n={row['size']:<7} median {row['median_ms']:>9.2f} ms "
            f"p95 {row['p95_ms']:>9.2f}{base}  {extra}"
        )


if __name__ == "__main__":
    main()
