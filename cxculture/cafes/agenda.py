"""Drafting a café's agenda from the organisation's own data, and refreshing it.

Everything a drafted item shows is frozen into its `snapshot` as primitive JSON, taken from the assessment
area's already-suppressed results (`campaign_results`): a hidden figure never reaches a snapshot. The order:
follow-up of the actions (those agreed at the previous café first), the latest closed campaign's two weakest
pillars, the café's other focus pillars, the widest leadership-vs-everyone-else gaps, leadership's own
training, KPIs that work against the culture, the sections areas above cafés add (`register_agenda_section`:
listening adds what customers tell staff and what drives the outcomes), the benchmark.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..assessments.actions import ACTIVE_STATUSES, open_actions
from ..assessments.models import ActionItem
from ..assessments.results.summary import campaign_results, latest_closed_campaign
from ..extensions import db
from ..modules.reports import completion, leadership_matrix
from ..orgs.models import Person
from ..pillars import PILLAR_LABELS, PILLARS
from ..util import utcnow
from .benchmark import organisation_benchmark
from .models import AgendaItem, Cafe, CafeAction, CafeDecision
from .prompts import prompts_for
from .sources import reward_conflicts

#: How many of the weakest pillars open the discussion.
WEAKEST = 2


@dataclass
class DraftedItem:
    kind: str
    source: str
    title: str
    prompts: list[str]
    snapshot: dict = field(default_factory=dict)
    pillar: str | None = None


#: Sections an area above cafés adds to every drafted agenda, by name: (cafe, language) -> its items. Listening
#: registers its own (cxculture.listening.rhythm); cafés cannot import it.
_added_sections: dict[str, Callable[[Cafe, str], list[DraftedItem]]] = {}


def register_agenda_section(name: str, draft: Callable[[Cafe, str], list[DraftedItem]]) -> None:
    """An area above cafés drafts a section of every café's agenda (once per name)."""
    _added_sections[name] = draft


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def previous_cafe(cafe: Cafe) -> Cafe | None:
    """The organisation's café that took place last before this one."""
    return db.session.scalar(
        select(Cafe).where(Cafe.organisation_id == cafe.organisation_id, Cafe.id != cafe.id,
                           Cafe.starts_at < cafe.starts_at)
        .order_by(Cafe.starts_at.desc(), Cafe.id.desc()).limit(1))


def _action_row(action: ActionItem, owners: dict[int, str], today: date, from_previous: bool) -> dict:
    return {
        "id": action.id,
        "title": action.title,
        "pillar": action.pillar,
        "owner": owners.get(action.owner_id, ""),
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
        "from_previous": from_previous,
        "overdue": action.status in ACTIVE_STATUSES and action.due_date is not None and action.due_date < today,
    }


def _follow_up(cafe: Cafe, language: str, today: date) -> DraftedItem:
    previous = previous_cafe(cafe)
    agreed: list[ActionItem] = []
    if previous is not None:
        agreed = list(
            db.session.scalars(
                select(ActionItem)
                .join(CafeAction, CafeAction.action_item_id == ActionItem.id)
                .where(CafeAction.cafe_id == previous.id)
                .order_by(ActionItem.due_date, ActionItem.id)
            )
        )
    agreed_ids = {a.id for a in agreed}
    others = [a for a in open_actions(cafe.organisation_id) if a.id not in agreed_ids]
    others.sort(key=lambda a: (not (a.due_date is not None and a.due_date < today), a.due_date or date.max, a.id))
    owner_ids = {a.owner_id for a in [*agreed, *others] if a.owner_id}
    owners = (
        dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(owner_ids))).all())
        if owner_ids
        else {}
    )
    rows = [_action_row(a, owners, today, True) for a in agreed] + [
        _action_row(a, owners, today, False) for a in others
    ]
    snapshot = {
        "previous": {"id": previous.id, "title": previous.title, "date": previous.starts_at.date().isoformat()}
        if previous
        else None,
        "actions": rows,
        "open": sum(1 for r in rows if r["status"] in ACTIVE_STATUSES),
        "overdue": sum(1 for r in rows if r["overdue"]),
    }
    return DraftedItem(
        "follow_up", "follow_up", _("Follow-up: the actions we agreed"), prompts_for("follow_up", language), snapshot
    )


