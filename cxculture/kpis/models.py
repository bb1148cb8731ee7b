"""KPIs, the customer-centric behaviours they stand for, reward plans, and the values people and teams reach.

Every row belongs to one organisation: the shipped catalogue (`catalogue.yaml`) is copied into each new
organisation, which then edits its own copy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..imports import UploadRecord
from ..orgs.models import JobRole, Person, Team
from ..util import utcnow

#: What a KPI says something about; the first two point people toward customers.
CATEGORIES = ("customer_outcome", "behaviour", "efficiency", "financial")
CUSTOMER_CATEGORIES = ("customer_outcome", "behaviour")
#: Which way is good.
DIRECTIONS = ("higher", "lower")
UNITS = ("percent", "points", "score", "seconds", "minutes", "hours", "days", "count", "euro")
#: Written after a value ("412 s", "71.5 %"); the same in both languages.
UNIT_SYMBOLS = {"percent": "%", "seconds": "s", "minutes": "min", "hours": "h", "euro": "€"}
#: Surveys whose answers can be imported as distributions and turned into the KPI by the standard formula.
SURVEY_KINDS = ("nps", "csat", "ces")
EFFECTS = ("supports", "conflicts")


class Bilingual:
    """Columns `<field>_en` / `<field>_it`, read in a language with English as the fallback."""

    def text(self, field: str, language: str) -> str:
        return (language == "it" and getattr(self, f"{field}_it")) or getattr(self, f"{field}_en")

    def name(self, language: str) -> str:
        return self.text("name", language)


class Kpi(Bilingual, db.Model):
    """A measure an organisation tracks, with the range a value must lie in and which way is better."""

    __tablename__ = "kpi"
    __table_args__ = (
        UniqueConstraint("organisation_id", "key"),
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value < max_value", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Stable identifier used in CSV files ("nps", "aht").
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_it: Mapped[str] = mapped_column(String(120))
    definition_en: Mapped[str] = mapped_column(Text, default="")
    definition_it: Mapped[str] = mapped_column(Text, default="")
    #: One of CATEGORIES.
    category: Mapped[str] = mapped_column(String(20))
    #: One of UNITS.
    unit: Mapped[str] = mapped_column(String(12))
    #: "higher" or "lower": which way is better.
    better: Mapped[str] = mapped_column(String(6))
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    #: "nps", "csat" or "ces" when values can be computed from survey answers.
    survey: Mapped[str | None] = mapped_column(String(4))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    links: Mapped[list[KpiBehaviourLink]] = relationship(back_populates="kpi", cascade="all, delete-orphan")

    @property
    def unit_symbol(self) -> str:
        return UNIT_SYMBOLS.get(self.unit, "")

    def in_range(self, value: float) -> bool:
        return ((self.min_value is None or value >= self.min_value)
                and (self.max_value is None or value <= self.max_value))


class Behaviour(Bilingual, db.Model):
    """Something the organisation wants people to do for customers, on one culture pillar."""

    __tablename__ = "behaviour"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(200))
    name_it: Mapped[str] = mapped_column(String(200))
    pillar: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    links: Mapped[list[KpiBehaviourLink]] = relationship(back_populates="behaviour", cascade="all, delete-orphan")


class KpiBehaviourLink(db.Model):
    """How rewarding a KPI acts on a behaviour: it supports it or works against it, and why."""

    __tablename__ = "kpi_behaviour_link"
    __table_args__ = (UniqueConstraint("kpi_id", "behaviour_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    behaviour_id: Mapped[int] = mapped_column(ForeignKey("behaviour.id", ondelete="CASCADE"), index=True)
    #: "supports" or "conflicts".
    effect: Mapped[str] = mapped_column(String(10))
    rationale_en: Mapped[str] = mapped_column(String(300))
    rationale_it: Mapped[str] = mapped_column(String(300))

    kpi: Mapped[Kpi] = relationship(back_populates="links")
    behaviour: Mapped[Behaviour] = relationship(back_populates="links")

    def rationale(self, language: str) -> str:
        return (language == "it" and self.rationale_it) or self.rationale_en


class RewardPlan(db.Model):
    """What a job role is measured and paid on in one quarter."""

    __tablename__ = "reward_plan"
    __table_args__ = (UniqueConstraint("organisation_id", "job_role_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"))
    #: A quarter, "2026-Q3".
    period: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    job_role: Mapped[JobRole] = relationship()
    components: Mapped[list[RewardComponent]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="RewardComponent.position")

    def title(self, language: str) -> str:
        return f"{self.job_role.name(language)} · {self.period}"


class RewardComponent(db.Model):
    """One KPI of a reward plan: its weight in the bonus, the target, and the threshold below which it pays nothing."""

    __tablename__ = "reward_component"
    __table_args__ = (
        UniqueConstraint("plan_id", "kpi_id"),
        CheckConstraint("weight > 0 AND weight <= 100", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reward_plan.id", ondelete="CASCADE"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Share of the bonus, in %; a plan's weights add up to 100.
    weight: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    #: The level below which the component pays nothing; None when there is none.
    threshold: Mapped[float | None] = mapped_column(Float)

    plan: Mapped[RewardPlan] = relationship(back_populates="components")
    kpi: Mapped[Kpi] = relationship()


class KpiValue(db.Model):
    """The value a person or a team reached on a KPI in a quarter (exactly one of person and team is set)."""

    __tablename__ = "kpi_value"
    __table_args__ = (
        UniqueConstraint("kpi_id", "period", "person_id"),
        UniqueConstraint("kpi_id", "period", "team_id"),
        CheckConstraint("(person_id IS NULL) <> (team_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    value: Mapped[float] = mapped_column(Float)
    #: How many survey answers the value comes from (NPS, CSAT, CES), when known.
    answers: Mapped[int | None] = mapped_column(Integer)
    #: Survey answers per score ({"0": 3, ..., "10": 41}) when the value was computed from them.
    distribution: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    kpi: Mapped[Kpi] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    team: Mapped[Team | None] = relationship()


class KpiImport(UploadRecord, db.Model):
    """An uploaded file of KPI values or survey distributions: previewed first, applied at most once."""

    __tablename__ = "kpi_import"

    #: "values" or "distributions".
    kind: Mapped[str] = mapped_column(String(14))
    written_count: Mapped[int] = mapped_column(Integer, default=0)
