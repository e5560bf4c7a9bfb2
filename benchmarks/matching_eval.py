"""Ranking quality of the matcher on a labelled set (tests/data/matching/).

Pure: plain files in, numbers out. `precision_at_k` and `ndcg_at_k` use binary relevance
(the projects a knowledgeable person would propose to that investor).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from matchmaker.matching.scorer import (
    _EMPTY_PROFILE,
    AMOUNT_DECAY_DECADES,
    AMOUNT_UNKNOWN,
    COMPONENTS,
    MODE_UNSTATED,
    REGION_SAME_PREFECTURE,
    TEXT_CUTOFF,
    Profile,
    ProfileError,
    ProjectFeatures,
    ProjectMatrix,
    SectorTree,
    Weights,
    _keyword_token_list,
    _mode_key,
    _mode_relation,
    _prefecture_of_code,
    project_text,
    top_indices,
)
from matchmaker.reference.taxonomy import normalize_mode
from matchmaker.text import tokens


def precision_at_k(ranked: Sequence[Any], relevant: set[Any], k: int) -> float:
    """Share of the first k ranked ids that are relevant (missing ranks count as misses)."""
    return sum(1 for pid in ranked[:k] if pid in relevant) / k


def ndcg_at_k(ranked: Sequence[Any], relevant: set[Any], k: int) -> float:
    """Binary-relevance nDCG@k: DCG of the ranking over DCG of an ideal one."""
    dcg = sum(1 / math.log2(i + 2) for i, pid in enumerate(ranked[:k]) if pid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


@dataclass(frozen=True)
class EvalSet:
    projects: list[ProjectFeatures]
    profiles: dict[int, Profile]
    relevant: dict[int, set[int]]
    sector_tree: SectorTree
    region_names: dict[str, tuple[str, str]]
    region_codes: set[str]


def _modes(written: Sequence[str]) -> tuple[str, ...]:
    """The set writes modes as a catalogue does (独资, 股权合作, BOT); the engine reads codes,
    as the importer would store them (BOT and EOD are "other")."""
    return tuple(dict.fromkeys(m for text in written for m in normalize_mode(text)))


def load_eval_set(directory: Path | str) -> EvalSet:
    directory = Path(directory)
    read = lambda name: json.loads((directory / name).read_text(encoding="utf-8"))  # noqa: E731
    tree = SectorTree.from_items(read("sectors.json")["items"])
    region_names: dict[str, tuple[str, str]] = {}

    def walk(nodes: Sequence[Mapping[str, Any]]) -> None:
        for node in nodes:
            region_names[node["code"]] = (node["name"], node["name_en"])
            walk(node.get("children") or ())

    walk(read("regions.json")["items"])
    projects = [
        ProjectFeatures(
            id=item["id"],
            name=item["name"],
            sectors=tuple(item["sectors"]),
            region_code=item["region_code"],
            prefecture_code=item["prefecture_code"],
            investment_sought_yuan=Decimal(item["investment_sought_yuan"]),
            modes=_modes(item["modes"]),
            text=project_text(item["name"], item["sectors"], tree, item["construction_content"]),
        )
        for item in read("projects.json")["items"]
    ]
    profiles: dict[int, Profile] = {}
    relevant: dict[int, set[int]] = {}
    for item in read("profiles.json")["items"]:
        profiles[item["id"]] = Profile(
            sectors=tuple(item["sectors"]),
            regions=tuple(item["regions"]),
            min_yuan=Decimal(item["min_yuan"]) if item.get("min_yuan") else None,
            max_yuan=Decimal(item["max_yuan"]) if item.get("max_yuan") else None,
            modes=_modes(item["modes"]),
            keywords=item["keywords"],
        )
        relevant[item["id"]] = set(item["relevant"])
    return EvalSet(projects, profiles, relevant, tree, region_names, set(region_names))


def engine_rankings(data: EvalSet, weights: Weights | None = None) -> dict[int, list[Any]]:
    matrix = ProjectMatrix.build(data.projects, data.sector_tree, region_names=data.region_names)
    weights = weights or Weights()
    rankings = {}
    for pid, profile in data.profiles.items():
        scores = matrix.score_array(profile, weights)
        rankings[pid] = [matrix.id_at(i) for i in top_indices(scores, 10)]
    return rankings


def baseline_rankings(data: EvalSet, scorer: Any = fuzz.WRatio) -> dict[int, list[Any]]:
    """Plain fuzzy matching of the profile's keywords against project names."""
    names = [p.name for p in data.projects]
    ids = [p.id for p in data.projects]
    rankings = {}
    for pid, profile in data.profiles.items():
        found = process.extract(
            profile.keywords, names, scorer=scorer, processor=utils.default_process, limit=None
        )
        found.sort(key=lambda item: (-item[1], ids[item[2]]))
        rankings[pid] = [ids[index] for _name, score, index in found if score > 0][:10]
    return rankings


