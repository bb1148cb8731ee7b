"""What a café page or PDF shows, as plain values, for the host's leaders or for a guest.

A guest's view is built from the agenda's titles and prompts and their own organisation's benchmark only:
the host's snapshots, notes, decisions, actions and attendees never enter it, so no template can show them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from markupsafe import Markup

from ..assessments.actions import ACTIVE_STATUSES
from ..assessments.models import ActionItem, Campaign
from ..assessments.results.summary import pillar_trend
from ..charts import BenchmarkRow, benchmark_bars, pillar_trend_panels
from ..extensions import db
from ..orgs.models import Person
from ..pillars import PILLAR_LABELS
from .access import GUEST, HOST
from .benchmark import organisation_benchmark
from .models import Cafe
from .service import actions_by_id, cafe_actions


@dataclass
class ItemView:
    id: int
    position: int
    kind: str
    pillar: str | None
    title: str
    prompts: list[str]
    #: The figures frozen at drafting; {} for a guest.
    snapshot: dict = field(default_factory=dict)
    notes: str = ""
    decisions: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    #: A follow-up item's actions with their current status.
    follow_up: list[dict] = field(default_factory=list)


@dataclass
class CafeView:
    id: int
    role: str
    title: str
    starts_at: datetime
    duration_minutes: int
    location: str | None
    video_link: str | None
    facilitator: str | None
    language: str
    status: str
    focus_pillars: list[str]
    items: list[ItemView]
    attendees: list[dict] = field(default_factory=list)
    #: Decisions and actions not tied to an agenda item.
    decisions: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    #: A guest's own organisation's benchmark (a host's is in the benchmark item's snapshot).
    guest_benchmark: dict | None = None

    @property
    def all_decisions(self) -> list[dict]:
        return [d for item in self.items for d in item.decisions] + self.decisions

    @property
    def all_actions(self) -> list[dict]:
        return [a for item in self.items for a in item.actions] + self.actions


def action_view(action: ActionItem, today: date) -> dict:
    return {"id": action.id, "title": action.title, "pillar": action.pillar,
            "owner": action.owner.name if action.owner else "", "due_date": action.due_date,
            "status": action.status,
            "overdue": action.status in ACTIVE_STATUSES and action.due_date is not None and action.due_date < today}


def cafe_view(cafe: Cafe, role: str, viewer: Person, today: date | None = None) -> CafeView:
    today = today or date.today()
    items = sorted(cafe.agenda, key=lambda i: (i.position, i.id))
    view = CafeView(cafe.id, role, cafe.title, cafe.starts_at, cafe.duration_minutes, cafe.location, cafe.video_link,
                    cafe.facilitator.name if cafe.facilitator else None, cafe.language, cafe.status,
                    list(cafe.focus_pillars or []), [])
    if role == GUEST:
        view.items = [ItemView(i.id, i.position, i.kind, i.pillar, i.title, list(i.prompts or [])) for i in items]
        view.guest_benchmark = organisation_benchmark(viewer.organisation_id).as_snapshot()
        return view
    assert role == HOST
    view.attendees = sorted(({"person_id": a.person_id, "name": a.person.name, "email": a.person.email,
                              "guest": a.guest, "present": a.present} for a in cafe.attendees),
                            key=lambda a: (a["guest"], a["name"].casefold()))
    by_item: dict[int | None, ItemView] = {}
    follow_up_ids = [row["id"] for i in items if i.kind == "follow_up" for row in i.snapshot.get("actions", [])]
    current = actions_by_id(follow_up_ids, cafe.organisation_id)
    for item in items:
        item_view = ItemView(item.id, item.position, item.kind, item.pillar, item.title, list(item.prompts or []),
                             dict(item.snapshot or {}), item.notes or "")
        if item.kind == "follow_up":
            for row in item.snapshot.get("actions", []):
                action = current.get(row["id"])
                if action is not None:
                    item_view.follow_up.append(
                        {**action_view(action, today), "from_previous": row.get("from_previous")}
                    )
        view.items.append(item_view)
        by_item[item.id] = item_view
    for decision in cafe.decisions:
        entry = {"id": decision.id, "text": decision.text, "published": decision.published}
        target = by_item.get(decision.agenda_item_id)
        (target.decisions if target else view.decisions).append(entry)
    for link, action in cafe_actions(cafe):
        target = by_item.get(link.agenda_item_id)
        (target.actions if target else view.actions).append(action_view(action, today))
    return view


def benchmark_chart(snapshot: dict, own_label: str, locale: str) -> Markup | None:
    """A benchmark item's figures (or a guest's benchmark) as a chart; None when there are none to draw."""
    if snapshot.get("status") != "ok" or not snapshot.get("pillars"):
        return None
    rows = [BenchmarkRow(str(PILLAR_LABELS[p["pillar"]]), p["q1"], p["median"], p["q3"], p.get("own"))
            for p in snapshot["pillars"]]
    return benchmark_bars(rows, _("Where we stand in the benchmark network, pillar by pillar"), own_label,
                          _("Network, middle half"), _("Network median"), locale=locale)


def culture_trend(view: CafeView, organisation_id: int, locale: str) -> list[Markup] | None:
    """The host organisation's pillar scores over its closed campaigns up to the one its agenda's figures come
    from (so a past café's papers show what was known then), a small chart per pillar; None for a guest, an
    agenda without shown figures, or fewer than two campaigns to draw."""
    if view.role != HOST:
        return None
    campaign_id = next((item.snapshot["campaign_id"] for item in view.items
                        if item.snapshot.get("status") == "shown" and item.snapshot.get("campaign_id")), None)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None or campaign.organisation_id != organisation_id or campaign.status != "closed":
        return None
    trend = pillar_trend(organisation_id, locale, until=campaign)
    return pillar_trend_panels(trend, locale, f"cafe-{view.id}-trend") if trend else None
