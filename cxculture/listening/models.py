"""The customer journey (stages and touchpoints, with the team that owns each touchpoint and the KPIs that measure
it) and what staff hear from customers at a touchpoint (remarks).

Every row belongs to one organisation. A new organisation gets the shipped starter journey (starter_journey.yaml)
on first use (journey.ensure_journey) and edits its own copy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..kpis.models import Kpi
from ..orgs.models import Person, Team
from ..util import utcnow


class Named:
    """Columns `name_en` / `name_it`, read in a language with the other one as the fallback."""

    def name(self, language: str) -> str:
        first, second = (self.name_it, self.name_en) if language == "it" else (self.name_en, self.name_it)
        return first or second or ""


class JourneyStage(Named, db.Model):
    """A step of the customer's journey (discover, buy, use, get help, leave), in the organisation's order."""

    __tablename__ = "journey_stage"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: The starter journey's key ("get_help") for stages that came from it; None for stages added by hand.
    key: Mapped[str | None] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    name_it: Mapped[str] = mapped_column(String(120), default="")
    #: Left to right on the journey map (1, 2, ...).
    position: Mapped[int] = mapped_column(Integer, default=0)

    touchpoints: Mapped[list[Touchpoint]] = relationship(back_populates="stage",
                                                         order_by="(Touchpoint.position, Touchpoint.id)")


class Touchpoint(Named, db.Model):
    """Where the customer meets the organisation in a stage (store, website, invoice, ...), and who owns it."""

    __tablename__ = "journey_touchpoint"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("journey_stage.id"), index=True)
    #: The starter journey's key ("invoice") for touchpoints that came from it; None for those added by hand.
    key: Mapped[str | None] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    name_it: Mapped[str] = mapped_column(String(120), default="")
    #: Top to bottom within its stage.
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The team that answers what customers say here: its managers see the touchpoint's remarks. None until set.
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)

    stage: Mapped[JourneyStage] = relationship(back_populates="touchpoints")
    owner_team: Mapped[Team | None] = relationship()
    kpis: Mapped[list[Kpi]] = relationship(secondary="touchpoint_kpi", order_by="Kpi.id")


class TouchpointKpi(db.Model):
    """A KPI of the organisation's catalogue that measures a touchpoint (the CSAT of the contact centre, say)."""

    __tablename__ = "touchpoint_kpi"

    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("journey_touchpoint.id", ondelete="CASCADE"),
                                               primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True, index=True)


class Remark(db.Model):
    """What a customer told a member of staff, or what they saw go wrong, at a touchpoint; followed up by the
    touchpoint's owner team. Personal data of customers is masked out of the texts before they are stored."""

    __tablename__ = "customer_remark"
    __table_args__ = (UniqueConstraint("organisation_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("journey_touchpoint.id"), index=True)
    #: One of remarks.CHANNELS ("in_person", "phone", ...).
    channel: Mapped[str] = mapped_column(String(12))
    #: What the customer said or what went wrong, masked (remarks.masking).
    customer_words: Mapped[str] = mapped_column(Text)
    #: One of remarks.FEELINGS, from "angry" to "delighted".
    feeling: Mapped[str] = mapped_column(String(12))
    #: The employee's idea to fix it, masked; None when they had none.
    idea: Mapped[str | None] = mapped_column(Text)
    #: "new", "acknowledged" or "closed".
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    #: What the owner team did, written when it closed the remark.
    outcome: Mapped[str | None] = mapped_column(Text)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    logged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The random key of the form that logged it: a second submit of the same form finds it.
    submission_key: Mapped[str | None] = mapped_column(String(64))

    touchpoint: Mapped[Touchpoint] = relationship()
    logged_by: Mapped[Person | None] = relationship(foreign_keys=[logged_by_id])
    closed_by: Mapped[Person | None] = relationship(foreign_keys=[closed_by_id])