def summarise(rankings: Mapping[int, list[Any]], relevant: Mapping[int, set[int]]) -> dict:
    """Mean precision@5 and nDCG@10 over the profiles."""
    count = len(relevant)
    return {
        "precision_at_5": sum(precision_at_k(rankings[p], relevant[p], 5) for p in relevant)
        / count,
        "ndcg_at_10": sum(ndcg_at_k(rankings[p], relevant[p], 10) for p in relevant) / count,
    }


# --- reference implementation (tests and the benchmark's per-pair loop) ------------------



def score_pair(
    profile: Profile,
    project: ProjectFeatures,
    sector_tree: SectorTree,
    weights: Weights,
    prefecture_of: Mapping[str, str] | None = None,
) -> int:
    """The engine's score for one pair, in plain Python: the slow reference the tests
    compare `ProjectMatrix` with, and the benchmark's per-pair baseline."""
    prefecture_of = prefecture_of or {}
    parts: dict[str, float] = {}
    if profile.sectors:
        parts["sector"] = max(
            (sector_tree.relation(w, o) for o in project.sectors for w in profile.sectors),
            default=0.0,
        )
    if profile.regions:
        best = 0.0
        for wanted in profile.regions:
            for code, as_prefecture in (
                (project.region_code, False),
                (project.prefecture_code, True),
            ):
                if code is None:
                    continue
                if wanted == code or (wanted.endswith("0000") and code.startswith(wanted[:2])):
                    best = 1.0
                elif (
                    as_prefecture
                    and (prefecture_of.get(wanted) or _prefecture_of_code(wanted)) == code
                ):
                    best = max(best, REGION_SAME_PREFECTURE)
        parts["region"] = best
    if profile.min_yuan is not None or profile.max_yuan is not None:
        sought = project.investment_sought_yuan
        if sought is None or sought <= 0:
            parts["amount"] = AMOUNT_UNKNOWN
        else:
            log_sought = math.log10(sought)
            distance = 0.0
            if profile.min_yuan:
                distance += max(math.log10(profile.min_yuan) - log_sought, 0.0)
            if profile.max_yuan is not None:
                high = math.log10(profile.max_yuan) if profile.max_yuan > 0 else -math.inf
                distance += max(log_sought - high, 0.0)
            parts["amount"] = min(max(1.0 - distance / AMOUNT_DECAY_DECADES, 0.0), 1.0)
    if profile.modes:
        if not project.modes:
            parts["mode"] = MODE_UNSTATED
        else:
            parts["mode"] = max(
                _mode_relation(_mode_key(w), _mode_key(o))
                for w in profile.modes
                for o in project.modes
            )
    query = set(_keyword_token_list(profile.keywords))
    if query:
        shared = len(query & set(tokens(project.text)))
        if shared >= math.ceil(len(query) * TEXT_CUTOFF / 100):
            parts["text"] = math.floor(shared * (100.0 / len(query)) + 0.5) / 100.0
        else:
            parts["text"] = 0.0
    total_weight = sum(getattr(weights, name) for name in parts)
    if not parts or total_weight <= 0:
        raise ProfileError(_EMPTY_PROFILE)
    total = 0.0
    for name in COMPONENTS:
        if name in parts:
            total += getattr(weights, name) * parts[name]
    return int(math.floor(total * (100.0 / total_weight) + 0.5))
