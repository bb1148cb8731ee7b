"""Planning and recording a café: bad input refused with a reason, double submits stored once, attendance
sends the café-attended event once per person, agenda editing."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments.models import ActionItem
from cxculture.cafes.agenda import draft_agenda
from cxculture.cafes.models import AgendaItem, Cafe, CafeAction, CafeDecision
from cxculture.cafes.service import (
    add_action,
    add_decision,
    create_cafe,
    move_agenda_item,
    record_attendance,
    remove_agenda_item,
)
from cxculture.events import cafe_attended
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused
from tests.cafes.helpers import new_cafe, plan
from tests.conftest import get_file


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def leader(retail):
    return person_by_email("leader@retail.example.com")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("changes, field, code", [
    ({"title": "  "}, "title", "missing"),
    ({"title": "x" * 201}, "title", "too-long"),
    ({"starts_at": None}, "starts_at", "missing"),
    ({"duration_minutes": 5}, "duration_minutes", "range"),
    ({"location": "", "video_link": ""}, "location", "missing"),
    ({"video_link": "meet.example.com/x"}, "video_link", "not-a-link"),
    ({"video_link": "javascript:alert(1)"}, "video_link", "not-a-link"),
    ({"facilitator_id": None}, "facilitator_id", "missing"),
    ({"focus_pillars": ["happiness"]}, "focus_pillars", "unknown"),
    ({"language": "fr"}, "language", "unknown"),
])
def test_bad_plans_are_refused_and_nothing_is_stored(app, make_organisation, make_person, changes, field, code):
    acme = make_organisation("Acme")
    make_person(acme, "leader@acme.example.com", permissions=("leader",), password=None)
    with pytest.raises(Refused) as refused:
        create_cafe(acme.id, plan(acme, **changes))
    assert refused.value.codes[field] == code
    assert _count(Cafe) == 0


def test_people_of_another_organisation_or_non_leaders_are_refused(app, retail, demo):
    bank_leader = person_by_email("leader@bank.example.com")
    employee = person_by_email("employee@retail.example.com")
    with pytest.raises(Refused) as refused:
        create_cafe(retail.id, plan(retail, facilitator_id=bank_leader.id, attendee_ids=[employee.id]))
    assert refused.value.codes == {"facilitator_id": "unknown", "attendee_ids": "unknown"}


def test_the_same_form_submitted_twice_plans_one_cafe(app, retail, leader):
    first, created = create_cafe(retail.id, plan(retail), leader, submission_key="k1")
    again, created_again = create_cafe(retail.id, plan(retail), leader, submission_key="k1")
    assert created and not created_again and first is again
    assert _count(Cafe) == 1
    assert leader.id in {a.person_id for a in first.attendees}


def test_attendance_sends_cafe_attended_once_per_person(app, retail, leader):
    cafe = new_cafe(retail)
    received = []

    def receiver(sender, cafe):
        received.append((sender.email, cafe.id))

    cafe_attended.connect(receiver)
    try:
        record_attendance(cafe, {leader.id})
        record_attendance(cafe, {leader.id})
    finally:
        cafe_attended.disconnect(receiver)
    assert received == [("leader@retail.example.com", cafe.id)]
    assert cafe.status == "held"
    present = {a.person_id: a.present for a in cafe.attendees}
    assert present[leader.id] is True and list(present.values()).count(False) == len(present) - 1


def test_decisions_and_actions_are_stored_once_and_checked(app, retail, leader):
    cafe = new_cafe(retail)
    item = draft_agenda(cafe, leader)[0]
    add_decision(cafe, text="Publish the NPS monthly", agenda_item_id=item.id, published=True, submission_key="d1")
    add_decision(cafe, text="Publish the NPS monthly", agenda_item_id=item.id, published=True, submission_key="d1")
    assert _count(CafeDecision) == 1
    due = date.today() + timedelta(days=5)
    action = add_action(cafe, title="Review AHT targets", pillar="rewards", owner_id=leader.id, due_date=due,
                        agenda_item_id=item.id, submission_key="a1")
    assert add_action(cafe, title="Review AHT targets", pillar="rewards", owner_id=leader.id, due_date=due,
                      agenda_item_id=item.id, submission_key="a1") is action
    assert _count(CafeAction) == 1 and action.organisation_id == retail.id and action.status == "open"
    with pytest.raises(Refused) as refused:
        add_action(cafe, title="", pillar="joy", owner_id=None, due_date=date.today() - timedelta(days=1))
    assert refused.value.codes == {"title": "missing", "pillar": "unknown", "owner_id": "missing",
                                      "due_date": "past"}
    with pytest.raises(Refused):
        add_decision(cafe, text=" ")
    other = new_cafe(retail, title="Other")
    other_item = draft_agenda(other, leader)[0]
    with pytest.raises(Refused) as refused:
        add_decision(cafe, text="Not here", agenda_item_id=other_item.id)
    assert refused.value.codes == {"agenda_item_id": "unknown"}
    assert _count(ActionItem) == 1


def test_reorder_and_remove_keep_positions_and_records(app, retail, leader):
    cafe = new_cafe(retail)
    items = draft_agenda(cafe, leader)
    first, second = items[0], items[1]
    decision = add_decision(cafe, text="Keep me", agenda_item_id=second.id)
    move_agenda_item(second, "up")
    assert [i.id for i in sorted(cafe.agenda, key=lambda i: i.position)][:2] == [second.id, first.id]
    move_agenda_item(second, "up")  # already first: nothing moves
    assert second.position == 1
    remove_agenda_item(second)
    db.session.commit()
    assert db.session.get(AgendaItem, second.id) is None
    assert db.session.get(CafeDecision, decision.id).agenda_item_id is None
    assert [i.position for i in sorted(cafe.agenda, key=lambda i: i.position)] == list(range(1, len(cafe.agenda) + 1))


def _form(**values):
    day = date.today() + timedelta(days=10)
    data = {"title": "Autumn café", "day": day.isoformat(), "time": "09:30", "duration_minutes": "90",
            "location": "Milano", "video_link": "", "language": "en", "submission_key": "form-1"}
    data.update(values)
    return data


def test_plan_page_refuses_bad_input_and_names_the_field(client, login_as, retail):
    leader = login_as("leader")
    response = client.post("/leadership/cafes/new", data=_form(facilitator_id=leader.id, location="",
                                                               video_link="meet", day="31/31/2026"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "non è una data" in page  # the day is named as the problem
    assert _count(Cafe) == 0


def test_plan_page_plans_once_and_drafts_the_agenda(client, login_as, retail):
    leader = login_as("leader")
    data = _form(facilitator_id=leader.id, attendee_ids=[leader.id], focus_pillars=["hiring"])
    first = client.post("/leadership/cafes/new", data=data)
    second = client.post("/leadership/cafes/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    cafe = db.session.scalar(select(Cafe))
    assert _count(Cafe) == 1 and cafe.starts_at.time().hour == 9 and cafe.focus_pillars == ["hiring"]
    assert cafe.agenda and cafe.agenda[0].kind == "follow_up"


def test_item_page_records_notes_decisions_and_actions(client, login_as, retail):
    leader = login_as("leader")
    cafe = new_cafe(retail)
    item = draft_agenda(cafe, leader)[0]
    db.session.commit()
    base = f"/leadership/cafes/{cafe.id}"
    assert client.get(f"{base}/agenda/{item.id}").status_code == 200
    assert client.post(f"{base}/agenda/{item.id}", data={"title": "Our follow-up", "prompts": "One\nTwo",
                                                         "notes": "Said things"}).status_code == 302
    decision = {"decision-text": "Go", "decision-agenda_item_id": item.id, "decision-published": "y",
                "decision-submission_key": "k"}
    assert client.post(f"{base}/decisions", data=decision).status_code == 302
    response = client.post(
        f"{base}/actions",
        data={
            "action-title": "Do it",
            "action-pillar": "vision",
            "action-owner_id": leader.id,
            "action-due_date": "2000-01-01",
            "action-agenda_item_id": item.id,
            "action-submission_key": "k",
        },
    )
    assert response.status_code == 400
    assert "passato" in response.get_data(as_text=True)  # the due date is in the past (Italian organisation)
    due = (date.today() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"{base}/actions",
            data={
                "action-title": "Do it",
                "action-pillar": "vision",
                "action-owner_id": leader.id,
                "action-due_date": due,
                "action-agenda_item_id": item.id,
                "action-submission_key": "k",
            },
        ).status_code
        == 302
    )
    db.session.refresh(item)
    assert (item.title, item.prompts, item.notes) == ("Our follow-up", ["One", "Two"], "Said things")
    assert _count(CafeDecision) == 1 and db.session.scalar(select(CafeDecision)).published
    assert db.session.scalar(select(CafeAction)).agenda_item_id == item.id
    page = client.get(base).get_data(as_text=True)
    assert "Said things" in page and "Do it" in page


def test_attendance_page_marks_the_cafe_held(client, login_as, retail):
    leader = login_as("leader")
    cafe = new_cafe(retail, days=-1)
    response = client.post(f"/leadership/cafes/{cafe.id}/attendance", data={"present": [leader.id]})
    assert response.status_code == 302
    db.session.refresh(cafe)
    assert cafe.status == "held"
    assert get_file(client, f"/leadership/cafes/{cafe.id}/summary.pdf").status_code == 200


def test_cafe_list_shows_planned_and_held(client, login_as, retail):
    login_as("leader")
    new_cafe(retail, title="Next one", days=5)
    held = new_cafe(retail, title="Last one", days=-20)
    record_attendance(held, set())
    db.session.commit()
    page = client.get("/leadership/cafes/").get_data(as_text=True)
    assert "Next one" in page and "Last one" in page
    assert datetime.now() > held.starts_at


def test_a_held_cafe_keeps_the_figures_it_was_discussed_with(client, login_as, retail):
    leader = login_as("leader")
    cafe = new_cafe(retail, days=-1)
    draft_agenda(cafe, leader)
    record_attendance(cafe, {leader.id})
    db.session.commit()
    drafted_at = cafe.drafted_at
    assert client.post(f"/leadership/cafes/{cafe.id}/redraft").status_code == 302
    db.session.refresh(cafe)
    assert cafe.drafted_at == drafted_at