def _results_items(cafe: Cafe, viewer: Person, language: str) -> list[DraftedItem]:
    campaign = latest_closed_campaign(cafe.organisation_id)
    if campaign is None:
        return [
            DraftedItem(
                "results",
                "results",
                _("Culture self-assessment"),
                prompts_for("improvement", language),
                {"status": "no-campaign"},
            )
        ]
    results = campaign_results(campaign, viewer, language)
    base = {"campaign": campaign.title, "campaign_id": campaign.id, "threshold": results.threshold}
    if not results.visible:
        return [
            DraftedItem(
                "results",
                "results",
                _("Culture self-assessment"),
                prompts_for("improvement", language),
                {**base, "status": "hidden"},
            )
        ]
    shown = {p.key: p for p in results.pillars if not p.figure.hidden and p.figure.score is not None}
    weakest = sorted(shown.values(), key=lambda p: (p.figure.score, PILLARS.index(p.key)))[:WEAKEST]

    def pillar_snapshot(pillar_result) -> dict:
        figure = pillar_result.figure
        return {
            **base,
            "status": "shown",
            "pillar": pillar_result.key,
            "score": _round(figure.score),
            "favourable": _round(figure.favourable, 1),
            "unfavourable": _round(figure.unfavourable, 1),
            "respondents": figure.respondents,
            "small_sample": figure.small_sample,
            "change": _round(pillar_result.change),
        }

    items = []
    for rank, pillar_result in enumerate(weakest, 1):
        label = str(PILLAR_LABELS[pillar_result.key])
        items.append(
            DraftedItem(
                "weakest",
                f"weakest:{pillar_result.key}",
                _("Weakest pillar: %(pillar)s", pillar=label),
                prompts_for(pillar_result.key, language),
                {**pillar_snapshot(pillar_result), "rank": rank},
                pillar_result.key,
            )
        )
    weakest_keys = {p.key for p in weakest}
    for pillar in cafe.focus_pillars or []:
        if pillar in weakest_keys or pillar not in PILLARS:
            continue
        label = str(PILLAR_LABELS[pillar])
        snapshot = pillar_snapshot(shown[pillar]) if pillar in shown else {**base, "status": "hidden", "pillar": pillar}
        items.append(
            DraftedItem(
                "focus",
                f"focus:{pillar}",
                _("Focus pillar: %(pillar)s", pillar=label),
                prompts_for(pillar, language),
                snapshot,
                pillar,
            )
        )
    if not results.gap_hidden:
        for row in results.widest_gaps:
            label = str(PILLAR_LABELS[row.pillar])
            items.append(
                DraftedItem(
                    "gap",
                    f"gap:{row.pillar}",
                    _("Perception gap: %(pillar)s", pillar=label),
                    prompts_for("perception_gap", language),
                    {
                        **base,
                        "status": "shown",
                        "pillar": row.pillar,
                        "leadership": _round(row.leadership.score),
                        "others": _round(row.others.score),
                        "gap": _round(row.gap),
                    },
                    row.pillar,
                )
            )
    return items


def _training(cafe: Cafe, language: str) -> DraftedItem:
    total = completion(leadership_matrix(cafe.organisation_id, language).rows)
    return DraftedItem(
        "training",
        "training",
        _("Leadership's own training"),
        prompts_for("training", language),
        {
            "people": total.people,
            "path_completed": total.path_completed,
            "percent": total.percent,
            "required_done": total.required_done,
            "required_total": total.required_total,
            "overdue_people": total.overdue_people,
        },
    )


