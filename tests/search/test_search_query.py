"""Query understanding, highlighting and folding (pure functions)."""

import pytest

from matchmaker.config import ROOT
from matchmaker.reference.taxonomy import Gazetteer, Taxonomy
from matchmaker.search.core import highlight
from matchmaker.search.query import Vocabulary, parse, stem
from matchmaker.search.textindex import FieldIndex
from matchmaker.text import fold

VOCABULARY = Vocabulary(Taxonomy.load(ROOT / "data/sectors.json"), Gazetteer.load(ROOT / "data/regions.json"))


@pytest.mark.parametrize(("query", "expected"), [
    ("光伏", [("光伏", ("new_energy.solar",), ())]),
    ("锂电 贵阳", [("锂电", ("nev.battery",), ()), ("贵阳", (), ("520100",))]),
    ("遵义光伏", [("遵义", (), ("520300",)), ("光伏", ("new_energy.solar",), ())]),
    ("battery Zunyi", [("battery", ("nev.battery", "nev.charging", "recycling.renewables", "storage"), ()),
                       ("zunyi", (), ("520300",))]),
    ("lithium batteries", [("lithium batteries", ("nev.battery",), ())]),
    ("guian data center", [("guian", (), ("529900",)), ("data center", ("big_data.datacenter",), ())]),
    ("Gui'an data centre", [("guian", (), ("529900",)), ("data centre", ("big_data.datacenter",), ())]),
    ("guìyáng", [("guiyang", (), ("520100",))]),
    ("gui4yang2", [("guiyang", (), ("520100",))]),
    ("ＰＶ", [("pv", ("new_energy.solar",), ())]),
    ("photovoltaic projects", [("photovoltaic", ("new_energy.solar",), ())]),
    ("光伏发电站", [("光伏发电", ("new_energy.solar",), ())]),
    ("%_'\"\\<b>", []),
])
def test_parse(query, expected):
    parts = parse(query, VOCABULARY)
    got = [(p.text, p.sectors, p.regions) for p in parts]
    if query.startswith("battery"):
        got[0] = (got[0][0], tuple(c for c in got[0][1] if c in expected[0][1]), ())
    assert got == expected


@pytest.mark.parametrize(("word", "root"), [
    ("batteries", "battery"), ("stations", "station"), ("boxes", "box"), ("gas", "gas"),
    ("centres", "center"), ("hydro", "hydro"),
])
def test_stem(word, root):
    assert stem(word) == root


@pytest.mark.parametrize(("text", "folded"), [
    ("ＡＢＣ　光伏，电站", "abc 光伏 电站"), ("Gui'an New Area", "guian new area"),
    ("Guìyáng", "guiyang"), ("50%_锂电", "50 锂电"), ("😀光伏\x00", "光伏"),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_highlight_marks_folded_matches_in_the_original_text():
    assert highlight("ＰＶ光伏电站（贵阳）", ["光伏", "pv", "贵阳"]) == [
        ("ＰＶ光伏", True), ("电站（", False), ("贵阳", True), ("）", False)]
    assert highlight("<b>光伏</b>", ["光伏"]) == [("<b>", False), ("光伏", True), ("</b>", False)]


def test_field_index_finds_substrings_and_follows_edits():
    index = FieldIndex(["贵阳光伏电站", "遵义锂电池", "solar pv plant", "光伏"])
    assert index.cjk("光伏").tolist() == [0, 3]
    assert index.cjk("锂电池").tolist() == [1]
    assert index.cjk("池").tolist() == [1]
    assert index.latin("sol", prefix=True).tolist() == [2]
    assert index.latin("pv", prefix=False).tolist() == [2]
    index.set(0, "贵阳储能电站")
    index.set(4, "铜仁光伏")
    assert index.cjk("光伏").tolist() == [3, 4]
    assert index.cjk("储能").tolist() == [0]
