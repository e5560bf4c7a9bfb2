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
    Profile,
    ProjectFeatures,
    ProjectMatrix,
    SectorTree,
    Weights,
    project_text,
    top_indices,
)


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
            modes=tuple(item["modes"]),
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
            modes=tuple(item["modes"]),
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
        rankings[pid] = [matrix.ids[i] for i in top_indices(scores, 10)]
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
