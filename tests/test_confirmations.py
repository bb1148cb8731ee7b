"""Every destructive or irreversible action asks first (cxculture/confirming.py): its button leads to a page
saying what will happen and whether it can be undone; a POST without that page's confirmation changes nothing and
answers 400. Opening, closing and reopening campaigns: tests/assessments/test_reopen.py; cafés:
tests/cafes/test_confirmations.py."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.auth.models import LoginSession
from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue, RewardComponent, RewardPlan
from cxculture.lms.keys import rotate_key
from cxculture.lms.models import LtiRegistration, ToolKey
from cxculture.modules.models import Assignment, PathItem, TrainingPath
from cxculture.orgs.models import JobRole, Person, Team
from cxculture.orgs.service import person_by_email
from tests.kpis.scorecard_factories import kpi, make_plan, set_value


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def plan(org):
    made = make_plan(org, "frontline", "2019-Q3", (("csat", 60, 85, 75), ("fcr", 40, 75, 65)))
    db.session.commit()
    return f"/hr/plans/{made.id}/delete", ["its 2 components will be deleted", "scorecards for 2019-Q3"], \
        lambda: _count(RewardPlan, RewardPlan.id == made.id)


def component(org):
    made = make_plan(org, "frontline", "2019-Q3", (("csat", 60, 85, 75), ("fcr", 40, 75, 65)))
    db.session.commit()
    one = made.components[0]
    return f"/hr/plans/{made.id}/components/{one.id}/delete", ["no longer show", "The KPI&#39;s values stay."], \
        lambda: _count(RewardComponent, RewardComponent.id == one.id)


def value(org):
    row = set_value(org, "nps", "2019-Q3", 41, person=person_by_email("employee@bank.example.com"))
    db.session.commit()
    return f"/hr/kpi-values/{row.id}/delete", ["will show no value for it", "You can enter it again"], \
        lambda: _count(KpiValue, KpiValue.id == row.id)


def unused_kpi(org):
    used = select(KpiValue.kpi_id).union(select(RewardComponent.kpi_id))
    upsell = db.session.scalar(select(Kpi).where(Kpi.organisation_id == org.id, Kpi.id.not_in(used)).limit(1))
    return f"/hr/kpis/{upsell.id}/delete", ["links to behaviours are deleted", "This cannot be undone"], \
        lambda: _count(Kpi, Kpi.id == upsell.id)


def link(org):
    one = kpi(org, "aht").links[0]
    return f"/hr/kpis/{one.kpi_id}/links/{one.id}/delete", ["stands for this behaviour"], \
        lambda: _count(type(one), type(one).id == one.id)


def team(org):
    empty = Team(organisation=org, name="Temporary")
    db.session.add(empty)
    db.session.commit()
    return f"/admin/teams/{empty.id}/delete", ["The team Temporary is deleted", "This cannot be undone"], \
        lambda: _count(Team, Team.id == empty.id)


def job_role(org):
    unused = JobRole(organisation=org, key="unused", name_en="Unused", name_it="Inutilizzato")
    db.session.add(unused)
    db.session.commit()
    return f"/admin/job-roles/{unused.id}/delete", ["The job role Unused is deleted"], \
        lambda: _count(JobRole, JobRole.id == unused.id)


def platform(org):
    registration = LtiRegistration(organisation_id=org.id, name="Moodle", issuer="https://moodle.example.com",
                                   client_id="abc", deployment_ids=["1"],
                                   auth_login_url="https://moodle.example.com/auth",
                                   auth_token_url="https://moodle.example.com/token",
                                   key_set_url="https://moodle.example.com/certs")
    db.session.add(registration)
    db.session.commit()
    return f"/admin/lms/platforms/{registration.id}/delete", ["Moodle can no longer launch CX Culture",
                                                             "0 people signed in through it"], \
        lambda: _count(LtiRegistration, LtiRegistration.id == registration.id)


def signing_key(org):
    rotate_key(org.id)
    db.session.commit()
    return "/admin/lms/keys/rotate", ["The previous key stays published for a week"], \
        lambda: _count(ToolKey, ToolKey.organisation_id == org.id)


def sessions(org):
    me = person_by_email("admin@bank.example.com")
    return "/account/sessions/end-all", ["1 session ends, this one included"], \
        lambda: _count(LoginSession, LoginSession.person_id == me.id)


def path_item(org):
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == org.id, JobRole.key == "frontline"))
    item = db.session.scalar(select(PathItem).join(TrainingPath).where(TrainingPath.job_role_id == role.id))
    return f"/admin/training/paths/{role.id}/items/{item.id}/remove", ["with this job role no longer",
                                                                       "Progress people already made in it"], \
        lambda: _count(PathItem, PathItem.id == item.id)


ACTIONS = {"delete a plan": ("hr", plan), "remove a plan's KPI": ("hr", component), "delete a KPI value": ("hr", value),
           "delete a KPI": ("hr", unused_kpi), "remove a KPI's link": ("hr", link), "delete a team": ("admin", team),
           "delete a job role": ("admin", job_role), "remove an LMS platform": ("admin", platform),
           "rotate the LMS key": ("admin", signing_key), "log out everywhere": ("admin", sessions),
           "remove a module from a path": ("admin", path_item)}


@pytest.mark.parametrize("action", ACTIONS)
def test_the_action_asks_first_and_a_bare_post_changes_nothing(client, trained, action):
    from tests.conftest import login

    permission, setup = ACTIONS[action]
    org = trained["demo-bank"]
    for person in db.session.scalars(select(Person).where(Person.organisation_id == org.id)):
        person.language = "en"
    db.session.commit()
    url, consequences, state = setup(org)
    login(client, f"{permission}@bank.example.com")
    before = state()

    question = client.get(url)
    page = question.get_data(as_text=True)
    assert question.status_code == 200, page
    for sentence in consequences:
        assert sentence in page, sentence
    assert 'name="confirm" value="yes"' in page and "Cancel, change nothing" in page

    bare = client.post(url)  # what one click did before
    assert bare.status_code == 400 and "Nothing has been changed yet" in bare.get_data(as_text=True)
    assert state() == before


def test_removing_an_assignment_asks_first(client, trained):
    from tests.conftest import login

    manager = person_by_email("manager@bank.example.com")
    report = db.session.scalar(select(Person).where(Person.manager_id == manager.id))
    module_id = db.session.scalar(select(PathItem.module_id))
    row = Assignment(organisation_id=manager.organisation_id, person_id=report.id, module_id=module_id,
                     assigned_by_id=manager.id)
    db.session.add(row)
    manager.language = "en"
    db.session.commit()
    login(client, manager.email)
    assert "What they already did stays recorded." in client.get(f"/team/training/assignments/{row.id}/remove") \
        .get_data(as_text=True)
    assert client.post(f"/team/training/assignments/{row.id}/remove").status_code == 400
    assert _count(Assignment, Assignment.id == row.id) == 1
