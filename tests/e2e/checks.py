"""What every journey checks on each key page, besides its own assertions: accessible
names, untranslated text, a phone layout without sideways scrolling; plus `t()`, the text a
user reads in a language (from the same catalogue the app uses), so journeys find labels
and buttons by what is written on them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "matchmaker" / "translations"


@cache
def _catalogue() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["zh"], domain="messages")


def t(lang: str, msgid: str, **params: object) -> str:
    """The text the app shows for `msgid` in `lang` ('zh' or 'en')."""
    text = _catalogue().gettext(msgid) if lang == "zh" else msgid
    return text % params if params else text


# Run in the page: visible form controls and buttons without an accessible name.
_UNNAMED_JS = """
() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const text = (el) => (el ? (el.innerText || el.textContent || '').trim() : '');
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (ids.some((id) => text(document.getElementById(id)))) return true;
    if (el.labels && Array.from(el.labels).some((label) => text(label))) return true;
    return false;
  };
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    if (['submit', 'button', 'reset'].includes(el.type)) {
      if (!(el.value || '').trim() && !named(el)) problems.push('unnamed button: ' + el.outerHTML.slice(0, 160));
      continue;
    }
    if (!named(el)) problems.push('unlabelled ' + el.tagName.toLowerCase() + ': ' + el.outerHTML.slice(0, 160));
  }
  for (const el of document.querySelectorAll('button, [role=button]')) {
    if (!visible(el)) continue;
    if (!text(el) && !named(el) && !(el.getAttribute('title') || '').trim()) {
      problems.push('unnamed button: ' + el.outerHTML.slice(0, 160));
    }
  }
  for (const el of document.querySelectorAll('a[href]')) {
    if (visible(el) && !text(el) && !named(el)) problems.push('unnamed link: ' + el.outerHTML.slice(0, 160));
  }
  return problems;
}
"""

# Run in the page: the texts of the interface (not the data) that a translation covers.
_UI_TEXTS_JS = """
() => {
  const out = [];
  const selector = 'label, button, legend, summary, th, small.hint, .flash, nav a, h1, h2, [placeholder], option';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.data, [translate=no]')) continue;  // names and places written as entered
    if (el.tagName !== 'OPTION' && el.getClientRects().length === 0) continue;
    const own = el.matches('[placeholder]') ? el.getAttribute('placeholder') : (el.innerText || el.textContent || '');
    if (own && own.trim()) out.push([el.tagName.toLowerCase(), own.trim().replace(/\\s+/g, ' ')]);
  }
  return out;
}
"""

CJK = re.compile(r"[\u3400-\u9fff]")
# Chinese that belongs in English text: units, bilingual labels "(投资合同)", the language link.
_ALLOWED_IN_EN = re.compile(r"[（(][^()（）]*[\u3400-\u9fff][^()（）]*[)）]|亿元|万元|元|中文")
_ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}[,.]? [A-Za-z]{2,}")


def untranslated(page, lang: str, data: tuple[str, ...] = ()) -> list[str]:
    """Interface texts in the other language: Chinese on an English page (besides units and
    bilingual labels), English phrases on a Chinese page. `data` lists texts known to be
    data (project or company names) rather than interface."""
    found = []
    for tag, text in page.evaluate(_UI_TEXTS_JS):
        if any(d and d in text for d in data):
            continue
        # English pages show Chinese data (project names in headings) and bilingual examples.
        if lang == "en" and tag not in ("h1", "h2") and CJK.search(_ALLOWED_IN_EN.sub("", text)):
            # Placeholders and hints may give examples in both languages.
            if not (tag in ("input", "textarea", "small") and re.search(r"[A-Za-z]{3,}", text)):
                found.append(f"<{tag}> {text}")
        if lang == "zh" and not CJK.search(text) and _ENGLISH_PHRASE.search(text) and text != "English":
            found.append(f"<{tag}> {text}")
    return sorted(set(found))


def unnamed_controls(page) -> list[str]:
    return page.evaluate(_UNNAMED_JS)


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def check_page(page, lang: str, *, data: tuple[str, ...] = ()) -> None:
    """The checks every key page passes: named controls, one language, fits the phone."""
    where = page.url
    problems = unnamed_controls(page)
    assert not problems, f"{where}: controls without an accessible name:\n" + "\n".join(problems)
    wrong = untranslated(page, lang, data)
    assert not wrong, f"{where}: text not in {lang}:\n" + "\n".join(wrong)
    overflow = sideways_overflow(page)
    assert overflow <= 1, f"{where}: the page is {overflow}px wider than the screen"
