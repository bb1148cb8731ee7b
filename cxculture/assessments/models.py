"""Instruments, campaigns, drafts and action items.

The anonymous record of who answered and what was answered lives apart, in answers.py, which only the
assessment area may import. The anonymity threshold in force for a campaign is decided in anonymity.py.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Person, Team
from ..util import utcnow

#: Campaign.kind: the whole self-assessment, or a round of a pulse series.
FULL, PULSE = "full", "pulse"


def random_id() -> str:
    return uuid.uuid4().hex


class Instrument(db.Model):
    """A version of the questionnaire: the shipped one (no organisation) or an organisation's edited copy."""

    __tablename__ = "instrument"
    __table_args__ = (UniqueConstraint("organisation_id", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for the shipped instrument, shared by every organisation.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    #: Title, intro, scale, pillars with their items, open questions; both languages.
    content: Mapped[dict] = mapped_column(JSON)
    #: The instrument this one was copied from.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def text(self, field: str, language: str) -> str:
        return self.content[field].get(language) or self.content[field]["en"]

    @property
    def pillars(self) -> list[dict]:
        return self.content["pillars"]

    @property
    def items(self) -> list[dict]:
        return [dict(item, pillar=p["key"]) for p in self.content["pillars"] for item in p["items"]]

    @property
    def open_questions(self) -> list[dict]:
        return self.content["open_questions"]

    @property
    def offers_dont_know(self) -> bool:
        """Whether every statement can be answered "don't know / not applicable" (version 2 onwards)."""
        return bool(self.content.get("dont_know"))


campaign_team = db.Table(
    "campaign_team",
    db.Column("campaign_id", db.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    db.Column("team_id", db.ForeignKey("team.id"), primary_key=True),
)


class Campaign(db.Model):
    """One round of the self-assessment in an organisation."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("threshold_override IS NULL OR threshold_override >= 3", name="threshold_min"),
        CheckConstraint("threshold IS NULL OR threshold >= 3", name="frozen_threshold_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: The instrument version the campaign uses; pinned when the campaign is created.
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    #: "draft", "open" or "closed".
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: "full" (the whole self-assessment) or "pulse" (a round of a PulseSeries: a few statements and the eNPS).
    kind: Mapped[str] = mapped_column(String(10), default=FULL, server_default=FULL)
    #: The pulse series this round belongs to (pulses only).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("pulse_series.id"), index=True)
    #: The statements a pulse asks (keys in the instrument), copied from its series when the round is made.
    item_keys: Mapped[list | None] = mapped_column(JSON)
    #: Stricter anonymity threshold for this campaign (never below 3); None uses the organisation's.
    #: anonymity.campaign_threshold gives the one in force.
    threshold_override: Mapped[int | None] = mapped_column(Integer)
    #: The threshold in force, frozen when the campaign opened: it may be raised afterwards, never lowered.
    threshold: Mapped[int | None] = mapped_column(Integer)
    #: The population frozen when the campaign opened (snapshot.py): teams with their parents and names, the
    #: invited teams, job roles, invited people per team and group; at closing, who answered per team.
    population: Mapped[dict | None] = mapped_column(JSON)
    #: People invited when the campaign opened (the turnout denominator).
    invited_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When anyone first saw a figure of its results once closed (results page, CSV, PDF, the summaries other
    #: areas show); until then its owner may reopen it, and who answered is kept to stop double answers.
    results_read_at: Mapped[datetime | None] = mapped_column(DateTime)

    instrument: Mapped[Instrument] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=campaign_team, order_by=Team.name)
    created_by: Mapped[Person | None] = relationship()


class PulseSeries(db.Model):
    """Recurring short rounds (pulses.py): a few of the instrument's statements and the eNPS question, asked on a
    schedule; the job queue turns it into successive pulse campaigns, each frozen, answered and closed like any."""

    __tablename__ = "pulse_series"
    __table_args__ = (CheckConstraint("round_days >= 1", name="round_days_min"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    title: Mapped[str] = mapped_column(String(200))
    #: The statements every round asks (keys in the instrument).
    item_keys: Mapped[list] = mapped_column(JSON)
    #: "weekly", "fortnightly", "monthly" or "quarterly" (pulses.CADENCES).
    cadence: Mapped[str] = mapped_column(String(12))
    #: The first round opens on this day; the next ones one cadence apart.
    starts_on: Mapped[date] = mapped_column(Date)
    #: How many days each round stays open.
    round_days: Mapped[int] = mapped_column(Integer)
    #: "active", "paused" (no new rounds until resumed) or "stopped" (for good).
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    instrument: Mapped[Instrument] = relationship()
    rounds: Mapped[list[Campaign]] = relationship(order_by="Campaign.opens_on", viewonly=True)


class FrozenResult(db.Model):
    """A closed campaign's figures, computed once when it closed (closing.py) and read by every results page.

    One row per focus: "analysis" (every tally by team, job role and leadership, and what suppression hides),
    then "organisation", "team:<id>" and "job_role:<id>" (statement tallies and reliability) for each group
    that may be shown.
    """

    __tablename__ = "campaign_frozen_result"
    __table_args__ = (UniqueConstraint("campaign_id", "focus"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    focus: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)


class Draft(db.Model):
    """A person's unfinished answers: theirs until they submit, deleted when they do."""

    __tablename__ = "assessment_draft"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: {"items": {item key: 1-5}, "open": {question key: text}, "page": pillar key}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ActionItem(db.Model):
    """Something leadership agreed to do about a pillar (training cafés follow these up too), started from where
    the problem was seen: a campaign's pillar, one of its statements, or a team's cell of the heatmap."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    pillar: Mapped[str] = mapped_column(String(20))
    #: The statement of the campaign's questionnaire it answers (its key in the instrument), if any.
    item_key: Mapped[str | None] = mapped_column(String(60))
    #: The team whose results it answers (a heatmap cell), if any.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    #: The journey touchpoint whose customer remarks it answers (listening), if any.
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("journey_touchpoint.id", ondelete="SET NULL"))
    #: The comment theme it answers (a key of listening's theme lexicon), if any.
    theme_key: Mapped[str | None] = mapped_column(String(40))
    #: The outcome ("nps", "csat", "ces") whose driver analysis pointed at its pillar, if any.
    driver_outcome: Mapped[str | None] = mapped_column(String(8))
    #: Shown to everyone of the organisation on "You said, we did" (title, what it answers, progress notes).
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    #: "open", "in_progress", "done" or "dropped".
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="desc(ActionUpdate.id)")


class ActionUpdate(db.Model):
    """A step in following an action up: a progress note, a change of status, or both, by whom and when."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: What was done or found, in the author's words (None for a bare change of status).
    note: Mapped[str | None] = mapped_column(Text)
    #: The status the action moved to with this update (None when it stayed as it was).
    status: Mapped[str | None] = mapped_column(String(12))

    action: Mapped[ActionItem] = relationship(back_populates="updates")
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
