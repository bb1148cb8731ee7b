"""A course author places a module from a real LTI platform (lti1p3platform) with the content picker, and a
learner launched from the course lands on that module — in Chromium, cookies and auto-posted forms included."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from cxculture.extensions import db
from tests.lms.platform import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser")]
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def lms_platform(live_server):
    """A platform registered for Demo Bank on the live server; everything the launches created is removed after."""
    from cxculture.lms.models import GradeLink, LtiIdentity, LtiLaunch, LtiNonce, LtiRegistration
    from cxculture.lms.registrations import RegistrationData, save_registration
    from cxculture.modules.models import Assignment
    from cxculture.orgs.models import Organisation, Person

    platform = Platform().start()
    with live_server.app.app_context():
        bank = db.session.scalar(select(Organisation).where(Organisation.slug == "demo-bank"))
        save_registration(bank.id, RegistrationData(
            "Browser Moodle", platform.url, platform.client_id, [platform.deployment_id], f"{platform.url}/auth",
            f"{platform.url}/token", f"{platform.url}/jwks"), allow_http=True)
        db.session.commit()
        registration_id = db.session.scalar(select(LtiRegistration.id).where(LtiRegistration.name == "Browser Moodle"))
        db.session.remove()
    platform.configure(live_server.url, "demo-bank")
    try:
        yield platform
    finally:
        platform.stop()
        with live_server.app.app_context():
            people = list(db.session.scalars(select(LtiIdentity.person_id).where(LtiIdentity.issuer == platform.url)))
            for model in (GradeLink, LtiLaunch):
                db.session.execute(delete(model).where(model.registration_id == registration_id))
            db.session.execute(delete(LtiIdentity).where(LtiIdentity.issuer == platform.url))
            db.session.execute(delete(Assignment).where(Assignment.person_id.in_(people)))
            for person in db.session.scalars(select(Person).where(Person.id.in_(people))):
                db.session.delete(person)
            db.session.execute(delete(LtiRegistration).where(LtiRegistration.id == registration_id))
            db.session.execute(delete(LtiNonce))
            db.session.commit()
            db.session.remove()


def test_author_places_a_module_and_a_learner_lands_on_it(page: Page, new_context, lms_platform):
    page.goto(lms_platform.login_url(user_id="teacher-1", name="Tina Teacher", roles=[INSTRUCTOR], deep_link=True,
                                     browser=True))
    expect(page.get_by_role("heading", name="Place CX Culture content in your course")).to_be_visible()
    page.get_by_label("Title of what-is-cx").check()
    page.get_by_role("button", name="Place in the course").click()
    expect(page.locator("body")).to_contain_text('"received": 1')  # the platform's deep-link return endpoint
    item, = lms_platform.deep_link_items[-1]
    assert item["custom"] == {"target": "module:what-is-cx"} and item["title"] == "Title of what-is-cx"

    learner = new_context().new_page()
    learner.goto(lms_platform.login_url(user_id="learner-1", name="Luca Learner", custom=item["custom"],
                                        browser=True))
    expect(learner).to_have_url(f"{lms_platform.tool_url}/learn/what-is-cx")
    expect(learner.get_by_role("heading", name="Title of what-is-cx")).to_be_visible()
    expect(learner.get_by_role("button", name="Start the module")).to_be_visible()
