"""The anonymous answer store: who answered a campaign, and what was answered, never linked.

Anonymity is built into the tables: `Participation` (who answered) and `Response` (what was answered) share
no key and carry no time finer than the campaign, their ids are random, and every new response is swapped with
a random earlier one, so neither row order nor ids can pair a person with their answers.

Only the assessment area imports this module (an import-linter contract in pyproject.toml keeps it so): every
other area asks it for figures that have passed suppression (results/summary.py), never for the rows.
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .models import random_id


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
