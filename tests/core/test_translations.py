"""Every user-facing string has a Chinese translation, and the compiled catalogue is current."""

import importlib.util
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "matchmaker/translations/zh/LC_MESSAGES/messages.po"


def load_tool():
    spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "scripts/translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (ROOT / "babel.cfg").exists(), reason="not a source checkout")
def test_no_message_lacks_a_chinese_translation(tmp_path, monkeypatch):
    tool = load_tool()
    monkeypatch.setattr(tool, "POT", tmp_path / "messages.pot")
    assert tool.missing() == []


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle, locale="zh") if m.id and m.string and "fuzzy" not in m.flags}
    with PO.with_suffix(".mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert po == mo


def test_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\((\w+)\)")
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    wrong = []
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        # A translation may drop an English-only name (sector_en → sector) but never invent one.
        if not set(placeholder.findall(message.string)) <= set(placeholder.findall(message.id)) | {
            name.removesuffix("_en") for name in placeholder.findall(message.id)
        }:
            wrong.append(message.id)
    assert wrong == []
