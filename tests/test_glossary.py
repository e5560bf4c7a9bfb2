"""The bilingual glossary (pure): the data file, finding terms, keyword tokens, bridges,
pinyin; and its coverage of the demo catalogue's project names."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from matchmaker.reference.glossary import Glossary, GlossaryError
from matchmaker.reference.pinyin import joined, pinyin_words
from matchmaker.reference.taxonomy import Taxonomy

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(DATA / "glossary.csv", sectors=Taxonomy.load(DATA / "sectors.json"))


def test_the_data_file_loads_every_term_once(glossary):
    own = [t for t in glossary.terms if t.source == "glossary"]
    assert len(own) >= 230
    assert {t.kind for t in own} >= {"product", "material", "technology", "facility", "capacity"}
    sectors = [t for t in glossary.terms if t.source.startswith("sector:")]
    assert len(sectors) == 42  # every sector of the taxonomy bridges its names too


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind,zh,en\nproduct,氢能,hydrogen\nproduct,氢气,hydrogen\n", "“hydrogen” is already on line 2"),
        ("product,氢,hydrogen\n", "“氢” is not a Chinese variant of two characters or more"),
        ("product,氢能\n", "expected kind,zh,en"),
        ("product,,hydrogen\n", "a term needs a Chinese and an English side"),
    ],
)
def test_a_bad_glossary_names_the_line(text, message):
    with pytest.raises(GlossaryError, match=message):
        Glossary.from_csv(text)


@pytest.mark.parametrize(
    ("keywords", "labels"),
    [
        ("hydrogen", ["hydrogen ↔ 氢能"]),
        ("Data Centres", ["data centre ↔ 数据中心"]),
        ("liquid-cooled data center", ["liquid-cooled data centre ↔ 液冷数据中心"]),  # one term
        ("liquid cooling for data centers", ["liquid cooling ↔ 液冷", "data centre ↔ 数据中心"]),
        ("solar wind power plant", ["solar ↔ 光伏", "wind farm ↔ 风电场"]),
        ("磷石膏 综合利用", ["phosphogypsum ↔ 磷石膏", "comprehensive utilisation ↔ 综合利用"]),
        ("lithium batteries recycling", ["lithium battery ↔ 锂电池", "recycling ↔ 回收利用"]),
    ],
)
def test_keywords_name_terms_longest_first(glossary, keywords, labels):
    assert [f.term.label for f in glossary.find(keywords, longest=True)] == labels


def test_keyword_tokens_replace_terms_by_their_concept(glossary):
    hydrogen = next(t for t in glossary.terms if t.en[0] == "hydrogen")
    assert glossary.keyword_tokens("hydrogen") == [hydrogen.token]
    assert glossary.keyword_tokens("氢能") == [hydrogen.token]
    assert glossary.keyword_tokens("hydrogen pilot") == ["pilot", hydrogen.token]
    assert hydrogen.token in glossary.concept_tokens("平坝制氢项目")


def test_project_texts_carry_every_term_they_name(glossary):
    found = {glossary.by_id[int(t[1:])].en[0] for t in glossary.concept_tokens("修文农光互补光伏电站")}
    assert {"solar", "agrivoltaic", "solar power plant", "power plant"} <= found
    # generic words and units never bridge (they would match everything)
    assert glossary.concept_tokens("建设生产线中心") == []


def test_bridges_pair_the_words_across_languages(glossary):
    assert glossary.bridges("hydrogen refuelling station, data center",
                            "平坝加氢站 贵安数据中心") == [("hydrogen refuelling station", "加氢站"),
                                                    ("data center", "数据中心")]
    assert glossary.bridges("数据中心", "Gui'an data centre campus") == [("数据中心", "data centre")]
    assert glossary.bridges("数据中心", "贵安数据中心") == []  # same language: no bridge to name


@pytest.mark.parametrize(
    ("text", "pinyin"),
    [("光伏电站", "guangfudianzhan"), ("重庆", "chongqing"), ("磷石膏", "linshigao"), ("六盘水", "liupanshui")],
)
def test_pinyin(text, pinyin):
    assert joined(text) == pinyin


def test_pinyin_words_index_each_syllable_run():
    assert pinyin_words("光伏电站") == "guangfudianzhan fudianzhan dianzhan"


def test_every_demo_project_name_has_a_bridging_term(glossary):
    workbook = load_workbook(DATA / "demo" / "catalogue-2023.xlsx", read_only=True)
    names = [row[1] for row in workbook.active.iter_rows(values_only=True) if row and str(row[0]).isdigit()]
    workbook.close()
    assert len(names) == 220
    missing = [name for name in names if not glossary.find(name)]
    assert missing == []
