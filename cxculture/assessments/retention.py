"""The retention of anonymous survey comments: deleted some months after their campaign closed.

A closed campaign's figures are kept for good in its FrozenResult rows (closing.py) and never read the comments,
so deleting them moves no figure; only the results page's comments section changes (it says the comments were
deleted under the organisation's retention). Flushes only: the retention job commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from ..extensions import db
from ..orgs.retention import months_before, retention_of
from ..util import utcnow
from .answers import Comment
from .models import Campaign


def _closed_before(organisation_id: int, closed_before: datetime):
    return select(Campaign.id).where(Campaign.organisation_id == organisation_id, Campaign.status == "closed",
                                     Campaign.closed_at < closed_before)


def expire_comments(organisation_id: int, closed_before: datetime, *, apply: bool) -> int:
    """The comments of the organisation's campaigns closed before `closed_before`: counted, and deleted when
    `apply`. One query."""
    due = Comment.campaign_id.in_(_closed_before(organisation_id, closed_before))
    if not apply:
        return db.session.scalar(select(func.count(Comment.id)).where(due))
    return db.session.execute(delete(Comment).where(due).execution_options(synchronize_session=False)).rowcount


def comments_expired(campaign: Campaign, now: datetime | None = None) -> bool:
    """Whether the organisation's retention has deleted (or is due to delete) this closed campaign's comments."""
    if campaign.status != "closed" or campaign.closed_at is None:
        return False
    months = retention_of(campaign.organisation_id).survey_comment_months
    return campaign.closed_at < months_before(now or utcnow(), months)


def comments_kept(campaign: Campaign) -> int:
    """How many comments the campaign still has (one query): the results page cache's key changes when the
    retention deletes them."""
    return db.session.scalar(select(func.count(Comment.id)).where(Comment.campaign_id == campaign.id))
