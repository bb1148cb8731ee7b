"""Issue 12's proof: what one person or platform does on one host holds on the other, over HTTP only.

Two gunicorn hosts (two workers each) share one PostgreSQL database, one Redis broker and one SECRET_KEY; two
Celery workers and the scheduler run beside them (conftest.py). Fixtures write the starting data with the app's
services, as the other tests' fixtures do; what each test shows goes over HTTP, and the database is only read
to count what the hosts stored.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import func, select

from tests.lms.conftest import launch
from tests.lms.platform import Platform
from tests.lms.test_xapi import RALPH_PASSWORD, RALPH_USER, Ralph

from .conftest import DEMO_PASSWORD, csrf_token, log_in
from .servers import wait_until

pytestmark = pytest.mark.production


# a. LTI nonces ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def platform(hosts, database):
    """A real LTI 1.3 platform (tests/lms/platform.py) registered with Demo Bank; its tool is host A."""
    from cxculture.lms.registrations import RegistrationData, save_registration
    from cxculture.orgs.service import organisation_by_slug

    server = Platform().start()
    try:
        with database() as session:
            organisation = organisation_by_slug("demo-bank")
            save_registration(organisation.id, RegistrationData(
                "Test Moodle", server.url, server.client_id, [server.deployment_id], f"{server.url}/auth",
                f"{server.url}/token", f"{server.url}/jwks"), allow_http=True)
            session.commit()
        server.configure(hosts.a, "demo-bank")
        yield server
    finally:
        server.stop()


def _replay(session: requests.Session, host: str, data: dict) -> requests.Response:
    session.cookies.set(f"lti1p3-{data['state']}", data["state"])  # even with the state cookie put back
    return session.post(f"{host}/lti/launch", data={"id_token": data["id_token"], "state": data["state"]},
                        allow_redirects=False, timeout=30)


def test_an_lti_launch_replayed_on_the_other_host_is_refused(hosts, platform):
    # Launched on host A, replayed on host B.
    session, first, data = launch(platform, user_id="two-hosts-1")
    assert first.status_code == 302, first.text
    replayed = _replay(session, hosts.b, data)
    assert replayed.status_code == 400 and "already used" in replayed.text

    # A nonce host A sent in the login is accepted once on host B, then refused on both.
    session = requests.Session()
    login = session.get(platform.login_url(user_id="two-hosts-2"), allow_redirects=False, timeout=30)
    assert login.status_code == 302 and login.url.startswith(hosts.a)
    data = session.get(login.headers["Location"], timeout=30).json()
    accepted = session.post(data["launch_url"].replace(hosts.a, hosts.b), allow_redirects=False, timeout=30,
                            data={"id_token": data["id_token"], "state": data["state"]})
    assert accepted.status_code == 302, accepted.text
    assert session.get(hosts.a + accepted.headers["Location"].removeprefix(hosts.b), timeout=30).status_code == 200
    for host in hosts.both:
        replayed = _replay(session, host, data)
        assert replayed.status_code == 400 and "already used" in replayed.text


# b. Login throttling ---------------------------------------------------------------------------------------------

def test_failed_logins_spread_over_both_hosts_are_counted_together(hosts):
    """Three failures (the free ones) alternate between the hosts; the throttle then holds on both, even for the
    right password. A throttle kept in each process would have seen at most two failures and let it in."""
    email = "hr@bank.example.com"
    attacker = requests.Session()
    answers = [log_in(attacker, host, email, "wrong password").status_code for host in (hosts.a, hosts.b, hosts.a)]
    assert answers == [401, 401, 429]
    for host in hosts.both:
        refused = log_in(requests.Session(), host, email, DEMO_PASSWORD)
        assert refused.status_code == 429 and "Too many failed login attempts" in refused.text
        assert int(refused.headers["Retry-After"]) > 60
    # Another account from the same address is not held back by these three failures.
    assert log_in(requests.Session(), hosts.b, "leader@bank.example.com").status_code == 302


# c. Concurrent assessment submits --------------------------------------------------------------------------------

PEOPLE = 200


@pytest.fixture(scope="module")
def storm_campaign(hosts, database):
    """A fresh organisation of PEOPLE employees in four teams, an open campaign and a complete draft for everyone
    (saved through the service the answer pages use); returns the campaign's id and its open questions' keys."""
    from cxculture.assessments import answering, campaigns
    from cxculture.assessments.instruments import sync_shipped_instruments
    from cxculture.assessments.models import Campaign
    from cxculture.auth.passwords import hash_password
    from cxculture.orgs.models import Person, Team
    from cxculture.orgs.service import create_organisation

    with database() as session:
        organisation = create_organisation("Two Hosts", "two-hosts")
        teams = [Team(organisation=organisation, name=f"Team {n}") for n in range(4)]
        password_hash = hash_password(DEMO_PASSWORD)
        people = [Person(organisation=organisation, team=teams[n % 4], email=_storm_email(n), name=f"Person {n}",
                         password_hash=password_hash) for n in range(PEOPLE)]
        for person in people:
            person.permissions = ("employee",)
        session.add_all(people)
        session.flush()
        instrument = sync_shipped_instruments()[0]
        campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title="Two hosts",
                            opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
        session.add(campaign)
        session.flush()
        campaigns.open_campaign(campaign)
        for number, person in enumerate(people):
            answering.save_draft(campaign, person, {item["key"]: 1 + (number + i) % 5
                                                    for i, item in enumerate(instrument.items)}, {}, page="final")
        session.commit()
        return campaign.id, [q["key"] for q in instrument.open_questions]


def _storm_email(number: int) -> str:
    return f"person{number}@two-hosts.example.com"


def test_200_submits_spread_over_both_hosts_store_200_responses(hosts, database, storm_campaign):
    from cxculture.assessments.answers import Participation, Response
    from cxculture.assessments.models import Draft

    campaign_id, questions = storm_campaign
    final = f"/assessments/{campaign_id}/answer/final"

    def prepare(number: int) -> tuple[requests.Session, str]:
        """Log in on one host and open the last page (the open questions) on the other."""
        session = requests.Session()
        assert log_in(session, hosts.both[number % 2], _storm_email(number)).status_code == 302
        page = session.get(hosts.both[(number + 1) % 2] + final, timeout=60)
        assert page.status_code == 200
        return session, csrf_token(page.text)

    def submit(number: int, prepared: tuple[requests.Session, str]) -> requests.Response:
        session, token = prepared
        return session.post(hosts.both[number % 2] + final, allow_redirects=False, timeout=120,
                            data={"csrf_token": token, "action": "submit",
                                  **{f"open-{key}": f"Comment {number} on {key}." for key in questions}})

    with ThreadPoolExecutor(max_workers=30) as pool:
        prepared = list(pool.map(prepare, range(PEOPLE)))
    with ThreadPoolExecutor(max_workers=40) as pool:  # the submits, 40 at a time over four gunicorn workers
        answers = list(pool.map(submit, range(PEOPLE), prepared))

    assert Counter(a.status_code for a in answers) == {302: PEOPLE}
    assert all(a.headers["Location"].endswith(f"/assessments/{campaign_id}/answer/thanks") for a in answers)
    with database() as session:
        def count(model):
            return session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign_id))

        assert (count(Response), count(Participation), count(Draft)) == (PEOPLE, PEOPLE, 0)
    # Person 1 (who submitted on host B) submits again on host A: nothing is stored twice.
    session, token = prepared[1]
    again = session.post(hosts.a + final, data={"csrf_token": token, "action": "submit"}, allow_redirects=False,
                         timeout=60)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/assessments/{campaign_id}/answer/thanks")
    with database() as session:
        assert count(Response) == PEOPLE


# d. xAPI delivery when a worker is lost --------------------------------------------------------------------------

@pytest.fixture
def ralph(tmp_path_factory):
    """A real Ralph LRS (tests/lms/test_xapi.py), not started yet; stopped at the end."""
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.env["RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT"] = "1000"  # every statement in one page
    yield server
    server.stop()


def _learning(database) -> list[tuple[str, str]]:
    """(e-mail, module) pairs of Demo Retail employees who have not started that module of their plan."""
    from cxculture.modules.plan import build_plan
    from cxculture.orgs.models import Person
    from cxculture.orgs.service import organisation_by_slug

    pairs = []
    with database() as session:
        organisation = organisation_by_slug("demo-retail")
        people = session.scalars(select(Person).where(Person.organisation_id == organisation.id)
                                 .order_by(Person.id))
        for person in people:
            if person.permissions != {"employee"}:
                continue
            slug = next((e.module.slug for e in build_plan(person).entries if e.progress is None), None)
            if slug is not None:
                pairs.append((person.email, slug))
    return pairs[:LEARNERS]


#: People who each start a module and read its lessons (about five statements each).
LEARNERS = 12


def _learn(hosts, email: str, slug: str, number: int) -> None:
    """Start the module and finish its lessons, the requests alternating between the hosts."""
    session = requests.Session()
    assert log_in(session, hosts.both[number % 2], email).status_code == 302
    token = csrf_token(session.get(f"{hosts.both[number % 2]}/learn/{slug}", timeout=60).text)
    answer = session.post(f"{hosts.both[(number + 1) % 2]}/learn/{slug}/start", data={"csrf_token": token},
                          allow_redirects=False, timeout=60)
    step = 0
    while answer.status_code == 302 and "/lessons/" in answer.headers["Location"]:
        step += 1
        path = answer.headers["Location"].split("://", 1)[-1].partition("/")[2]
        answer = session.post(f"{hosts.both[(number + step) % 2]}/{path}/done", data={"csrf_token": token},
                              allow_redirects=False, timeout=60)
    assert step >= 3 and answer.status_code == 302, (step, answer.status_code)


def test_a_worker_killed_mid_delivery_loses_and_duplicates_nothing(hosts, database, ralph):
    from cxculture.lms.models import XapiStatement
    from cxculture.orgs.service import organisation_by_slug

    with database():
        organisation_id = organisation_by_slug("demo-retail").id
    admin = requests.Session()
    assert log_in(admin, hosts.a, "admin@retail.example.com").status_code == 302
    # The LRS is switched on while it is still down: the statements wait in the outbox.
    token = csrf_token(admin.get(f"{hosts.a}/admin/lms/xapi", timeout=30).text)
    saved = admin.post(f"{hosts.a}/admin/lms/xapi", allow_redirects=False, timeout=30, data={
        "csrf_token": token, "enabled": "y", "endpoint": ralph.url, "key": RALPH_USER, "secret": RALPH_PASSWORD,
        "actor_mode": "pseudonymous"})
    assert saved.status_code == 302, saved.text
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda job: _learn(hosts, *job[1], job[0]), enumerate(_learning(database))))
    with database() as session:
        expected = set(session.scalars(select(XapiStatement.id).where(
            XapiStatement.organisation_id == organisation_id)))
    assert len(expected) >= 4 * LEARNERS

    # The LRS comes back and the administrator asks for delivery now (on host B). w2 takes no job for a moment, so
    # that w1 does the delivering: w1 is killed (SIGKILL) with a statement on its way to the LRS.
    ralph.start()
    w1 = hosts.workers["w1"]
    with hosts.without_consuming("w2"):
        retry = admin.post(f"{hosts.b}/admin/lms/xapi/retry", data={"csrf_token": token}, allow_redirects=False,
                           timeout=30)
        assert retry.status_code == 302
        wait_until(lambda: ralph.statements(), "the first statement at the LRS", timeout=60, interval=0.2)
        w1.wait_for_connection(ralph.port)
        w1.kill()
    assert len(ralph.statements()) < len(expected)

    # w2 (the scheduler's rounds) delivers the rest, and the row the lost w1 held once its lease has ended.
    def delivered() -> bool:
        with database() as session:
            return not session.scalar(select(func.count()).select_from(XapiStatement).where(
                XapiStatement.organisation_id == organisation_id, XapiStatement.status == "pending"))

    wait_until(delivered, "every statement delivered", timeout=90, interval=0.5)
    stored = [s["id"] for s in ralph.statements()]
    assert len(stored) == len(set(stored)) and set(stored) == expected
    with database() as session:
        statuses = Counter(session.scalars(select(XapiStatement.status).where(
            XapiStatement.organisation_id == organisation_id)))
    assert statuses == {"sent": len(expected)}
    page = admin.get(f"{hosts.b}/admin/lms/xapi", timeout=30)
    assert page.status_code == 200


# e. Packs -------------------------------------------------------------------------------------------------------

def test_a_pack_asked_for_on_one_host_is_downloaded_from_the_other(hosts):
    """The manager asks for the team pack on host A; a worker makes it; host B shows its page and serves the
    file (files live in the database, not on the host that was asked)."""
    manager = requests.Session()
    assert log_in(manager, hosts.a, "manager@bank.example.com").status_code == 302
    asked = manager.get(f"{hosts.a}/team/scorecards.pdf", allow_redirects=False, timeout=60)
    assert asked.status_code == 303, asked.text[:500]
    path = "/downloads/" + asked.headers["Location"].rsplit("/downloads/", 1)[1]

    def made() -> bool:
        return manager.get(f"{hosts.b}{path}/file", allow_redirects=False, timeout=30).status_code == 200

    wait_until(made, "the pack to be made by a worker", timeout=120, interval=1)
    pdf = manager.get(f"{hosts.b}{path}/file", timeout=60)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    page = manager.get(f"{hosts.b}{path}", timeout=30)
    assert page.status_code == 200 and "Your file is ready" in page.text
    # Nobody else sees it, on either host.
    other = requests.Session()
    assert log_in(other, hosts.b, "leader@bank.example.com").status_code == 302
    assert other.get(f"{hosts.b}{path}/file", allow_redirects=False, timeout=30).status_code == 404
