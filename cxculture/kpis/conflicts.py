"""What the KPI area tells training cafés: the rewarded KPIs that work against customer-centric behaviours."""
from __future__ import annotations

from sqlalchemy import select

from ..cafes.sources import RewardConflict
from ..extensions import db
from .alignment import alignment_review
from .models import RewardPlan

#: A café discusses the heaviest conflicts; the review page lists them all.
MOST = 8


def current_plan_period(organisation_id: int) -> str | None:
    """The newest quarter the organisation has reward plans for."""
    return db.session.scalar(select(RewardPlan.period).where(RewardPlan.organisation_id == organisation_id)
                             .order_by(RewardPlan.period.desc()).limit(1))


def reward_conflicts_for(organisation_id: int, language: str) -> list[RewardConflict]:
    """The conflicts of the newest reward plans, heaviest weight first (the café agenda's KPI item)."""
    period = current_plan_period(organisation_id)
    if period is None:
        return []
    review = alignment_review(organisation_id, period, language)
    conflicts = [RewardConflict(plan.title, conflict.kpi, conflict.weight, conflict.behaviour, conflict.rationale)
                 for plan, conflict in review.conflicts]
    conflicts.sort(key=lambda c: (-c.weight, c.plan, c.kpi))
    return conflicts[:MOST]
