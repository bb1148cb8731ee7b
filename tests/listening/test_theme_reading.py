"""Reading comments: lemmas, themes, tone with negation and contrast, language, folding, search, grouping."""
from __future__ import annotations

import pytest

from cxculture.listening.themes.grouping import OTHER, fold, group_by_theme
from cxculture.listening.themes.lexicon import theme_cues, themes
from cxculture.listening.themes.reading import read
from cxculture.pillars import PILLARS


def test_a_theme_per_pillar_and_every_theme_in_both_languages():
    keys = [theme.key for theme in themes()]
    assert keys[:6] == list(PILLARS)
    assert {"waiting", "passed_around", "unclear_communication"} <= set(keys)
    for theme in themes():
        assert theme.label("en") and theme.label("it") and theme.label("en") != theme.label("it")
        for language in ("en", "it"):
            cues = theme_cues(language)
            assert any(theme.key in labels for labels in [*cues.single.values(), *cues.phrases.values()]), theme


@pytest.mark.parametrize("text, theme", [
    ("We waited for ages.", "waiting"),           # "waited": the lexicon says "wait"
    ("I was bounced between departments", "passed_around"),
    ("Ho aspettato a lungo.", "waiting"),          # "aspettato": the lexicon says "aspettare"
    ("Mi hanno rimpallato da un ufficio all'altro.", "passed_around"),
    ("Le bollette sono sbagliate.", "billing"),    # "bollette": the lexicon says "bolletta"
])
def test_any_form_of_a_cue_finds_its_theme(text, theme):
    assert theme in read(text).themes


@pytest.mark.parametrize("text, tone", [
    ("The advisor was helpful.", "positive"),
    ("The advisor was not helpful.", "negative"),
    ("Not bad at all.", "positive"),
    ("Friendly staff, but I waited an hour and nobody called back.", "negative"),
    ("Nobody told us about the new prices.", "negative"),  # a lack, with no tone word
    ("It would be good to have a briefing.", "neutral"),    # a wish, not praise
    ("Customer asked for a copy of the contract.", "neutral"),
    ("Il consulente è stato gentilissimo.", "positive"),
    ("Il consulente non è stato gentile.", "negative"),
    ("Gentili, ma ho aspettato due settimane.", "negative"),
    ("Sarebbe utile una riunione al mese.", "neutral"),
])
def test_tone(text, tone):
    assert read(text).tone == tone


def test_language_is_read_from_the_comment_not_the_reader():
    assert read("Il personale è stato molto gentile", "en").language == "it"
    assert read("The staff were very kind", "it").language == "en"


def test_duplicates_fold_whatever_the_case_spacing_and_punctuation():
    assert fold(["I waited.", "i  WAITED", "I waited!", "Something else", "  "]) == [("I waited.", 3),
                                                                                     ("Something else", 1)]


def test_grouping_counts_duplicates_and_splits_tone():
    texts = ["I waited an hour on hold."] * 3 + ["The staff were friendly.", "Customer asked about opening hours"]
    report = group_by_theme(texts, "en")
    assert (report.total, report.distinct, report.matching) == (5, 3, 5)
    groups = {group.key: group for group in report.groups}
    assert report.groups[0].key == "waiting" and groups["waiting"].count == 3
    assert groups["waiting"].tones == {"negative": 3, "neutral": 0, "positive": 0}
    assert groups["waiting"].comments[0].count == 3
    assert report.groups[-1].key == OTHER
    assert report.tones == {"negative": 3, "neutral": 1, "positive": 1}


def test_search_and_tone_filter_keep_the_totals():
    texts = ["Ho aspettato tre settimane il rimborso.", "The refund was quick, thanks!", "Bills are confusing."]
    report = group_by_theme(texts, "it", query="rimborsi")  # any form: "rimborso"
    assert report.matching == 1 and report.total == 3
    assert group_by_theme(texts, "en", query="refund").matching == 1
    assert group_by_theme(texts, "en", query="REFUND WAS").matching == 1
    assert group_by_theme(texts, "en", tone="positive").matching == 1
    assert group_by_theme(texts, "en", query="parking").groups == []


def test_labels_follow_the_readers_language():
    assert group_by_theme(["I waited an hour."], "it").groups[0].label == "Attese"
    assert group_by_theme(["Ho aspettato un'ora."], "en").groups[0].label == "Waiting"
