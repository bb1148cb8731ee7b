"""The organisation's customer journey: stages (left to right) and touchpoints (top to bottom in their stage), each
touchpoint with the team that owns it and the KPIs that measure it.

An organisation gets the shipped starter journey (starter_journey.yaml, English and Italian names) the first time
anyone opens a listening page (`ensure_journey`), then its admins and leaders edit their own copy. A touchpoint
with remarks cannot be removed (the remarks would lose where they happened), nor a stage with touchpoints.
Services refuse with `Refused` and change nothing then; they flush, and the request commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..kpis.models import Kpi
from ..orgs.models import Team
from ..refusals import Refused
from .models import JourneyStage, Remark, Touchpoint

STARTER_FILE = Path(__file__).with_name("starter_journey.yaml")
MAX_NAME_LENGTH = 120
#: Remarks still waiting for the owner team.
OPEN_STATUSES = ("new", "acknowledged")
ALL_STATUSES = (*OPEN_STATUSES, "closed")

JOURNEY_REFUSALS = {
    ("name_en", "missing"): _l("Write a name, in English or in Italian."),
    ("name_en", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_NAME_LENGTH),
    ("name_it", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_NAME_LENGTH),
    ("stage_id", "unknown"): _l("Choose a stage of your organisation's journey."),
    ("owner_team_id", "unknown"): _l("Choose a team of your organisation."),
    ("kpi_ids", "unknown"): _l("Choose KPIs from your organisation's catalogue."),
}


def _refused(problems: dict[str, str]) -> Refused:
    return Refused({name: JOURNEY_REFUSALS[(name, code)] for name, code in problems.items()}, codes=problems)


@cache
def starter_journey(path: Path = STARTER_FILE) -> list[dict]:
    """The shipped starter journey's stages, each with its touchpoints (names in "en" and "it", KPI keys)."""
    stages = yaml.safe_load(path.read_text(encoding="utf-8"))["stages"]
    for stage in stages:
        for entry in [stage, *stage["touchpoints"]]:
            if not entry.get("key") or not entry["name"].get("en") or not entry["name"].get("it"):
                raise ValueError(f"{path.name}: {entry.get('key')!r} needs a key and names in en and it")
    return stages


def ensure_journey(organisation_id: int) -> bool:
    """Give the organisation the starter journey when it has no stage yet; True when it was given now.

    Two first requests at once: the second finds the keys taken (a unique constraint), and keeps the first's."""
    if db.session.scalar(select(JourneyStage.id).where(JourneyStage.organisation_id == organisation_id).limit(1)):
        return False
    kpis = {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id))}
    try:
        with db.session.begin_nested():
            for position, entry in enumerate(starter_journey(), start=1):
                stage = JourneyStage(organisation_id=organisation_id, key=entry["key"], name_en=entry["name"]["en"],
                                     name_it=entry["name"]["it"], position=position)
                db.session.add(stage)
                for place, point in enumerate(entry["touchpoints"], start=1):
                    db.session.add(Touchpoint(
                        organisation_id=organisation_id, stage=stage, key=point["key"], name_en=point["name"]["en"],
                        name_it=point["name"]["it"], position=place,
                        kpis=[kpis[k] for k in point.get("kpis", ()) if k in kpis]))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def stages_of(organisation_id: int) -> list[JourneyStage]:
    """The journey's stages left to right, with their touchpoints, owner teams and KPIs loaded (three queries)."""
    ensure_journey(organisation_id)
    return list(db.session.scalars(
        select(JourneyStage).where(JourneyStage.organisation_id == organisation_id)
        .options(selectinload(JourneyStage.touchpoints).selectinload(Touchpoint.owner_team),
                 selectinload(JourneyStage.touchpoints).selectinload(Touchpoint.kpis))
        .order_by(JourneyStage.position, JourneyStage.id)))


def touchpoints_of(organisation_id: int) -> list[Touchpoint]:
    """Every touchpoint in journey order."""
    return [t for stage in stages_of(organisation_id) for t in stage.touchpoints]


def remark_counts(organisation_id: int, statuses=OPEN_STATUSES) -> dict[int, int]:
    """How many remarks of `statuses` each touchpoint has (one GROUP BY); touchpoints without any are absent."""
    return dict(db.session.execute(
        select(Remark.touchpoint_id, func.count(Remark.id))
        .where(Remark.organisation_id == organisation_id, Remark.status.in_(statuses))
        .group_by(Remark.touchpoint_id)).all())


@dataclass(frozen=True)
class TouchpointPlan:
    """What an editor typed for a touchpoint."""

    name_en: str
    name_it: str
    stage_id: int | None
    owner_team_id: int | None = None
    kpi_ids: tuple[int, ...] = ()


def _check_names(name_en: str, name_it: str, problems: dict) -> tuple[str, str]:
    name_en, name_it = (name_en or "").strip(), (name_it or "").strip()
    if not name_en and not name_it:
        problems["name_en"] = "missing"
    for field, value in (("name_en", name_en), ("name_it", name_it)):
        if len(value) > MAX_NAME_LENGTH:
            problems[field] = "too-long"
    return name_en, name_it


def _in_organisation(model, organisation_id: int, row_id: int | None):
    row = db.session.get(model, row_id) if row_id is not None else None
    return row if row is not None and row.organisation_id == organisation_id else None


