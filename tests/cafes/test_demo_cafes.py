"""The demo cafés: a held one with actions (some overdue) and a planned one for Demo Retail."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from cxculture.cafes.demo import load_demo_cafes
from cxculture.cafes.models import Cafe, CafeAction, CafeDecision
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug
from tests.conftest import get_file, login


def test_demo_cafes_are_held_and_planned_and_load_once(app, client, demo_with_assessments):
    report = load_demo_cafes()
    db.session.commit()
    assert report.loaded == ["demo-retail"]
    retail = organisation_by_slug("demo-retail")
    held, planned = db.session.scalars(select(Cafe).where(Cafe.organisation_id == retail.id)
                                       .order_by(Cafe.starts_at)).all()
    assert held.status == "held" and planned.status == "planned"
    assert held.starts_at.date() < date.today() < planned.starts_at.date()
    actions = [link.action for link in db.session.scalars(select(CafeAction).where(CafeAction.cafe_id == held.id))]
    overdue = [a for a in actions if a.status in ("open", "in_progress") and a.due_date < date.today()]
    assert len(actions) == 4 and len(overdue) == 2
    assert any(d.published for d in held.decisions) and not all(d.published for d in held.decisions)
    assert any(a.present for a in held.attendees) and any(a.present is False for a in held.attendees)
    follow_up = planned.agenda[0]
    assert follow_up.kind == "follow_up" and follow_up.snapshot["previous"]["id"] == held.id
    assert [r["from_previous"] for r in follow_up.snapshot["actions"][:4]] == [True] * 4
    assert {i.kind for i in planned.agenda} >= {"weakest", "gap", "training", "benchmark"}
    assert any(a.guest for a in planned.attendees)

    counts = db.session.scalar(select(func.count(Cafe.id))), db.session.scalar(select(func.count(CafeDecision.id)))
    assert load_demo_cafes().loaded == []
    assert (
        db.session.scalar(select(func.count(Cafe.id))),
        db.session.scalar(select(func.count(CafeDecision.id))),
    ) == counts

    # The pages render for the host, the invited guest and an employee.
    login(client, "leader@retail.example.com")
    assert client.get(f"/leadership/cafes/{planned.id}").status_code == 200
    assert get_file(client, f"/leadership/cafes/{planned.id}/brief.pdf").status_code == 200
    client.post("/logout")
    login(client, "leader@bank.example.com")
    assert client.get(f"/leadership/cafes/{planned.id}").status_code == 200
    client.post("/logout")
    login(client, "employee@retail.example.com")
    assert "Da questo trimestre ogni membro della direzione" in client.get("/home/employee").get_data(as_text=True)
