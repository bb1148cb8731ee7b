"""Instruments, campaigns, and the anonymous record of who answered and what was answered.

Anonymity is built into the tables: `Participation` (who answered) and `Response` (what was answered) share
no key and carry no time finer than the campaign, their ids are random, and every new response is swapped with
a random earlier one, so neither row order nor ids can pair a person with their answers.
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Person, Team
from ..util import utcnow


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
    #: Stricter anonymity threshold for this campaign (never below 3); None uses the organisation's.
    threshold_override: Mapped[int | None] = mapped_column(Integer)
    #: People invited when the campaign opened (the turnout denominator).
    invited_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    instrument: Mapped[Instrument] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=campaign_team, order_by=Team.name)
    created_by: Mapped[Person | None] = relationship()

    def threshold(self, organisation_threshold: int) -> int:
        return max(self.threshold_override or 0, organisation_threshold, 3)


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


class Participation(db.Model):
    """That a person answered a campaign: nothing about what, nor when."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class Response(db.Model):
    """What one anonymous respondent answered, with only the groups needed for reporting."""

    __tablename__ = "response"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"), index=True)
    #: The respondent held the leader permission or the executive job role (the perception-gap split).
    leadership: Mapped[bool] = mapped_column(Boolean, default=False)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    """One statement's answer in a response."""

    __tablename__ = "response_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_key"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    pillar: Mapped[str] = mapped_column(String(20), index=True)
    #: What was answered, 1-5.
    value: Mapped[int] = mapped_column(Integer)
    #: The value recoded so that higher is always more customer-centric (6 - value for reverse items).
    score: Mapped[int] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="answers")


class Comment(db.Model):
    """An answer to an open question: kept apart from the scored answers, undated."""

    __tablename__ = "response_comment"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"))
    leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)


class ActionItem(db.Model):
    """Something leadership agreed to do about a pillar (training cafés follow these up too)."""

    __tablename__ = "action_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    pillar: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    #: "open", "in_progress", "done" or "dropped".
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
