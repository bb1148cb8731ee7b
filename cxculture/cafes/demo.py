"""Demo cafés for Demo Retail: one held three weeks ago with notes, decisions and actions (some overdue), and
one planned in two weeks whose agenda opens with their follow-up. Running it twice changes nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..assessments.models import ActionItem
from ..extensions import db
from ..orgs.service import organisation_by_slug, person_by_email
from .agenda import draft_agenda
from .models import Cafe, CafeAction, CafeDecision
from .service import (
    CafePlan,
    answer_invitation,
    create_cafe,
    invite_by_email,
    leader_choices,
    record_attendance,
)

DEMO_SLUG = "demo-retail"

#: (pillar, title, owner account, days from today to the due date, status)
_HELD_ACTIONS = (
    (
        "rewards",
        "Togliere il tempo medio di gestione dagli obiettivi individuali del contact center",
        "hr",
        -6,
        "in_progress",
    ),
    (
        "listening",
        "Ogni negozio raccoglie ogni settimana le tre richieste più frequenti dei clienti e le inoltra al marketing",
        "manager",
        -2,
        "open",
    ),
    ("communication", "Aprire ogni riunione di direzione con una storia vera di un cliente", "leader", -9, "done"),
    (
        "improvement",
        "Provare per un mese il richiamo entro 48 ore ai clienti insoddisfatti a Milano",
        "manager",
        20,
        "open",
    ),
)
_HELD_DECISIONS = (
    ("Da questo trimestre ogni membro della direzione passa una giornata in negozio o al contact center.", True),
    ("Gli obiettivi del contact center verranno rivisti con HR prima del prossimo ciclo di premi.", True),
    ("Il budget per il programma di ascolto dei clienti resta riservato finché HR non presenta il piano.", False),
)
_HELD_NOTES = {
    "follow_up": "Prima volta con un elenco di azioni condiviso: concordato di rivederlo a ogni café.",
    "weakest": "La prima linea non vede il legame tra premi e trattamento dei clienti. "
    "Il tempo medio di gestione è ancora l'indicatore più citato nelle riunioni del contact center.",
}


@dataclass
class DemoCafesReport:
    loaded: list[str] = field(default_factory=list)


def load_demo_cafes(today: date | None = None) -> DemoCafesReport:
    """The two Demo Retail cafés (left as they are when the organisation already has cafés)."""
    today = today or date.today()
    report = DemoCafesReport()
    organisation = organisation_by_slug(DEMO_SLUG)
    leader = person_by_email("leader@retail.example.com")
    if (
        organisation is None
        or leader is None
        or db.session.scalar(select(Cafe.id).where(Cafe.organisation_id == organisation.id).limit(1)) is not None
    ):
        return report
    leaders = [p.id for p in leader_choices(organisation.id)]
    held_day = today - timedelta(days=21)
    held, _ = create_cafe(
        organisation.id,
        CafePlan(
            title="Training café di direzione — premi e ascolto",
            starts_at=datetime.combine(held_day, time(9, 30)),
            duration_minutes=120,
            location="Sede, sala riunioni al terzo piano",
            video_link="",
            facilitator_id=leader.id,
            attendee_ids=leaders,
            focus_pillars=["listening"],
            language="it",
        ),
        created_by=leader,
    )
    draft_agenda(held, leader, today=held_day)
    people = {local: person_by_email(f"{local}@retail.example.com") for local in ("leader", "hr", "manager")}
    items = {}
    for item in held.agenda:
        items.setdefault(item.kind, item)
    for kind, text in _HELD_NOTES.items():
        if kind in items:
            items[kind].notes = text
    target = items.get("weakest") or (held.agenda[0] if held.agenda else None)
    for pillar, title, owner, days, status in _HELD_ACTIONS:
        owner_person = people.get(owner)
        action = ActionItem(
            organisation_id=organisation.id,
            pillar=pillar,
            title=title,
            owner_id=owner_person.id if owner_person else None,
            due_date=today + timedelta(days=days),
            status=status,
            created_by_id=leader.id,
            created_at=datetime.combine(held_day, time(11, 30)),
        )
        db.session.add(action)
        db.session.flush()
        db.session.add(
            CafeAction(cafe_id=held.id, action_item_id=action.id, agenda_item_id=target.id if target else None)
        )
    for text, published in _HELD_DECISIONS:
        held.decisions.append(
            CafeDecision(
                text=text, published=published, created_by_id=leader.id, agenda_item_id=target.id if target else None
            )
        )
    record_attendance(held, set(leaders[:-1]) | {leader.id})  # one leader missed it
    held.held_at = datetime.combine(held_day, time(11, 30))

    planned, _ = create_cafe(
        organisation.id,
        CafePlan(
            title="Training café di direzione — il punto sulle azioni",
            starts_at=datetime.combine(today + timedelta(days=14), time(9, 30)),
            duration_minutes=90,
            location="",
            video_link="https://meet.example.com/cafe-direzione",
            facilitator_id=leader.id,
            attendee_ids=leaders,
            focus_pillars=["rewards", "hiring"],
            language="it",
        ),
        created_by=leader,
    )
    draft_agenda(planned, leader, today=today)
    # Demo Retail's leader invites Demo Bank's by address, and Demo Bank's leader accepts from their own cafés.
    invite_by_email(planned, "leader@bank.example.com", invited_by=leader)
    guest = person_by_email("leader@bank.example.com")
    if guest is not None:
        answer_invitation(planned.id, guest, accept=True)
    db.session.flush()
    report.loaded.append(DEMO_SLUG)
    return report
