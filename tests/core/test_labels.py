"""One label per enum member, in Chinese and English, from the message catalogue: pages,
forms, exports, match reasons and the API all show the same words."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from factories import make_catalogue, make_project
from flask_babel import refresh

import matchmaker.models  # noqa: F401 - every enum defined
from matchmaker.catalogue.models import ProjectStatus
from matchmaker.i18n import Message, translate
from matchmaker.reference.labels import choices, label, label_in, names, parse_label
from matchmaker.reference.taxonomy import normalize_mode
from matchmaker.reference.vocabulary import CooperationMode, InvestmentBand, LabelledEnum
from matchmaker.signing.models import AgreementKind, SessionState

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff]")


def all_enums() -> list[type[LabelledEnum]]:
    found, stack = [], list(LabelledEnum.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def test_the_platform_enums_are_all_labelled():
    assert {e.__name__ for e in all_enums()} >= {
        "AgreementKind", "CatalogueStatus", "CooperationMode", "InvestmentBand", "InvestorKind",
        "LeadStatus", "ProjectStatus", "RegionLevel", "Role", "SessionKind", "SessionState",
    }


@pytest.mark.parametrize("enum_cls", all_enums(), ids=lambda e: e.__name__)
def test_every_member_has_a_chinese_and_an_english_label_distinct_within_its_enum(app, enum_cls):
    english = [label_in(m, "en") for m in enum_cls]
    chinese = [label_in(m, "zh") for m in enum_cls]
    assert all(CJK.search(text) or text == "PPP" for text in chinese), chinese
    assert not any(CJK.search(text) for text in english), english
    assert len(set(english)) == len(english) and len(set(chinese)) == len(chinese)
    for member, zh, en in zip(enum_cls, chinese, english, strict=True):
        assert parse_label(enum_cls, zh) is member
        assert parse_label(enum_cls, en.upper()) is member
        assert parse_label(enum_cls, member.value) is member


def test_the_same_english_word_translates_by_enum(app):
    assert (label_in(ProjectStatus.OPEN, "zh"), label_in(SessionState.OPEN, "zh")) == ("可洽谈", "进行中")
    assert names(AgreementKind.INTENT) == {"name": "意向协议", "name_en": "Letter of intent"}


def test_labels_follow_the_reader_language(app):
    with app.test_request_context("/?lang=en"):
        refresh()  # the app context (and its cached locale) outlives one request here
        assert str(label(CooperationMode.SOLE)) == "Wholly owned"
        assert [str(c.label) for c in choices(InvestmentBand)][0] == "up to 100 million yuan"
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert str(label(CooperationMode.SOLE)) == "独资"
        assert [str(c.label) for c in choices(InvestmentBand)][-1] == "50亿元以上"


def test_a_message_shows_enum_parameters_as_labels(app):
    other = Message("Cooperation mode: %(mode)s", {"mode": CooperationMode.OTHER})
    assert str(other) == "Cooperation mode: Other"
    listed = Message("Cooperation modes %(modes)s differ from yours",
                     {"modes": [CooperationMode.PPP, CooperationMode.JOINT_VENTURE]})
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert translate(other) == "合作方式：其他"
        assert translate(listed) == "合作方式 PPP、合资 与您的不同"


def test_english_labels_read_back_as_their_mode():
    assert normalize_mode("Wholly owned, Joint venture / Equity participation") == [
        CooperationMode.SOLE, CooperationMode.JOINT_VENTURE, CooperationMode.EQUITY]
    assert normalize_mode("独资、合资、股权合作、PPP、其他") == [
        CooperationMode.SOLE, CooperationMode.JOINT_VENTURE, CooperationMode.EQUITY,
        CooperationMode.PPP, CooperationMode.OTHER]


def test_english_reasons_are_english_and_chinese_reasons_chinese(app, client):
    make_project(make_catalogue(), name="息烽磷化工项目", sectors=("new_energy.solar",),
                 cooperation_modes=["other"])
    body = {"modes": ["other"], "sectors": ["new_energy.solar"]}
    en = client.post("/api/v1/match?lang=en", json=body).json["items"][0]["reasons"]
    zh = client.post("/api/v1/match?lang=zh", json=body).json["items"][0]["reasons"]
    assert {"kind": "mode", "text": "Cooperation mode: Other"} in en
    assert {"kind": "mode", "text": "合作方式：其他"} in zh
    assert not any(CJK.search(r["text"]) for r in en)


def test_project_page_and_facets_use_the_labels(app, client):
    project = make_project(make_catalogue(), cooperation_modes=["sole", "equity"])
    english = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "<dd>Wholly owned, Equity participation</dd>" in english and "<dd>Open</dd>" in english
    chinese = client.get(f"/projects/{project.id}?lang=zh").get_data(as_text=True)
    assert "<dd>独资、股权合作</dd>" in chinese and "<dd>可洽谈</dd>" in chinese
    facets = client.get("/api/v1/projects").json["facets"]
    assert {"code": "sole", "name": "独资", "name_en": "Wholly owned", "count": 1} in facets["mode"]
    assert facets["status"] == [{"code": "open", "name": "可洽谈", "name_en": "Open", "count": 1}]
    assert facets["sought_band"][0]["name"] == "1–5亿元"


def _label_pairs(path: Path) -> list[int]:
    """Lines with a ("中文", "English") pair of string literals: a label table by hand."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            texts = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(texts) == 2 and any(CJK.search(t) for t in texts) and any(
                re.fullmatch(r"[A-Z][A-Za-z ,()-]+", t) for t in texts
            ):
                lines.append(node.lineno)
    return lines


def test_no_module_keeps_its_own_label_pairs():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "matchmaker").rglob("*.py"))
        if "migrations" not in path.parts and (lines := _label_pairs(path))
    }
    assert found == {}
