"""Reading one comment: its language, lemmas, themes and tone. Pure functions over the shipped lexicons.

Themes: every theme one of whose cues (a lemma, or consecutive lemmas for a phrase) the comment contains.
Tone: the sum of the tone cues' weights, a cue within three words after a negator counting the other way and
every cue after a contrast ("but", "ma") counting double, and a clause whose negator turns no cue round counting
as one negative cue (what is missing: "nobody told us", "non l'hanno mai fatto"); above zero positive, below
negative, else neutral.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Cues, language_of, lemma, normalise, theme_cues, themes, tone_lexicon, words

TONES = ("negative", "neutral", "positive")
#: How many words before a cue a negator still turns it round ("not very helpful", "non è stato per niente utile").
NEGATION_REACH = 3
#: Clauses end at these: a negator or a contrast does not reach past them.
_CLAUSE_END = re.compile(r"[.!?;:,()\n]+")


@dataclass(frozen=True)
class Reading:
    """What the engine reads in one comment."""

    #: The text as compared and searched (normalise()).
    key: str
    language: str
    lemmas: frozenset[str]
    #: Theme keys, in the lexicon's order.
    themes: tuple[str, ...]
    tone: str
    score: float


def _matches(lemmas: list[str], cues: Cues):
    """(start, length, labels) of each cue found, the longest phrase first at each word, not overlapping."""
    i, size = 0, len(lemmas)
    while i < size:
        word = lemmas[i]
        for phrase, labels in cues.starts.get(word, ()):
            if tuple(lemmas[i:i + len(phrase)]) == phrase:
                yield i, len(phrase), labels
                i += len(phrase)
                break
        else:
            labels = cues.single.get(word)
            if labels:
                yield i, 1, labels
            i += 1


def _themes_of(lemmas: list[str], language: str) -> tuple[str, ...]:
    """Theme keys found anywhere in the comment (a phrase's own words count too)."""
    cues = theme_cues(language)
    found: set[str] = set()
    for i, word in enumerate(lemmas):
        found.update(cues.single.get(word, ()))
        for phrase, labels in cues.starts.get(word, ()):
            if tuple(lemmas[i:i + len(phrase)]) == phrase:
                found.update(labels)
    return tuple(theme.key for theme in themes() if theme.key in found)


def _tone_score(clauses: list[tuple[list[str], list[str]]], language: str) -> float:
    """The tone score of a comment given as clauses of (words, lemmas)."""
    lexicon = tone_lexicon(language)
    score, contrast = 0.0, 1.0
    for clause, lemmas in clauses:
        found = list(_matches(lemmas, lexicon.cues))
        in_cue = {j for start, size, _labels in found for j in range(start, start + size)}
        weights = {start: labels[0] for start, _size, labels in found}
        wish = any(word in lexicon.wishes for word in clause)
        free_negators = {j for j, word in enumerate(clause) if word in lexicon.negators and j not in in_cue}
        turned = set()
        for i, word_lemma in enumerate(lemmas):
            if word_lemma in lexicon.contrast:
                contrast = 2.0
            if i not in weights:
                continue
            negators = free_negators.intersection(range(max(0, i - NEGATION_REACH), i)) if free_negators else ()
            turned.update(negators)
            weight = weights[i]
            if negators:
                # "not good" is bad, but "not bad" is only faintly good.
                weight = -weight if weight > 0 else -weight / 2
            if wish and weight > 0:
                continue  # "it would be good to ...": a wish, not praise
            score += weight * contrast
        if free_negators - turned:
            # A negation with nothing to turn round is a lack: "the survey results were never shared".
            score -= contrast
    return score


#: Readings kept per process, so a page re-reading its comments on every request (a search, a filter) reads each
#: once: about 1.8 KB each, 36 MB at most.
READINGS_KEPT = 20_000


@lru_cache(maxsize=READINGS_KEPT)
def read(text: str, default_language: str = "en") -> Reading:
    """Read one comment; `default_language` decides only when the comment's own words do not (cached: the same
    text is read once per reader's language)."""
    key = normalise(text)
    clauses = [words(part) for part in _CLAUSE_END.split(key)]
    tokens = [w for clause in clauses for w in clause]
    language = language_of(tokens, default_language)
    clause_lemmas = [[lemma(w, language) for w in clause] for clause in clauses]
    lemmas = [w for clause in clause_lemmas for w in clause]
    score = _tone_score(list(zip(clauses, clause_lemmas, strict=True)), language)
    tone = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return Reading(key, language, frozenset(lemmas) | frozenset(tokens), _themes_of(lemmas, language), tone, score)
