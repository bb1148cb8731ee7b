"""Organisations and the people, teams and job roles inside them."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..imports import UploadRecord
from ..util import utcnow

MIN_ANONYMITY_THRESHOLD = 3
DEFAULT_ANONYMITY_THRESHOLD = 5


class Permission(enum.StrEnum):
    """What a person may do in the app; a person holds any set of these."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    LEADER = "leader"
    HR = "hr"
    ADMIN = "admin"

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(p.value for p in cls)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(f"anonymity_threshold >= {MIN_ANONYMITY_THRESHOLD}", name="threshold_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: Language for people who have not chosen one ("en" or "it").
    default_language: Mapped[str] = mapped_column(String(5), default="en")
    #: Smallest group whose culture results may be shown; never below 3.
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANONYMITY_THRESHOLD)
    #: Whether anonymous aggregates may feed the cross-organisation benchmark.
    benchmark_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation")
    job_roles: Mapped[list[JobRole]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Team(db.Model):
    """A unit of the organisation; teams nest (department > team)."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("organisation_id", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")
    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent", order_by="Team.name")

    @property
    def path(self) -> str:
        """The team's place in the tree, as written in a roster: "Sales/Milano Store"."""
        names = []
        node: Team | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "/".join(reversed(names))

    def __repr__(self) -> str:
        return f"<Team {self.path}>"


class JobRole(db.Model):
    """A job (front line, executive, ...): it picks the training path and the KPI set."""

    __tablename__ = "job_role"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Stable identifier used in roster files and by other areas ("frontline").
    key: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(120))
    name_it: Mapped[str] = mapped_column(String(120))

    organisation: Mapped[Organisation] = relationship(back_populates="job_roles")

    def name(self, language: str) -> str:
        return self.name_it if language == "it" else self.name_en


#: Who granted a permission: an administrator by hand (people page, roster, command line) or an LMS launch.
GRANTED_BY_HAND = "admin"
GRANTED_BY_LMS = "lms"


class PersonPermission(db.Model):
    __tablename__ = "person_permission"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: GRANTED_BY_HAND or GRANTED_BY_LMS: an LMS launch only ever adds or removes the permissions it granted.
    granted_by: Mapped[str] = mapped_column(String(10), default=GRANTED_BY_HAND, server_default=GRANTED_BY_HAND)


class Person(UserMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Login name; stored lower-case, unique across the installation.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash; empty until the person accepts their invitation.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: "en" or "it"; None follows the organisation's default.
    language: Mapped[str | None] = mapped_column(String(5))
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: When the person was last deactivated (None while active): the retention of people who left counts from it.
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When the person was erased at their request (cxculture/privacy): the row is then a tombstone that keeps
    #: aggregates whole, with no name, e-mail or password of theirs; it can never log in again.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    job_role: Mapped[JobRole | None] = relationship()
    team: Mapped[Team | None] = relationship()
    manager: Mapped[Person | None] = relationship(remote_side=[id])
    permission_rows: Mapped[list[PersonPermission]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PersonPermission.name
    )

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset(row.name for row in self.permission_rows)

    @permissions.setter
    def permissions(self, names) -> None:
        """Set by hand: permissions kept keep who granted them, new ones are the administrator's."""
        wanted = set(names)
        self.permission_rows = [row for row in self.permission_rows if row.name in wanted] + [
            PersonPermission(name=name, granted_by=GRANTED_BY_HAND) for name in sorted(wanted - self.permissions)
        ]

    def sync_granted_permissions(self, granted_by: str, names) -> None:
        """Make the permissions `granted_by` gave exactly `names`; those anyone else gave stay as they are."""
        wanted = set(names)
        held = self.permissions
        self.permission_rows = [
            row for row in self.permission_rows if row.granted_by != granted_by or row.name in wanted
        ] + [PersonPermission(name=name, granted_by=granted_by) for name in sorted(wanted - held)]

    def can(self, permission: str | Permission) -> bool:
        return str(getattr(permission, "value", permission)) in self.permissions

    @property
    def invited(self) -> bool:
        """Created but has not yet set a password."""
        return self.password_hash is None

    #: The server-side login session this object was loaded or logged in for (set by auth.sessions); not a column.
    login_session_id = None

    # Flask-Login's UserMixin compares users by get_id(), which is now a login session (None for a person loaded
    # any other way): two people would compare equal. A row is one object per database session, so identity.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_id(self) -> str | None:
        """Flask-Login's user id is the login session's id, so ending that session (a row) logs the browser out."""
        return self.login_session_id

    @property
    def is_active(self) -> bool:
        return self.active and self.erased_at is None

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class RosterImport(UploadRecord, db.Model):
    """An uploaded roster file: previewed first, applied at most once."""

    __tablename__ = "roster_import"

    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)


class RetentionSettings(db.Model):
    """How long the organisation keeps each kind of personal data (orgs/retention.py has the defaults and bounds).

    An organisation without a row keeps everything for the default periods; the nightly retention job deletes
    what is older.
    """

    __tablename__ = "retention_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    #: Months after a campaign closes that its anonymous comments are kept (its figures are kept for good).
    survey_comment_months: Mapped[int] = mapped_column(Integer)
    #: Years after its quarter ends that a KPI value is kept, and after it was made that a kept scorecard file is.
    kpi_value_years: Mapped[int] = mapped_column(Integer)
    #: Months after deactivation that a person is erased.
    deactivated_person_months: Mapped[int] = mapped_column(Integer)
    #: Days after delivery that an xAPI statement or grade passback is kept in the outbox.
    delivered_outbox_days: Mapped[int] = mapped_column(Integer)
    #: Months that an audit record is kept.
    audit_record_months: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
