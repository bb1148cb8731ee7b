"""The anonymous answer store: who answered a campaign, and what was answered, never linked.

Anonymity is built into the tables: `Participation` (who answered) and `Response` (what was answered) share
no key and carry no time at all, their ids are random, and on SQLite the tables have no rowid (rows are kept in
the order of their random ids, not of their arrival). A response records only its *group*: the respondent's
team, job role and leadership flag as frozen when the campaign opened, generalised (the job role dropped, the
team replaced by its parent, ...) until the group held at least `threshold` invited people. Each submit also
rewrites a few random earlier responses of the same group, so that PostgreSQL's system columns (xmin, ctid) do
not point at one row. When the campaign closes (closing.py), participation becomes per-team counts, invitees are
forgotten, groups are generalised again until each holds `threshold` responses, and every response, answer and
comment is written anew in a random order.

Only the assessment area imports this module (an import-linter contract in pyproject.toml keeps it so): every
other area asks it for figures that have passed suppression (results/summary.py), never for the rows.
"""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .models import random_id

#: SQLite keeps these tables ordered by their random primary key instead of a rowid that counts arrivals.
NO_ROWID = {"sqlite_with_rowid": False}


class Participation(db.Model):
    """That a person answered an open campaign: nothing about what, nor when; deleted when it closes."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"), NO_ROWID)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)


class Response(db.Model):
    """What one anonymous respondent answered, with only the groups needed for reporting."""

    __tablename__ = "response"
    __table_args__ = (CheckConstraint("enps BETWEEN 0 AND 10", name="enps_range"), NO_ROWID)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"), index=True)
    #: The respondent held the leader permission or the executive job role (the perception-gap split);
    #: None when the group was generalised past it.
    leadership: Mapped[bool | None] = mapped_column(Boolean)
    #: A pulse's employee Net Promoter answer, 0-10; None in the full self-assessment.
    enps: Mapped[int | None] = mapped_column(Integer)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    """One statement's answer in a response; "don't know / not applicable" is stored with no value and no score
    (the person answered, so it counts in turnout, but in no score, mean or distribution)."""

    __tablename__ = "response_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_key"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        NO_ROWID,
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    pillar: Mapped[str] = mapped_column(String(20), index=True)
    #: What was answered, 1-5; None for "don't know / not applicable".
    value: Mapped[int | None] = mapped_column(Integer)
    #: The value recoded so that higher is always more customer-centric (6 - value for reverse items); None for
    #: "don't know / not applicable" (SQL's COUNT, SUM and AVG of the column leave it out).
    score: Mapped[int | None] = mapped_column(Integer)

    response: Mapped[Response] = relationship(back_populates="answers")


class Comment(db.Model):
    """An answer to an open question: kept apart from the scored answers, undated."""

    __tablename__ = "response_comment"
    __table_args__ = (NO_ROWID,)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"))
    leadership: Mapped[bool | None] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)


class Invitee(db.Model):
    """A person invited to an open campaign, with the group their answers will be stored under.

    Written when the campaign opens (the frozen population) and deleted when it closes. `team_id` is the
    person's team at opening (for turnout); the group_* columns are that team, job role and leadership flag
    generalised until the group held `threshold` invited people.
    """

    __tablename__ = "campaign_invitee"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: The person's team when the campaign opened.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    group_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    group_job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"))
    group_leadership: Mapped[bool | None] = mapped_column(Boolean)
