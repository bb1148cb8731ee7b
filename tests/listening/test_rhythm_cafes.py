"""Café agendas draw on listening: "What customers tell staff" (the touchpoints with the most open remarks) and
"What drives our outcomes" (the driver analysis' focus or why it has none), on the page and in the brief, through
the cafés' hook that listening fills."""
from __future__ import annotations

from datetime import timedelta

import pytest

from cxculture.cafes import agenda
from cxculture.cafes.agenda import draft_agenda
from cxculture.extensions import db
from cxculture.listening.remarks import close_remark
from cxculture.orgs.service import person_by_email
from tests.cafes.helpers import new_cafe
from tests.cafes.test_pdfs import pdf_text
from tests.conftest import get_file

from .helpers import remark_by, touchpoint


@pytest.fixture
def leader(retail):
    return person_by_email("leader@retail.example.com")


@pytest.fixture
def remarks(demo, retail):
    """Demo Retail: three open remarks at the store (the oldest 9 days old), one at the website, one closed there;
    Demo Bank: five open at its store, which no Retail agenda may count."""
    store, website = touchpoint(retail, "store", "Vendite/Milano Store"), touchpoint(retail, "website")
    at_store = [remark_by("employee@retail.example.com", store) for _ in range(3)]
    at_store[0].logged_at -= timedelta(days=9)
    remark_by("employee@retail.example.com", website)
    closed = remark_by("employee@retail.example.com", website, "The site kept logging me out")
    close_remark(closed, person_by_email("leader@retail.example.com"), "Fixed the session length")
    theirs = touchpoint(demo["demo-bank"], "store")
    for _ in range(5):
        remark_by("employee@bank.example.com", theirs)
    db.session.commit()
    return store, website


def _item(cafe, kind):
    return next(item for item in cafe.agenda if item.kind == kind)


def test_the_agenda_lists_the_touchpoints_with_the_most_open_remarks(client, login_as, retail, leader, remarks,
                                                                    tmp_path):
    cafe = new_cafe(retail, language="en")
    login_as("leader")
    assert client.post(f"/leadership/cafes/{cafe.id}/redraft").status_code in (302, 303)
    db.session.expire_all()
    voice = _item(cafe, "customer_voice").snapshot
    assert voice["open"] == 4  # the closed remark and Demo Bank's are not counted
    assert [(t["touchpoint"], t["open"], t["oldest_days"]) for t in voice["touchpoints"]] == [
        ("Store or branch", 3, 9), ("Website", 1, 0)]
    assert voice["touchpoints"][0]["owner"] == "Milano Store"
    # "The queue at the till was far too long", open four times: waiting and tools; the closed one is not read
    assert [(t["key"], t["open"], t["oldest_days"]) for t in voice["themes"]] == [("waiting", 4, 9), ("tools", 4, 9)]
    page = client.get(f"/leadership/cafes/{cafe.id}").text
    assert "What customers tell staff" in page and "9 days" in page and "Milano Store" in page
    assert "Waiting" in page
    assert "What drives our outcomes" in page
    assert "no culture self-assessment has closed yet." in page  # the drivers' fallback, per outcome
    brief = pdf_text(get_file(client, f"/leadership/cafes/{cafe.id}/brief.pdf"), tmp_path)
    assert "What customers tell staff" in brief and "Store or branch" in brief and "What drives our outcomes" in brief


def test_an_italian_cafe_gets_the_sections_in_italian(client, login_as, retail, leader, remarks):
    cafe = new_cafe(retail, language="it")
    draft_agenda(cafe, leader)
    db.session.commit()
    voice = _item(cafe, "customer_voice")
    assert voice.title == "Cosa dicono i clienti ai collaboratori"
    assert voice.snapshot["touchpoints"][0]["touchpoint"] == "Negozio o filiale"
    assert voice.snapshot["themes"][0]["theme"] == "Attese"
    assert _item(cafe, "drivers").title == "Cosa guida i nostri risultati"


def test_with_nothing_heard_the_section_says_so(client, login_as, retail, leader):
    cafe = new_cafe(retail, language="en")
    draft_agenda(cafe, leader)
    db.session.commit()
    assert _item(cafe, "customer_voice").snapshot == {"touchpoints": [], "themes": [], "open": 0}
    login_as("leader")
    assert "No remark from customers is waiting for an answer." in client.get(f"/leadership/cafes/{cafe.id}").text


def test_without_listening_the_agenda_has_no_listening_sections(app, monkeypatch, retail, leader):
    monkeypatch.setattr(agenda, "_added_sections", {})
    cafe = new_cafe(retail, language="en")
    kinds = {item.kind for item in draft_agenda(cafe, leader)}
    assert "follow_up" in kinds and not kinds & {"customer_voice", "drivers"}


def test_the_drivers_section_names_the_pillars_to_focus_on(client, login_as, demo, leader):
    from .test_drivers_page import _compared_teams

    _compared_teams(demo["demo-retail"], 26, weak_listening=True)
    cafe = new_cafe(demo["demo-retail"], language="en")
    draft_agenda(cafe, leader)
    db.session.commit()
    outcomes = {o["key"]: o for o in _item(cafe, "drivers").snapshot["outcomes"]}
    assert [d["pillar"] for d in outcomes["nps"]["focus"]] == ["listening"] and outcomes["nps"]["fallback"] is None
    assert outcomes["csat"]["fallback"] == "no-outcome" and outcomes["csat"]["focus"] == []
    login_as("leader")
    page = client.get(f"/leadership/cafes/{cafe.id}").text
    assert "focus on Listening" in page and "no values of this outcome in the KPI area yet." in page
