"""Benchmark: 50,000 comments (English and Italian) grouped by theme and tone.

Makes synthetic comments from fragments (a subject, what happened, a verdict, with numbers that vary), one in ten
an exact repeat of an earlier one and one in ten a repeat in other case and punctuation, half in each language.
Then it times, on one core, in one process:

- loading the lexicons (themes.yaml, tone.yaml, lemmatised once per process),
- the first grouping (every comment read: language, lemmas, themes, tone; duplicates folded),
- the same grouping again, a search and a tone filter over it (readings are kept per text, READINGS_KEPT of them:
  with 32,000 different texts here most are read again; a campaign's few thousand are read once).

Run: .venv/bin/python bench/themes.py [--comments N] [--seed S]   (not part of `make test`)
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxculture.listening.themes.grouping import group_by_theme
from cxculture.listening.themes.lexicon import theme_cues, themes, tone_lexicon
from cxculture.listening.themes.reading import READINGS_KEPT, read

FRAGMENTS = {
    "en": (
        ["The customer", "A colleague", "My manager", "Head office", "The contact centre", "The app", "The store team",
         "Billing", "The back office", "Our team lead", "The website", "The new starter"],
        ["waited {n} minutes on hold", "was passed around {n} departments", "got a bill {n} euros too high",
         "could not log in for {n} days", "was never called back after {n} days", "solved it in {n} minutes",
         "explained the contract clearly", "needed {n} signatures for a refund",
         "told us about the change {n} days late",
         "gave {n} different answers", "thanked the team in the meeting", "has no training after {n} weeks",
         "works overtime {n} times a month", "ignored {n} suggestions from the front line", "was very friendly"],
        ["and nothing changes.", "which was great.", "so customers complain.", "but it was sorted in the end.",
         "again.", "— thank you!", "and nobody explains why.", "as promised.", "which is unacceptable.", "."],
    ),
    "it": (
        ["Il cliente", "Una collega", "Il mio responsabile", "La sede", "Il contact center", "L'app", "Il negozio",
         "La fatturazione", "Il back office", "La capo squadra", "Il sito", "Il nuovo assunto"],
        ["ha aspettato {n} minuti in linea", "è stato rimpallato tra {n} uffici",
         "ha ricevuto una bolletta di {n} euro in più",
         "non riesce ad accedere da {n} giorni", "non è mai stato richiamato dopo {n} giorni",
         "ha risolto in {n} minuti", "ha spiegato il contratto con chiarezza", "ha chiesto {n} firme per un rimborso",
         "ci ha detto del cambiamento con {n} giorni di ritardo", "ha dato {n} risposte diverse",
         "ha ringraziato la squadra in riunione", "non ha formazione dopo {n} settimane",
         "fa straordinari {n} volte al mese", "ha ignorato {n} suggerimenti", "è stato gentilissimo"],
        ["e non cambia niente.", "ed è stato ottimo.", "quindi i clienti si lamentano.",
         "ma alla fine è stato risolto.",
         "di nuovo.", "— grazie!", "e nessuno spiega perché.", "come promesso.", "ed è inaccettabile.", "."],
    ),
}


def synthetic_comments(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    comments: list[str] = []
    for i in range(count):
        if comments and i % 10 == 3:
            comments.append(rng.choice(comments))  # the same words from someone else
            continue
        if comments and i % 10 == 7:
            comments.append(rng.choice(comments).upper().rstrip(".!") + "!!")  # the same, shouted
            continue
        subjects, events, verdicts = FRAGMENTS["en" if i % 2 else "it"]
        event = rng.choice(events).format(n=rng.randint(2, 400))
        comments.append(f"{rng.choice(subjects)} {event} {rng.choice(verdicts)}")
    return comments


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    comments = synthetic_comments(args.comments, args.seed)
    print(f"{len(comments):,} synthetic comments (English and Italian)")

    def load():
        themes()
        for language in ("en", "it"):
            theme_cues(language)
            tone_lexicon(language)

    timed("load the lexicons", load)
    report = timed("group by theme (every comment read)", lambda: group_by_theme(comments, "en"))
    print(f"  {report.total:,} comments, {report.distinct:,} different, {len(report.groups)} groups; "
          f"tone {report.tones}; {read.cache_info().currsize:,} readings cached")
    # More different comments than the readings kept: these re-read most of them.
    timed(f"group again ({READINGS_KEPT:,} readings kept)", lambda: group_by_theme(comments, "en"))
    found = timed("search 'rimborsi' (any form)", lambda: group_by_theme(comments, "en", query="rimborsi"))
    print(f"  {found.matching:,} comments match")
    negative = timed("only the negative ones", lambda: group_by_theme(comments, "en", tone="negative"))
    print(f"  {negative.matching:,} comments are negative")


if __name__ == "__main__":
    main()
