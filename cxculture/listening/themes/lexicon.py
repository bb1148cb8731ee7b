"""The shipped lexicons, loaded once: themes (themes.yaml) and tone (tone.yaml), both keyed by lemma.

Every cue is lemmatised with the same lemmatiser the comments go through, so a lexicon names one form of a word
and finds the others. A cue of several words is a phrase: a tuple of lemmas matched as consecutive lemmas.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import simplemma
import yaml

HERE = Path(__file__).parent
LANGUAGES = ("en", "it")

#: Words (apostrophes kept inside English words such as "didn't"; Italian elisions split: "un'attesa" -> un, attesa).
_WORD = re.compile(r"[^\W_]+(?:'t)?", re.UNICODE)
#: Common short words of each language, to tell which one a comment is written in.
_STOPWORDS = {
    "en": frozenset({
        "the", "a", "an", "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "is", "are", "was", "were",
        "be", "been", "it", "this", "that", "my", "our", "we", "i", "you", "they", "he", "she", "not", "no", "never",
        "have", "has", "had", "do", "does", "did", "from", "by", "as", "so", "very", "too"
    }),
    "it": frozenset({
        "il", "lo", "la", "i", "gli", "le", "un", "una", "uno", "e", "o", "ma", "di", "da", "in", "su", "per", "con",
        "tra", "fra", "è", "sono", "era", "erano", "essere", "non", "mai", "che", "chi", "mi", "ci", "si", "ti", "vi",
        "del", "della", "dei", "delle", "al", "alla", "ai", "alle", "nel", "nella", "molto", "troppo", "ho", "ha",
        "abbiamo", "hanno", "come", "anche", "più"
    }),
}


def normalise(text: str) -> str:
    """The text as comments are compared and searched: case-folded, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def fold_key(text: str) -> str:
    """What two comments must share to be the same comment: their words, whatever the case, spacing and
    punctuation ("I waited an hour." and "i waited an hour")."""
    return " ".join(words(normalise(text)))


def words(normalised: str) -> list[str]:
    """The words of a normalised text ("didn't" -> "didnt", so negations read as one word)."""
    return [w.replace("'", "") for w in _WORD.findall(normalised)]


def language_of(tokens: list[str], default: str = "en") -> str:
    """The language whose common short words the tokens use most; on a tie, the one whose dictionary knows more
    of them; the default when that ties too."""
    for counts in ({lang: sum(t in stop for t in tokens) for lang, stop in _STOPWORDS.items()},
                   {lang: sum(_known(t, lang) for t in tokens) for lang in LANGUAGES}):
        best = max(counts, key=counts.get)
        if counts[best] > counts[default]:
            return best
    return default


@lru_cache(maxsize=200_000)
def _known(word: str, language: str) -> bool:
    return simplemma.is_known(word, lang=language)


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The word's lemma in the language (simplemma's dictionary; the word itself when it knows none)."""
    return simplemma.lemmatize(word, lang=language).casefold()


def lemmas(text: str, language: str) -> tuple[str, ...]:
    return tuple(lemma(w, language) for w in words(normalise(text)))


@dataclass(frozen=True)
class Cues:
    """One language's cues: single lemmas and phrases (tuples of lemmas), each mapped to what it signals."""

    single: dict[str, tuple]
    phrases: dict[tuple[str, ...], tuple]
    #: first lemma -> ((phrase, labels), ...), longest phrase first: only these are tried at a word.
    starts: dict[str, tuple[tuple[tuple[str, ...], tuple], ...]]


def _cues(entries: dict[str, list[str]], language: str) -> Cues:
    """{label: [cue, ...]} -> each cue's lemmas mapped to the labels that list it."""
    single: dict[str, list] = {}
    phrases: dict[tuple[str, ...], list] = {}
    for label, cue_list in entries.items():
        for cue in cue_list:
            key = lemmas(str(cue), language)
            if not key:
                continue
            target = single.setdefault(key[0], []) if len(key) == 1 else phrases.setdefault(key, [])
            if label not in target:
                target.append(label)
    return _indexed({k: tuple(v) for k, v in single.items()}, {k: tuple(v) for k, v in phrases.items()})


def _indexed(single: dict[str, tuple], phrases: dict[tuple[str, ...], tuple]) -> Cues:
    starts: dict[str, list] = {}
    for phrase, labels in sorted(phrases.items(), key=lambda item: -len(item[0])):
        starts.setdefault(phrase[0], []).append((phrase, labels))
    return Cues(single, phrases, {first: tuple(found) for first, found in starts.items()})


@dataclass(frozen=True)
class Theme:
    key: str
    labels: dict[str, str]
    pillar: bool

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]


@cache
def themes() -> tuple[Theme, ...]:
    """The shipped themes in their order: the six pillars, then the service themes."""
    data = yaml.safe_load((HERE / "themes.yaml").read_text(encoding="utf-8"))
    return tuple(Theme(key, entry["label"], bool(entry.get("pillar"))) for key, entry in data.items())


@cache
def theme_cues(language: str) -> Cues:
    data = yaml.safe_load((HERE / "themes.yaml").read_text(encoding="utf-8"))
    return _cues({key: entry.get(language, []) for key, entry in data.items()}, language)


@dataclass(frozen=True)
class ToneLexicon:
    #: lemma or phrase -> weight (positive above 0).
    cues: Cues
    negators: frozenset[str]
    contrast: frozenset[str]
    #: Words of a wish or a suggestion ("would", "should", "vorrei"): the positive words of its clause are hoped for.
    wishes: frozenset[str]


@cache
def tone_lexicon(language: str) -> ToneLexicon:
    data = yaml.safe_load((HERE / "tone.yaml").read_text(encoding="utf-8"))[language]
    weighted = {1: data["positive"], 2: data["strong_positive"], -1: data["negative"], -2: data["strong_negative"]}
    cues = _cues(dict(weighted), language)
    # A cue listed under two weights keeps the strongest.
    strongest = {k: (max(v, key=abs),) for k, v in cues.single.items()}
    strongest_phrases = {k: (max(v, key=abs),) for k, v in cues.phrases.items()}
    negators = frozenset(w for entry in data["negators"] for w in words(normalise(entry)))
    return ToneLexicon(_indexed(strongest, strongest_phrases), negators,
                       frozenset(lemma(w, language) for w in data["contrast"]),
                       frozenset(w for entry in data["wishes"] for w in words(normalise(entry))))
