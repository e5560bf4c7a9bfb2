"""A text index brought forward by deltas (changed and added documents over the base
tables) answers every lookup as an index built afresh over the same texts."""

import random

import numpy as np
import pytest

from matchmaker.search.textindex import FieldIndex

WORDS = ["光伏", "电站", "储能", "锂电池", "遵义", "光伏电站", "solar", "battery", "zunyi", "data", "数据中心", "茶叶"]
TERMS = ["光伏", "光伏电站", "锂电池", "储能", "数据中心", "遵义", "茶"]
LATIN = [("solar", False), ("bat", True), ("zunyi", False), ("da", True)]


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 4)))


@pytest.mark.parametrize("seed", range(8))
def test_lookups_after_deltas_equal_a_fresh_build(seed):
    rng = random.Random(seed)
    texts = [text(rng) for _ in range(rng.randint(0, 60))]
    index = FieldIndex(texts)
    for _ in range(rng.randint(1, 25)):  # replace some, add some past the end
        position = rng.randint(0, len(texts) + 2)
        new = text(rng)
        while position >= len(texts):
            texts.append("")
        texts[position] = new
        index.set(position, new)
    fresh = FieldIndex(texts)
    for term in TERMS:
        assert index.cjk(term).tolist() == fresh.cjk(term).tolist(), term
        got, expected = index.bigram_counts(term), fresh.bigram_counts(term)
        assert [a.tolist() if isinstance(a, np.ndarray) else a for a in got] == \
            [a.tolist() if isinstance(a, np.ndarray) else a for a in expected], term
    for word, prefix in LATIN:
        assert index.latin(word, prefix=prefix).tolist() == fresh.latin(word, prefix=prefix).tolist(), word
