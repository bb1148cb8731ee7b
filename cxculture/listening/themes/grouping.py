"""Comments grouped by theme and tone: duplicates folded, a search and a tone filter. Pure functions.

A comment with several themes is in each of their groups; one with none is in the "other" group. The same words
(whatever the case, spacing and punctuation) from several people is one comment counted as many times (shown "×N").
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .lexicon import fold_key, lemma, normalise, themes, words
from .reading import TONES, Reading, read

#: The group of comments in which no theme was found.
OTHER = "other"


@dataclass(frozen=True)
class FoldedComment:
    """One text as people wrote it (its first spelling), with how many wrote the same."""

    text: str
    count: int
    reading: Reading

    @property
    def tone(self) -> str:
        return self.reading.tone


@dataclass
class ThemeGroup:
    key: str
    #: The theme's label in the reader's language ("" for the other group: the page names it).
    label: str
    pillar: bool
    comments: list[FoldedComment] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Comments in the group, duplicates included."""
        return sum(c.count for c in self.comments)

    @property
    def tones(self) -> dict[str, int]:
        """{tone: comments}, duplicates included, for every tone."""
        counts = dict.fromkeys(TONES, 0)
        for comment in self.comments:
            counts[comment.tone] += comment.count
        return counts


@dataclass
class ThemeReport:
    groups: list[ThemeGroup]
    #: Comments read (duplicates included) and distinct texts, before the search and the tone filter.
    total: int
    distinct: int
    #: Comments that the search and the tone filter kept (duplicates included).
    matching: int
    tones: dict[str, int]


def fold(texts: Iterable[str]) -> list[tuple[str, int]]:
    """(first spelling, count) of each distinct text (fold_key()), in order of first appearance; texts without a
    word are dropped."""
    folded: dict[str, list] = {}
    for text in texts:
        key = fold_key(text)
        if not key:
            continue
        entry = folded.get(key)
        if entry is None:
            folded[key] = [text.strip(), 1]
        else:
            entry[1] += 1
    return [(text, count) for text, count in folded.values()]


def matches_search(reading: Reading, query: str) -> bool:
    """Whether the comment contains the query as typed, or every word of it in any of its forms ("waited" finds
    "waiting", "rimborsi" finds "rimborso")."""
    needle = normalise(query)
    if not needle or needle in reading.key:
        return True
    return all(word in reading.lemmas or lemma(word, reading.language) in reading.lemmas for word in words(needle))


def group_by_theme(texts: Iterable[str], language: str = "en", query: str = "", tone: str | None = None
                   ) -> ThemeReport:
    """The comments grouped by theme, largest group first (then the lexicon's order), the other group last.

    `language` is the reader's (theme labels) and the default for a comment whose language is unclear; `query` and
    `tone` keep only the comments that match them; the totals count before they do.
    """
    order = {theme.key: index for index, theme in enumerate(themes())}
    groups = {theme.key: ThemeGroup(theme.key, theme.label(language), theme.pillar) for theme in themes()}
    groups[OTHER] = ThemeGroup(OTHER, "", False)
    total = distinct = matching = 0
    tones = dict.fromkeys(TONES, 0)
    for text, count in fold(texts):
        total += count
        distinct += 1
        reading = read(text, language)
        if (tone and reading.tone != tone) or (query and not matches_search(reading, query)):
            continue
        matching += count
        tones[reading.tone] += count
        comment = FoldedComment(text, count, reading)
        for key in reading.themes or (OTHER,):
            groups[key].comments.append(comment)
    shown = [g for g in groups.values() if g.comments and g.key != OTHER]
    shown.sort(key=lambda g: (-g.count, order[g.key]))
    for group in [*shown, groups[OTHER]]:
        group.comments.sort(key=lambda c: (-c.count, TONES.index(c.tone)))
    if groups[OTHER].comments:
        shown.append(groups[OTHER])
    return ThemeReport(shown, total, distinct, matching, tones)
