"""A course's members brought in (LTI Names and Role Provisioning Services) from a real platform (lti1p3platform)
over HTTP on loopback: through the admin page and the job, with paging, matching, role mapping and refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.jobs.tasks import sync_course_members
from cxculture.lms.models import LtiCourse, LtiIdentity, LtiRoleMapping
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email

from .conftest import launch

pytestmark = pytest.mark.slow

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _member(user_id, name, email=None, roles=(LEARNER,), status="Active"):
    member = {"user_id": user_id, "name": name, "roles": list(roles), "status": status}
    if email:
        member["email"] = email
    return member


def _people() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Person))


def _person(subject: str) -> Person | None:
    return db.session.scalar(select(Person).join(LtiIdentity).where(LtiIdentity.subject == subject))


@pytest.fixture
def course(registered, platform):
    """An instructor launched from the course, whose platform shares the members list."""
    _, response, _ = launch(platform, user_id="teacher-1", name="Tina Teacher", roles=[INSTRUCTOR], nrps=True)
    assert response.status_code == 302, response.text
    course = db.session.scalar(select(LtiCourse))
    assert course.memberships_url.startswith(platform.url) and course.context_id == "course-1"
    return course


def _sync(client, course) -> None:
    """As the administrator does: ask on the page; then the job runs (the tests' broker has no worker)."""
    assert client.post(f"/admin/lms/courses/{course.id}/sync").status_code == 302
    db.session.refresh(course)
    assert course.sync_status == "queued"
    sync_course_members(course.id)
    db.session.refresh(course)


def test_admin_brings_the_course_members_in_and_a_second_sync_creates_nobody(client, login_as, course, platform):
    platform.page_size = 2
    platform.members = [
        _member("teacher-1", "Tina Teacher", roles=[INSTRUCTOR]),  # already linked by her launch
        _member("m-2", "Marco Rossi", "marco@moodle.example"),
        _member("m-3", "Sara Admin", "sara@moodle.example", roles=[INSTRUCTOR, INSTITUTION_ADMIN]),
        _member("m-4", "Existing Employee", "employee@bank.example.com"),  # an account; addresses not vouched for
        {"name": "No Id", "roles": [LEARNER], "status": "Active"},
        _member("m-6", "Gone Before", status="Inactive"),
    ]
    login_as("admin", org="bank")
    overview = client.get("/admin/lms")
    assert "Customer experience academy" in overview.text
    before = _people()
    _sync(client, course)
    assert len(platform.membership_requests) == 3  # three pages, each followed through Link: rel="next"
    assert all("context=course-1" in path for path in platform.membership_requests)
    report = course.sync_report
    assert [e["name"] for e in report["created"]] == ["Marco Rossi", "Sara Admin"]
    assert report["unchanged"] == 1 and report["linked"] == []
    assert sorted(e["reason"] for e in report["refused"]) == ["email-unverified", "no-id"]
    assert _people() == before + 2
    marco, sara = _person("m-2"), _person("m-3")
    assert marco.email == "marco@moodle.example" and marco.organisation_id == course.organisation_id
    assert sara.permissions == {"employee"}  # an institution Administrator grants nothing unless mapped
    assert _person("m-4") is None and person_by_email("employee@bank.example.com").permissions == {"employee"}
    page = client.get(f"/admin/lms/courses/{course.id}")
    assert "Marco Rossi" in page.text and "2 people created" in page.text and "Members refused" in page.text
    assert "they link it themselves at their first launch" in page.text
    assert "without a user id" in page.text

    # Again: nobody is created twice; Marco has left the course: reported, not deactivated.
    platform.membership_requests.clear()
    platform.members = [m for m in platform.members if m.get("user_id") != "m-2"]
    _sync(client, course)
    report = course.sync_report
    assert report["created"] == [] and report["unchanged"] == 2 and _people() == before + 2
    assert [e["name"] for e in report["left"]] == ["Marco Rossi"]
    db.session.refresh(marco)
    assert marco.active
    assert "No longer in the course" in client.get(f"/admin/lms/courses/{course.id}").text


def test_verified_addresses_link_existing_accounts_but_never_a_privileged_one(client, login_as, course, platform,
                                                                             registered):
    registered.emails_verified = True
    db.session.add(LtiRoleMapping(organisation_id=registered.organisation_id, registration_id=registered.id,
                                  kind="institution", role="Administrator", permission="hr"))
    db.session.commit()
    platform.members = [_member("m-4", "Employee", "employee@bank.example.com", roles=[LEARNER, INSTITUTION_ADMIN]),
                        _member("m-5", "Admin", "admin@bank.example.com")]
    login_as("admin", org="bank")
    _sync(client, course)
    report = course.sync_report
    employee = person_by_email("employee@bank.example.com")
    assert [e["person_id"] for e in report["linked"]] == [employee.id]
    assert employee.permissions == {"employee", "hr"}  # exactly what the administrator mapped
    assert [e["reason"] for e in report["refused"]] == ["privileged"]
    assert _person("m-5") is None


def test_a_platform_that_refuses_leaves_the_course_failed_and_creates_nobody(client, login_as, course, registered):
    registered.auth_token_url = registered.auth_token_url.replace("/token", "/no-token-here")
    db.session.commit()
    before = _people()
    login_as("admin", org="bank")
    _sync(client, course)
    assert course.sync_status == "failed" and "access token" in course.sync_error
    assert _people() == before
    assert "did not give the member list" in client.get(f"/admin/lms/courses/{course.id}").text
    # A repeated job message finds nothing queued and does nothing.
    assert sync_course_members(course.id) is None


def test_other_organisations_and_other_permissions_reach_no_course(client, login_as, course):
    login_as("admin", org="retail")
    assert "Customer experience academy" not in client.get("/admin/lms").text
    assert client.get(f"/admin/lms/courses/{course.id}").status_code == 404
    assert client.post(f"/admin/lms/courses/{course.id}/sync").status_code == 404
    client.post("/logout")
    login_as("leader", org="bank")
    assert client.get(f"/admin/lms/courses/{course.id}").status_code == 403
    assert client.post(f"/admin/lms/courses/{course.id}/sync").status_code == 403
    db.session.refresh(course)
    assert course.sync_status == ""


def test_a_lost_sync_may_be_asked_for_again_and_a_fresh_one_may_not(client, login_as, course, platform):
    from datetime import timedelta

    from cxculture.lms.rosters import STALE_MINUTES
    from cxculture.util import utcnow

    platform.members = [_member("m-9", "Nina Nine")]
    login_as("admin", org="bank")
    assert client.post(f"/admin/lms/courses/{course.id}/sync").status_code == 302
    again = client.post(f"/admin/lms/courses/{course.id}/sync", follow_redirects=True)
    assert "already being brought in" in again.text and "disabled" in again.text
    # The job message was lost (or its worker stopped) long ago: the administrator asks again, the job runs.
    db.session.refresh(course)
    course.sync_status, course.sync_requested_at = "running", utcnow() - timedelta(minutes=STALE_MINUTES + 1)
    db.session.commit()
    assert sync_course_members(course.id) is not None  # a lost run is taken over
    db.session.refresh(course)
    assert course.sync_status == "done" and _person("m-9") is not None


def test_erasing_a_person_takes_them_out_of_the_course_report(client, login_as, course, platform):
    from cxculture.privacy.service import erase_person

    platform.members = [_member("m-2", "Marco Rossi", "marco@moodle.example"), _member("m-3", "Sara Bianchi")]
    login_as("admin", org="bank")
    _sync(client, course)
    marco = _person("m-2")
    erase_person(marco, person_by_email("admin@bank.example.com"))
    db.session.commit()
    db.session.refresh(course)
    assert [e["name"] for e in course.sync_report["created"]] == ["Sara Bianchi"]
    assert "m-2" not in course.member_subjects and "m-3" in course.member_subjects
    assert "Marco Rossi" not in client.get(f"/admin/lms/courses/{course.id}").text


def test_a_member_list_never_takes_away_what_a_launch_granted(client, login_as, registered, platform):
    """Member lists carry course roles only: an institution role's permission from a launch stays."""
    db.session.add(LtiRoleMapping(organisation_id=registered.organisation_id, registration_id=registered.id,
                                  kind="institution", role="Administrator", permission="hr"))
    db.session.commit()
    launch(platform, user_id="teacher-1", roles=[INSTRUCTOR, INSTITUTION_ADMIN], nrps=True)
    assert _person("teacher-1").permissions == {"employee", "hr"}
    course = db.session.scalar(select(LtiCourse))
    platform.members = [_member("teacher-1", "Tina Teacher", roles=[INSTRUCTOR])]
    login_as("admin", org="bank")
    _sync(client, course)
    assert course.sync_report["unchanged"] == 1
    assert _person("teacher-1").permissions == {"employee", "hr"}


def test_cli_lists_courses_and_brings_one_in(runner, course, platform):
    platform.members = [_member("m-7", "Carla Seven")]
    listing = runner.invoke(args=["cx", "lti", "courses", "--org", "demo-bank"])
    assert f"{course.id}\tCustomer experience academy\tTest Moodle\tnever" in listing.output
    wrong_org = runner.invoke(args=["cx", "lti", "sync-course", "--org", "demo-retail", str(course.id)])
    assert wrong_org.exit_code != 0 and _person("m-7") is None
    result = runner.invoke(args=["cx", "lti", "sync-course", "--org", "demo-bank", str(course.id)])
    assert result.exit_code == 0, result.output
    assert "Created 1, linked 0, unchanged 0" in result.output and _person("m-7") is not None
    assert "created 1" in runner.invoke(args=["cx", "lti", "courses", "--org", "demo-bank"]).output
