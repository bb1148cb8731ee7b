"""Item analysis: how each quiz question of a module did in an organisation's real attempts.

Per question of one module version: how many attempts asked it, the % answered right, and its discrimination,
the point-biserial correlation between answering it right and the rest of the attempt's score (the share of the
attempt's other questions answered right), so that a question does not correlate with itself. The % right among
attempts that passed minus the % right among those that failed is given beside it, in words people read easily.
Everything is counted in SQL from quiz_attempt_item: two queries for the page, whatever the number of attempts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Module, ModuleVersion, QuizAttempt, QuizAttemptItem

#: Below this many answers a question's figures are shown but not judged (the design's small-sample rule).
MIN_ANSWERS = 30
#: Rules of thumb of classical item analysis: right answers above EASY or below HARD (as a share) tell little,
#: and a discrimination under SEPARATES barely tells those who know from those who do not.
EASY = 0.9
HARD = 0.3
SEPARATES = 0.2


@dataclass
class ItemStats:
    """One question's figures; `flags` say what is weak about it (empty when it works)."""

    question: dict
    answered: int = 0
    right: int = 0
    #: Point-biserial correlation of the question with the rest of the attempt (-1..1); None when not computable.
    discrimination: float | None = None
    #: % right among attempts that passed minus % right among those that failed; None without both groups.
    pass_fail_gap: float | None = None

    @property
    def percent_right(self) -> float | None:
        return 100 * self.right / self.answered if self.answered else None

    @property
    def judged(self) -> bool:
        return self.answered >= MIN_ANSWERS

    @property
    def flags(self) -> list[str]:
        """"negative", "not-separating", "too-easy", "too-hard": what an author should look at, worst first."""
        if not self.judged:
            return []
        flags = []
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("negative")
        elif self.discrimination is None or self.discrimination < SEPARATES:
            flags.append("not-separating")
        share = self.right / self.answered
        if share > EASY:
            flags.append("too-easy")
        elif share < HARD:
            flags.append("too-hard")
        return flags


@dataclass
class VersionUse:
    version: ModuleVersion
    #: Attempts of the organisation on this version (final and placement quizzes).
    attempts: int


@dataclass
class ItemAnalysis:
    module: Module
    version: ModuleVersion
    #: The current version and every version the organisation's attempts used, newest first.
    versions: list[VersionUse]
    attempts: int
    items: list[ItemStats]

    @property
    def flagged(self) -> int:
        return sum(bool(item.flags) for item in self.items)


def _correlation(n: int, sx: float, sy: float, sxy: float, syy: float) -> float | None:
    """Pearson's r of a 0/1 variable x (so Σx² = Σx) and y, from their sums."""
    vx = n * sx - sx * sx
    vy = n * syy - sy * sy
    if n < 2 or vx <= 0 or vy <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(vx * vy)


def item_statistics(organisation_id: int, version: ModuleVersion) -> tuple[int, dict[str, ItemStats]]:
    """The number of the organisation's attempts on the version and each asked question's figures, by id."""
    mine = and_(QuizAttempt.organisation_id == organisation_id, QuizAttempt.module_version_id == version.id)
    right_value = case((QuizAttemptItem.correct, 1), else_=0)
    totals = (
        select(QuizAttemptItem.attempt_id, func.count().label("asked"), func.sum(right_value).label("right"),
               QuizAttempt.passed)
        .join(QuizAttempt, QuizAttempt.id == QuizAttemptItem.attempt_id).where(mine)
        .group_by(QuizAttemptItem.attempt_id, QuizAttempt.passed).subquery()
    )
    x = cast(right_value, Float)
    rest = (cast(totals.c.right, Float) - x) / func.nullif(totals.c.asked - 1, 0)
    passed_x = case((totals.c.passed, x), else_=0.0)
    rows = db.session.execute(
        select(QuizAttemptItem.question_id, func.count(), func.sum(x), func.count(rest), func.sum(rest),
               func.sum(x * rest), func.sum(rest * rest), func.sum(case((totals.c.passed, 1), else_=0)),
               func.sum(passed_x),
               # Σx over the rows where rest is known, for the correlation (rest is unknown for a one-question attempt)
               func.sum(case((rest.is_(None), 0.0), else_=x)))
        .join(totals, totals.c.attempt_id == QuizAttemptItem.attempt_id)
        .group_by(QuizAttemptItem.question_id)
    ).all()
    attempts = db.session.scalar(select(func.count(QuizAttempt.id)).where(mine))
    stats = {}
    for question_id, answered, right, n, sy, sxy, syy, passed, right_passed, sx in rows:
        item = ItemStats({}, answered=answered, right=round(right or 0))
        item.discrimination = _correlation(n, sx or 0.0, sy or 0.0, sxy or 0.0, syy or 0.0)
        failed = answered - (passed or 0)
        if passed and failed:
            item.pass_fail_gap = 100 * ((right_passed or 0) / passed - ((right or 0) - (right_passed or 0)) / failed)
        stats[question_id] = item
    return attempts, stats


def item_analysis(organisation_id: int, module: Module, version_number: int | None = None) -> ItemAnalysis | None:
    """The figures of every question of one version of the module (the current one unless asked); None for a
    version that is neither current nor used by the organisation's attempts."""
    used = dict(db.session.execute(
        select(QuizAttempt.module_version_id, func.count(QuizAttempt.id))
        .join(ModuleVersion, ModuleVersion.id == QuizAttempt.module_version_id)
        .where(QuizAttempt.organisation_id == organisation_id, ModuleVersion.module_id == module.id)
        .group_by(QuizAttempt.module_version_id)).all())
    versions = [VersionUse(v, used.get(v.id, 0)) for v in reversed(module.versions)
                if v.id in used or v.version == module.latest_version]
    wanted = module.latest_version if version_number is None else version_number
    chosen = next((use.version for use in versions if use.version.version == wanted), None)
    if chosen is None:
        return None
    attempts, stats = item_statistics(organisation_id, chosen)
    items = []
    for question in chosen.questions:
        item = stats.get(question["id"]) or ItemStats({})
        item.question = question
        items.append(item)
    return ItemAnalysis(module, chosen, versions, attempts, items)


@dataclass
class ModuleAttempts:
    module: Module
    #: The organisation's attempts at the module's quizzes, every version together.
    attempts: int


def attempts_by_module(organisation_id: int) -> list[ModuleAttempts]:
    """Every module of the library (retired ones only if the organisation has attempts) with its attempt count."""
    counts = dict(db.session.execute(
        select(ModuleVersion.module_id, func.count(QuizAttempt.id))
        .join(QuizAttempt, QuizAttempt.module_version_id == ModuleVersion.id)
        .where(QuizAttempt.organisation_id == organisation_id)
        .group_by(ModuleVersion.module_id)).all())
    modules = db.session.scalars(select(Module).options(selectinload(Module.versions)).order_by(Module.slug))
    return [ModuleAttempts(m, counts.get(m.id, 0)) for m in modules if m.retired_at is None or m.id in counts]
