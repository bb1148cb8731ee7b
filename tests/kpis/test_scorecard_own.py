"""The employee's own scorecard: only what is theirs, and figures that agree with each other."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.kpis import scorecards
from cxculture.kpis.periods import recent_periods
from cxculture.modules.plan import build_plan
from cxculture.orgs.models import Person
from tests.conftest import get_file, login, pdf_text
from tests.kpis.scorecard_factories import make_plan, set_value

PERIOD = str(recent_periods(1)[0])


@pytest.fixture
def learner(demo_with_training):
    """A demo employee part-way through their required modules, whose plan rewards training completion, with a
    stored training value of 100% that their training record does not bear out."""
    for person in db.session.scalars(select(Person).where(Person.job_role_id.is_not(None)).order_by(Person.id)):
        plan = build_plan(person)
        if plan.required and 0 < plan.required_done < len(plan.required) and person.can("employee"):
            break
    else:
        pytest.fail("no demo learner part-way through their path")
    person.language = "en"
    make_plan(person.organisation, person.job_role.key, PERIOD,
              (("training_completion", 50, 100, 80), ("aht", 50, 300, 360)))
    set_value(person.organisation, "training_completion", PERIOD, 100.0, person=person)
    db.session.commit()
    return person, plan.required_done, len(plan.required)


def test_the_training_kpi_agrees_with_the_modules_completed(client, learner):
    person, done, total = learner
    card = scorecards.scorecard(person, PERIOD)
    line = next(one for one in card.lines if one.key == "training_completion")
    assert line.value == card.training.percent == round(100 * done / total) != 100

    login(client, person.email)
    page = client.get(f"/learn/scorecard?period={PERIOD}").get_data(as_text=True)
    assert f"{done} of {total} required modules completed" in page
    row = re.search(r"CX training completion.*?</tr>", page, re.S).group(0)
    assert f"{card.training.percent}%" in row and "100%</td>" not in row.split("</th>", 1)[1].split("</td>")[3]


def test_the_own_scorecard_shows_no_advice_meant_for_hr(client, learner):
    person, _done, _total = learner
    card = scorecards.scorecard(person, PERIOD)
    assert card.conflicts or card.suggestions  # the plan has notes for HR...
    login(client, person.email)
    page = client.get(f"/learn/scorecard?period={PERIOD}").get_data(as_text=True)
    assert "What HR is asked to consider" not in page and "How this plan aligns with customers" not in page
    client.post("/logout")
    hr = db.session.scalar(select(Person).where(Person.email == f"hr@{person.email.split('@')[1]}"))
    hr.language = "en"
    db.session.commit()
    login(client, hr.email)
    page = client.get(f"/scorecards/{person.id}?period={PERIOD}").get_data(as_text=True)
    assert "How this plan aligns with customers" in page  # ...which HR still sees


def test_the_scorecard_pdf_leaves_the_hr_notes_out(client, learner, tmp_path):
    person, done, total = learner
    login(client, person.email)
    text = pdf_text(get_file(client, f"/scorecards/{person.id}.pdf?period={PERIOD}").data, tmp_path)
    assert f"{done} of {total} required modules completed" in text
    assert "aligns with customers" not in text and "HR is asked" not in text
