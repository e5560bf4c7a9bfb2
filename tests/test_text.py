import pytest

from matchmaker.text import clean, compact, normalize, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("  Ｇｕｉｙａｎｇ　Ｃｉｔｙ ", "guiyang city"),
        ("总投资（亿元）", "总投资(亿元)"),
        ("a \t b", "a b"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("遵义市·汇川区", "遵义市汇川区"),
        ("Gui'an New Area", "guiannewarea"),
        ("５０００万（约）", "5000万约"),
    ],
)
def test_compact(text, expected):
    assert compact(text) == expected


def test_tokens_are_words_and_cjk_bigrams():
    assert tokens("贵阳大数据 Big Data") == ["贵阳", "阳大", "大数", "数据", "big", "data"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("  ５０００万（约）\u3000", "5000万(约)"),
        ("Line one\r\n  line   two\n\n", "Line one\nline two"),
        ("Keep Case", "Keep Case"),
        (3.5, "3.5"),
    ],
)
def test_clean_keeps_case_and_line_breaks(text, expected):
    assert clean(text) == expected


def test_fast_nfkc_equals_unicodedata_on_random_mixed_text():
    import random
    import unicodedata

    from matchmaker.text import nfkc

    alphabet = list("光伏储能贵阳abcXYZ 019１２Ａ，、。_-+()（）\t\u3000é😀ﾃ한\u0301\u00a0") + ["𠀀", "ﬁ", "Ⅻ", "㎡"]
    rng = random.Random(5)
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert nfkc(value) == unicodedata.normalize("NFKC", value), repr(value)
