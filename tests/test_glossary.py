"""Every shipped text uses the glossary's words: no variant it rules out, no Italian slip it lists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1] / "cxculture"
GLOSSARY = yaml.safe_load((ROOT / "glossary.yaml").read_text(encoding="utf-8"))


def _texts_in(value, language: str):
    """The `language` strings of a YAML document: values under an `en`/`it` key."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == language and isinstance(inner, str):
                yield inner
            else:
                yield from _texts_in(inner, language)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts_in(inner, language)


def shipped_texts(language: str) -> dict[str, str]:
    """Each shipped file's text in one language: content YAML, lessons, worksheets and the interface catalogue."""
    texts = {}
    for path in sorted(ROOT.rglob("*.yaml")):
        if path.name != "glossary.yaml":
            texts[str(path.relative_to(ROOT))] = "\n".join(_texts_in(yaml.safe_load(path.read_text("utf-8")), language))
    for path in sorted(ROOT.rglob(f"*.{language}.md")):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    if language == "it":
        with (ROOT / "translations" / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po)
        texts["translations/it/LC_MESSAGES/messages.po"] = "\n".join(
            s for m in catalogue if m.id for s in ((m.string,) if isinstance(m.string, str) else m.string))
    else:
        with (ROOT / "translations" / "messages.pot").open("rb") as pot:
            texts["translations/messages.pot"] = "\n".join(
                s for m in read_po(pot) if m.id for s in ((m.id,) if isinstance(m.id, str) else m.id))
    return texts


def _ruled_out(language: str) -> list[tuple[str, str]]:
    """(variant, what to write instead) for a language."""
    pairs = [(variant, term[language]) for term in GLOSSARY["terms"] for variant in term.get(f"not_{language}", [])]
    if language == "it":
        pairs += [(slip["text"], slip["instead"]) for slip in GLOSSARY["slips_it"]]
    return pairs


@pytest.mark.parametrize("language", ["en", "it"])
def test_shipped_texts_use_the_glossarys_words(language):
    problems = []
    for name, text in shipped_texts(language).items():
        for variant, instead in _ruled_out(language):
            found = len(re.findall(rf"(?<!\w){re.escape(variant)}(?!\w)", text, flags=re.IGNORECASE))
            if found:
                problems.append(f"{name}: {variant!r} ({found}×): write {instead!r}")
    assert not problems, "\n".join(problems)


def test_the_glossary_gives_both_languages_for_every_term():
    for term in GLOSSARY["terms"]:
        assert term.get("en", "").strip() and term.get("it", "").strip(), term