def _kpis(cafe: Cafe, language: str) -> DraftedItem | None:
    conflicts = reward_conflicts(cafe.organisation_id, language)
    if not conflicts:
        return None
    return DraftedItem(
        "kpis",
        "kpis",
        _("KPIs that work against our culture"),
        prompts_for("kpis", language),
        {
            "conflicts": [
                {key: (round(float(value), 1) if key == "weight" else str(value)) for key, value in asdict(c).items()}
                for c in conflicts
            ]
        },
    )


def _benchmark(cafe: Cafe, language: str) -> DraftedItem:
    return DraftedItem(
        "benchmark",
        "benchmark",
        _("Benchmark: where we stand in the network"),
        prompts_for("benchmark", language),
        organisation_benchmark(cafe.organisation_id).as_snapshot(),
    )


def draft_items(cafe: Cafe, viewer: Person, today: date | None = None) -> list[DraftedItem]:
    """The agenda the data suggests, in the café's language; `viewer` is the leader drafting it."""
    today = today or date.today()
    with force_locale(cafe.language):
        items = [
            _follow_up(cafe, cafe.language, today),
            *_results_items(cafe, viewer, cafe.language),
            _training(cafe, cafe.language),
        ]
        kpis = _kpis(cafe, cafe.language)
        if kpis is not None:
            items.append(kpis)
        for draft in _added_sections.values():
            items.extend(draft(cafe, cafe.language))
        items.append(_benchmark(cafe, cafe.language))
    return items


def draft_agenda(cafe: Cafe, viewer: Person, today: date | None = None) -> list[AgendaItem]:
    """Draft the agenda, or refresh it: items drafted before keep the facilitator's title, prompts, notes and
    place and get the new figures; new ones are added at the end; a drafted item the data no longer supports is
    removed unless notes, decisions or actions hang on it (then it stays, marked as no longer in the data).
    Free items are never touched."""
    drafted = draft_items(cafe, viewer, today)
    existing = {item.source: item for item in cafe.agenda if item.source}
    position = max((item.position for item in cafe.agenda), default=0)
    wanted = set()
    for draft in drafted:
        wanted.add(draft.source)
        item = existing.get(draft.source)
        if item is not None:
            item.snapshot = draft.snapshot
            continue
        position += 1
        cafe.agenda.append(
            AgendaItem(
                kind=draft.kind,
                pillar=draft.pillar,
                source=draft.source,
                title=draft.title,
                prompts=draft.prompts,
                notes="",
                snapshot=draft.snapshot,
                position=position,
            )
        )
    stale = [item for source, item in existing.items() if source not in wanted]
    if stale:
        used = _items_in_use(cafe, [item.id for item in stale])
        for item in stale:
            if item.notes.strip() or item.id in used:
                item.snapshot = {"stale": True}
            else:
                cafe.agenda.remove(item)
    cafe.drafted_at = utcnow()
    db.session.flush()
    _renumber(cafe)
    return list(cafe.agenda)


def _items_in_use(cafe: Cafe, item_ids: list[int]) -> set[int]:
    used = set(
        db.session.scalars(
            select(CafeDecision.agenda_item_id).where(
                CafeDecision.cafe_id == cafe.id, CafeDecision.agenda_item_id.in_(item_ids)
            )
        )
    )
    used |= set(
        db.session.scalars(
            select(CafeAction.agenda_item_id).where(
                CafeAction.cafe_id == cafe.id, CafeAction.agenda_item_id.in_(item_ids)
            )
        )
    )
    return used


def _renumber(cafe: Cafe) -> None:
    """Positions 1..n in the current order."""
    for number, item in enumerate(sorted(cafe.agenda, key=lambda i: (i.position, i.id or 0)), 1):
        item.position = number
    db.session.flush()
    db.session.expire(cafe, ["agenda"])


def item_count(cafe_id: int) -> int:
    return db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.cafe_id == cafe_id)) or 0
