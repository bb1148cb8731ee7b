"""The module library (shared by the installation) and each organisation's paths and progress."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import JobRole, Person
from ..util import utcnow


class Module(db.Model):
    """A module of the library; its content lives in versions."""

    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: Number of the newest version; new starts use it.
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Set when the module's folder left the library: no new starts, started ones can finish.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    versions: Mapped[list[ModuleVersion]] = relationship(back_populates="module", order_by="ModuleVersion.version")

    @property
    def current(self) -> ModuleVersion:
        return next(v for v in self.versions if v.version == self.latest_version)


class ModuleVersion(db.Model):
    """One published state of a module's content, never changed once stored."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: sha256 of the module's files, to tell a changed module from an unchanged one.
    content_hash: Mapped[str] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
    #: % of quiz questions to answer right.
    pass_mark: Mapped[int] = mapped_column(Integer)
    #: The module as loaded: titles, summary, pillars, job roles, prerequisites, lessons, quiz (both languages).
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="versions")

    def text(self, field: str, language: str) -> str:
        return self.content[field].get(language) or self.content[field]["en"]

    @property
    def pillars(self) -> list[str]:
        return self.content["pillars"]

    @property
    def lessons(self) -> list[dict]:
        return self.content["lessons"]

    @property
    def questions(self) -> list[dict]:
        return self.content["quiz"]

    @property
    def worksheets(self) -> list[dict]:
        """Printable practice sheets, each offered by one lesson (absent in modules without any)."""
        return self.content.get("worksheets", [])

    def worksheet(self, sheet_id: str) -> dict | None:
        return next((sheet for sheet in self.worksheets if sheet["id"] == sheet_id), None)


class TrainingPath(db.Model):
    """The modules a job role follows in one organisation."""

    __tablename__ = "training_path"
    __table_args__ = (UniqueConstraint("organisation_id", "job_role_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"))

    job_role: Mapped[JobRole] = relationship()
    items: Mapped[list[PathItem]] = relationship(
        back_populates="path", order_by="PathItem.position", cascade="all, delete-orphan"
    )


class PathItem(db.Model):
    __tablename__ = "path_item"
    __table_args__ = (UniqueConstraint("path_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("training_path.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    position: Mapped[int] = mapped_column(Integer)
    #: Required modules count toward the path's certificate; electives are offered.
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    due_date: Mapped[date | None] = mapped_column(Date)

    path: Mapped[TrainingPath] = relationship(back_populates="items")
    module: Mapped[Module] = relationship()


class Assignment(db.Model):
    """A module a manager added to a person's plan."""

    __tablename__ = "module_assignment"
    __table_args__ = (UniqueConstraint("person_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    assigned_by: Mapped[Person | None] = relationship(foreign_keys=[assigned_by_id])
    module: Mapped[Module] = relationship()


class Progress(db.Model):
    """A person's progress in one module, pinned to the version they started."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("person_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    #: Ids of the lessons read, in the order read.
    lessons_done: Mapped[list] = mapped_column(JSON, default=list)
    #: The lesson to resume at.
    current_lesson: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: "quiz" or "placement": how the module was completed.
    completed_via: Mapped[str | None] = mapped_column(String(20))
    #: Best quiz score in %, or None before any attempt.
    best_score: Mapped[int | None] = mapped_column(Integer)

    person: Mapped[Person] = relationship()
    module: Mapped[Module] = relationship()
    module_version: Mapped[ModuleVersion] = relationship()

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class QuizAttempt(db.Model):
    """One submitted quiz or placement quiz."""

    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    #: "quiz" or "placement".
    kind: Mapped[str] = mapped_column(String(20))
    #: Random id put in the form when shown: a second submit of the same form is recognised, not stored twice.
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: {question id: [choice ids]}.
    answers: Mapped[dict] = mapped_column(JSON)
    #: The questions asked, in the order shown, each with its choice ids in the order shown:
    #: [{"id": question id, "choices": [choice ids]}]. Grading and the result page use exactly these.
    questions: Mapped[list] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    module_version: Mapped[ModuleVersion] = relationship()
    items: Mapped[list[QuizAttemptItem]] = relationship(back_populates="attempt", cascade="all, delete-orphan",
                                                        passive_deletes=True)


class QuizAttemptItem(db.Model):
    """Whether one question of a submitted attempt was answered right: the rows item analysis counts in SQL."""

    __tablename__ = "quiz_attempt_item"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: 1-based place of the question in the attempt as shown.
    position: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")


class QuizDraw(db.Model):
    """The questions drawn for a quiz a person has open but not yet submitted: a reload shows the same ones."""

    __tablename__ = "quiz_draw"
    __table_args__ = (UniqueConstraint("person_id", "module_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    #: "quiz" or "placement".
    kind: Mapped[str] = mapped_column(String(20))
    #: Put in the form; the attempt made from this draw keeps it, so a second submit is recognised.
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: As QuizAttempt.questions: [{"id": question id, "choices": [choice ids in the order shown]}].
    questions: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    module_version: Mapped[ModuleVersion] = relationship()


#: Failed final-quiz attempts after which a learner sees the full answer key, unless an organisation says otherwise.
DEFAULT_KEY_AFTER_FAILURES = 3


class TrainingSettings(db.Model):
    """An organisation's training settings; an organisation without a row uses the defaults."""

    __tablename__ = "training_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    #: Failed final-quiz attempts in a module after which the learner is shown the full answer key; 0 = never.
    key_after_failures: Mapped[int] = mapped_column(Integer, default=DEFAULT_KEY_AFTER_FAILURES)


def _certificate_code() -> str:
    return secrets.token_hex(6).upper()


class Certificate(db.Model):
    """Proof that a person completed their path; verifiable by its code without logging in."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("person_id", "job_role_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Printed on the PDF and used in the public verification address.
    code: Mapped[str] = mapped_column(String(16), unique=True, default=_certificate_code)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    job_role_id: Mapped[int] = mapped_column(ForeignKey("job_role.id"))
    #: What the certificate says, frozen when issued (names can change later).
    person_name: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(String(200))
    role_name_en: Mapped[str] = mapped_column(String(120))
    role_name_it: Mapped[str] = mapped_column(String(120))
    #: [{"slug", "title": {"en", "it"}}] of the modules completed for it.
    modules: Mapped[list] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship()
