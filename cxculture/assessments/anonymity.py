"""The anonymity threshold in force for a campaign: the one place it is decided.

A group's figures are shown only when it has at least this many respondents (suppression.py decides which
groups, given the number). Until the campaign opens it is the larger of the campaign's own stricter threshold,
the organisation's, and MIN_ANONYMITY_THRESHOLD; opening freezes it in `Campaign.threshold` (snapshot.py), which
can then only be raised (campaigns.raise_threshold): lowering the organisation's later changes no campaign that
has opened. Every caller asks `campaign_threshold` (one campaign) or `campaign_thresholds` (many
campaigns in one query); no other code combines the settings.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select

from ..extensions import db
from ..orgs.models import MIN_ANONYMITY_THRESHOLD, Organisation
from .models import Campaign


def _in_force(campaign_override: int | None, organisation_threshold: int | None) -> int:
    return max(campaign_override or 0, organisation_threshold or 0, MIN_ANONYMITY_THRESHOLD)


def campaign_threshold(campaign: Campaign) -> int:
    """The anonymity threshold in force for the campaign."""
    if campaign.threshold is not None:
        return campaign.threshold
    organisation_threshold = db.session.scalar(
        select(Organisation.anonymity_threshold).where(Organisation.id == campaign.organisation_id)
    )
    return _in_force(campaign.threshold_override, organisation_threshold)


def campaign_thresholds(campaign_ids: Iterable[int] | Select) -> dict[int, int]:
    """{campaign id: the threshold in force} for many campaigns in one query; `campaign_ids` may be a SELECT of
    campaign ids, kept in SQL."""
    ids = campaign_ids if isinstance(campaign_ids, Select) else list(campaign_ids)
    rows = db.session.execute(
        select(Campaign.id, Campaign.threshold, Campaign.threshold_override, Organisation.anonymity_threshold)
        .join(Organisation, Organisation.id == Campaign.organisation_id)
        .where(Campaign.id.in_(ids))
    )
    return {campaign_id: frozen if frozen is not None else _in_force(override, organisation_threshold)
            for campaign_id, frozen, override, organisation_threshold in rows}