# Stages -----------------------------------------------------------------------------------------------------------

def add_stage(organisation_id: int, name_en: str, name_it: str) -> JourneyStage:
    """A new stage at the right end of the journey."""
    problems: dict[str, str] = {}
    name_en, name_it = _check_names(name_en, name_it, problems)
    if problems:
        raise _refused(problems)
    last = db.session.scalar(select(func.max(JourneyStage.position))
                             .where(JourneyStage.organisation_id == organisation_id)) or 0
    stage = JourneyStage(organisation_id=organisation_id, name_en=name_en, name_it=name_it, position=last + 1)
    db.session.add(stage)
    db.session.flush()
    return stage


def rename_stage(stage: JourneyStage, name_en: str, name_it: str) -> None:
    problems: dict[str, str] = {}
    name_en, name_it = _check_names(name_en, name_it, problems)
    if problems:
        raise _refused(problems)
    stage.name_en, stage.name_it = name_en, name_it
    db.session.flush()


def _swap(rows: list, row, direction: str) -> None:
    """Move `row` one place up/left ("up") or down/right ("down") among `rows`; at an end nothing moves. Positions
    are renumbered 1, 2, ... so that gaps and ties left by removals do not matter."""
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows, start=1):
        each.position = position
    db.session.flush()


def move_stage(stage: JourneyStage, direction: str) -> None:
    stages = list(db.session.scalars(select(JourneyStage).where(
        JourneyStage.organisation_id == stage.organisation_id).order_by(JourneyStage.position, JourneyStage.id)))
    _swap(stages, stage, direction)


def stage_removal_problem(stage: JourneyStage) -> str | None:
    """Why the stage cannot be removed, or None."""
    if stage.touchpoints:
        return ngettext("This stage still has %(num)s touchpoint. Move it to another stage or remove it first.",
                        "This stage still has %(num)s touchpoints. Move them to another stage or remove them first.",
                        len(stage.touchpoints))
    return None


def _remove(row, problem: str | None) -> None:
    """Delete the stage or touchpoint unless there is a `problem` (its removal problem), refused then."""
    if problem:
        raise Refused(problem, "in-use")
    db.session.delete(row)
    db.session.flush()


def remove_stage(stage: JourneyStage) -> None:
    _remove(stage, stage_removal_problem(stage))


# Touchpoints ------------------------------------------------------------------------------------------------------

def _apply(organisation_id: int, touchpoint: Touchpoint, plan: TouchpointPlan) -> None:
    problems: dict[str, str] = {}
    name_en, name_it = _check_names(plan.name_en, plan.name_it, problems)
    stage = _in_organisation(JourneyStage, organisation_id, plan.stage_id)
    if stage is None:
        problems["stage_id"] = "unknown"
    team = _in_organisation(Team, organisation_id, plan.owner_team_id)
    if plan.owner_team_id is not None and team is None:
        problems["owner_team_id"] = "unknown"
    kpis = list(db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id,
                                                     Kpi.id.in_(set(plan.kpi_ids))))) if plan.kpi_ids else []
    if len(kpis) != len(set(plan.kpi_ids)):
        problems["kpi_ids"] = "unknown"
    if problems:
        raise _refused(problems)
    if touchpoint.stage_id != stage.id:
        touchpoint.position = 1 + max((t.position for t in stage.touchpoints), default=0)
    touchpoint.name_en, touchpoint.name_it, touchpoint.stage = name_en, name_it, stage
    touchpoint.owner_team_id, touchpoint.kpis = plan.owner_team_id, kpis


def add_touchpoint(organisation_id: int, plan: TouchpointPlan) -> Touchpoint:
    """A new touchpoint at the bottom of its stage."""
    touchpoint = Touchpoint(organisation_id=organisation_id)
    _apply(organisation_id, touchpoint, plan)
    db.session.add(touchpoint)
    db.session.flush()
    return touchpoint


def update_touchpoint(touchpoint: Touchpoint, plan: TouchpointPlan) -> None:
    """Rename the touchpoint, move it to another stage (at its bottom), change its owner team and KPIs."""
    _apply(touchpoint.organisation_id, touchpoint, plan)
    db.session.flush()


def move_touchpoint(touchpoint: Touchpoint, direction: str) -> None:
    _swap(list(touchpoint.stage.touchpoints), touchpoint, direction)


def touchpoint_remark_count(touchpoint: Touchpoint) -> int:
    return db.session.scalar(select(func.count(Remark.id)).where(Remark.touchpoint_id == touchpoint.id))


def touchpoint_removal_problem(touchpoint: Touchpoint) -> str | None:
    """Why the touchpoint cannot be removed (it has remarks, which would lose where they happened), or None."""
    count = touchpoint_remark_count(touchpoint)
    if count:
        return ngettext("%(num)s remark was logged at this touchpoint: removing it would lose where it happened. "
                        "Rename the touchpoint, or move it to another stage, instead.",
                        "%(num)s remarks were logged at this touchpoint: removing it would lose where they happened. "
                        "Rename the touchpoint, or move it to another stage, instead.", count)
    return None


def remove_touchpoint(touchpoint: Touchpoint) -> None:
    _remove(touchpoint, touchpoint_removal_problem(touchpoint))
