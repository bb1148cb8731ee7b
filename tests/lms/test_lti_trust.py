"""An LMS is trusted only for what it proves (issue 11, parts 2 and 3): a platform user is identified by issuer +
sub, an e-mail never takes over an existing account on its own, and course roles never grant organisation rights."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.lms.models import LtiIdentity, LtiPendingLink, LtiRegistration
from cxculture.orgs.models import GRANTED_BY_HAND, GRANTED_BY_LMS, PersonPermission
from cxculture.orgs.service import person_by_email
from tests.conftest import DEMO_PASSWORD

from .conftest import launch

pytestmark = pytest.mark.slow

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
COURSE_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"
INSTITUTION_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
SYSTEM_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"


def _identities() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(LtiIdentity))


def _identity_of(subject: str) -> LtiIdentity | None:
    db.session.expire_all()
    return db.session.scalar(select(LtiIdentity).where(LtiIdentity.subject == subject))


def _vouch_for_emails(registration: LtiRegistration, verified: bool = True) -> None:
    registration.emails_verified = verified
    db.session.commit()


def _logged_in_as(session: requests.Session, tool_url: str, email: str) -> bool:
    """Whether the browser's session is that person's: the password page greets nobody else."""
    page = session.get(f"{tool_url}/account/password", allow_redirects=False, timeout=10)
    return page.status_code == 200 and email in page.text


# Part 2: an e-mail never takes over an existing account on its own ---------------------------------------------------

@pytest.mark.parametrize("verified, account", [
    (False, "admin"), (True, "admin"), (True, "hr"), (True, "leader"), (False, "employee"),
])
def test_a_new_platform_user_naming_an_existing_email_is_not_logged_in_as_that_account(
        registered, platform, tool_url, verified, account):
    _vouch_for_emails(registered, verified)
    email = f"{account}@bank.example.com"
    before = _identities()
    session, response, _ = launch(platform, user_id=f"attacker-{account}", email=email,
                                  roles=[INSTITUTION_ADMINISTRATOR])
    assert response.status_code == 302 and response.headers["Location"].endswith("/lti/link"), response.text
    assert _identities() == before  # nothing linked yet
    assert session.get(f"{tool_url}/admin/lms", allow_redirects=False, timeout=10).status_code in (302, 401, 403)
    page = session.get(f"{tool_url}/lti/link", timeout=10)
    assert page.status_code == 200 and "Sign in once to link your account" in page.text
    person = person_by_email(email)
    assert person.permissions == {"admin"} if account == "admin" else {account, "employee"}


def test_a_platform_whose_emails_are_verified_links_an_ordinary_account_by_email(registered, platform, tool_url):
    _vouch_for_emails(registered)
    session, response, _ = launch(platform, user_id="bank-employee", email="employee@bank.example.com")
    assert response.status_code == 302 and not response.headers["Location"].endswith("/lti/link")
    employee = person_by_email("employee@bank.example.com")
    assert _identity_of("bank-employee").person_id == employee.id
    assert _logged_in_as(session, tool_url, "employee@bank.example.com")


def test_a_new_platform_user_with_an_unknown_email_still_gets_a_new_employee(registered, platform):
    _, response, _ = launch(platform, user_id="newcomer", email="newcomer@bank.example.com")
    assert response.status_code == 302 and not response.headers["Location"].endswith("/lti/link")
    newcomer = person_by_email("newcomer@bank.example.com")
    assert newcomer.permissions == {"employee"} and _identity_of("newcomer").person_id == newcomer.id


def test_signing_in_once_links_the_account_and_later_launches_open_it(registered, platform, tool_url):
    session, response, _ = launch(platform, user_id="moodle-manager", email="manager@bank.example.com",
                                  custom={"target": "module:what-is-cx"})
    assert response.headers["Location"].endswith("/lti/link")
    link_page = f"{tool_url}/lti/link"
    wrong = session.post(link_page, data={"email": "manager@bank.example.com", "password": "not-it"}, timeout=10)
    assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
    assert _identity_of("moodle-manager") is None

    linked = session.post(link_page, data={"email": "manager@bank.example.com", "password": DEMO_PASSWORD},
                          allow_redirects=False, timeout=10)
    assert linked.status_code == 302 and linked.headers["Location"].endswith("/learn/what-is-cx")
    manager = person_by_email("manager@bank.example.com")
    assert _identity_of("moodle-manager").person_id == manager.id
    assert manager.permissions == {"manager", "employee"}
    assert _logged_in_as(session, tool_url, "manager@bank.example.com")
    assert db.session.scalar(select(func.count()).select_from(LtiPendingLink)) == 0
    assert session.get(link_page, timeout=10).status_code == 400  # used once

    again, response, _ = launch(platform, user_id="moodle-manager", email="manager@bank.example.com")
    assert response.status_code == 302 and not response.headers["Location"].endswith("/lti/link")
    assert _logged_in_as(again, tool_url, "manager@bank.example.com")


@pytest.mark.parametrize("email", ["employee@bank.example.com", "admin@retail.example.com"])
def test_another_person_or_organisation_cannot_complete_the_link(registered, platform, tool_url, email):
    session, response, _ = launch(platform, user_id="moodle-hr", email="hr@bank.example.com")
    assert response.headers["Location"].endswith("/lti/link")
    other = session.post(f"{tool_url}/lti/link", data={"email": email, "password": DEMO_PASSWORD},
                         allow_redirects=False, timeout=10)
    assert other.status_code == 403 and "another account" in other.text
    assert _identity_of("moodle-hr") is None
    assert not _logged_in_as(session, tool_url, email)


def test_the_pending_link_belongs_to_the_launching_browser_only(registered, platform, tool_url):
    session, response, _ = launch(platform, user_id="moodle-admin", email="admin@bank.example.com")
    assert response.headers["Location"].endswith("/lti/link")
    pending = db.session.scalar(select(LtiPendingLink))
    stranger = requests.Session()  # a victim's browser: the launch cannot be carried over in the address
    refused = stranger.post(f"{tool_url}/lti/link?token={pending.id}&link={pending.id}",
                            data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD}, timeout=10)
    assert refused.status_code == 400 and "did not start in this browser" in refused.text
    assert _identity_of("moodle-admin") is None
    owner = session.post(f"{tool_url}/lti/link", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD},
                         allow_redirects=False, timeout=10)
    assert owner.status_code == 302 and _identity_of("moodle-admin") is not None  # the launching browser can


def test_an_expired_pending_link_cannot_be_completed(registered, platform, tool_url):
    session, _, _ = launch(platform, user_id="slow", email="employee@bank.example.com")
    pending = db.session.scalar(select(LtiPendingLink))
    pending.expires_at -= timedelta(hours=1)
    db.session.commit()
    late = session.post(f"{tool_url}/lti/link", data={"email": "employee@bank.example.com",
                                                      "password": DEMO_PASSWORD}, timeout=10)
    assert late.status_code == 400 and "has expired" in late.text
    assert _identity_of("slow") is None


# Part 3: roles in a course say nothing about the organisation -------------------------------------------------------

@pytest.mark.parametrize("roles", [
    [COURSE_ADMINISTRATOR], [INSTRUCTOR], [INSTITUTION_ADMINISTRATOR], [SYSTEM_ADMINISTRATOR, INSTRUCTOR],
    ["Administrator"], ["urn:lti:role:ims/lis/Administrator"],
])
def test_unmapped_roles_grant_nothing_beyond_employee(registered, platform, roles):
    _, response, _ = launch(platform, user_id="teacher", roles=roles)
    assert response.status_code == 302
    assert _identity_of("teacher").person.permissions == {"employee"}


def _registration_form(registration: LtiRegistration, rows, **changes) -> dict:
    data = {"name": registration.name, "issuer": registration.issuer, "client_id": registration.client_id,
            "deployment_ids": "\n".join(registration.deployment_ids), "auth_login_url": registration.auth_login_url,
            "auth_token_url": registration.auth_token_url, "key_set_url": registration.key_set_url, **changes}
    for index, (kind, role, permission) in enumerate(rows):
        data |= {f"role_mappings-{index}-kind": kind, f"role_mappings-{index}-role": role,
                 f"role_mappings-{index}-permission": permission}
    return data


def _mappings(registration: LtiRegistration) -> set[tuple[str, str, str]]:
    db.session.expire_all()
    return {(m.kind, m.role, m.permission) for m in db.session.get(LtiRegistration, registration.id).role_mappings}


def test_an_institution_role_grants_what_the_administrator_mapped_and_no_more(
        registered, platform, tool_url, client, login_as):
    login_as("admin", org="bank")
    rows = [("context", "Learner", "employee"), ("context", "Instructor", "manager"),
            ("institution", "administrator", "admin")]
    saved = client.post(f"/admin/lms/platforms/{registered.id}", data=_registration_form(registered, rows))
    assert saved.status_code == 302, saved.text
    assert _mappings(registered) == {("context", "Learner", "employee"), ("context", "Instructor", "manager"),
                                     ("institution", "Administrator", "admin")}

    launch(platform, user_id="it-admin", roles=[INSTITUTION_ADMINISTRATOR, INSTRUCTOR])
    person = _identity_of("it-admin").person
    assert person.permissions == {"employee", "manager", "admin"}
    assert {r.granted_by for r in person.permission_rows} == {GRANTED_BY_LMS}
    launch(platform, user_id="it-admin", roles=[COURSE_ADMINISTRATOR])  # no longer an institution administrator
    db.session.refresh(person)
    assert person.permissions == {"employee"}


def test_a_launch_never_removes_or_adds_permissions_set_by_hand(registered, platform, client, login_as):
    _vouch_for_emails(registered)
    launch(platform, user_id="bank-employee", email="employee@bank.example.com", roles=[LEARNER])
    employee = person_by_email("employee@bank.example.com")
    login_as("admin", org="bank")
    registered = db.session.get(LtiRegistration, registered.id)
    client.post(f"/admin/lms/platforms/{registered.id}", data=_registration_form(
        registered, [("context", "Instructor", "manager")], emails_verified="y"))
    employee.permissions = employee.permissions | {"hr"}  # by hand, as the people page does
    db.session.commit()

    launch(platform, user_id="bank-employee", roles=[INSTRUCTOR])
    db.session.refresh(employee)
    assert employee.permissions == {"employee", "hr", "manager"}
    launch(platform, user_id="bank-employee", roles=[LEARNER])
    db.session.refresh(employee)
    assert employee.permissions == {"employee", "hr"}  # the LMS's manager went; the hand-set hr stayed
    origins = dict(db.session.execute(select(PersonPermission.name, PersonPermission.granted_by)
                                      .where(PersonPermission.person_id == employee.id)).all())
    assert origins == {"employee": GRANTED_BY_HAND, "hr": GRANTED_BY_HAND}


def test_an_administrator_keeps_admin_whatever_the_platform_says(registered, platform, tool_url):
    session, _, _ = launch(platform, user_id="boss", email="admin@bank.example.com", roles=[LEARNER])
    session.post(f"{tool_url}/lti/link", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD},
                 timeout=10)
    admin = person_by_email("admin@bank.example.com")
    assert _identity_of("boss").person_id == admin.id
    assert admin.permissions == {"admin", "employee"}
    assert db.session.scalar(select(PersonPermission.granted_by).where(
        PersonPermission.person_id == admin.id, PersonPermission.name == "admin")) == GRANTED_BY_HAND


# The registration page: the role table and the verified flag ---------------------------------------------------------

def test_a_new_registration_starts_with_the_safe_defaults(client, login_as, registered):
    login_as("admin", org="bank")
    page = client.get("/admin/lms/platforms/new")
    assert page.status_code == 200 and "Roles and permissions" in page.text
    assert 'value="Learner"' in page.text and 'value="Instructor"' in page.text
    assert _mappings(registered) == {("context", "Learner", "employee"), ("context", "Instructor", "employee")}
    assert registered.emails_verified is False
    edit = client.get(f"/admin/lms/platforms/{registered.id}")
    assert "e-mail addresses are verified" in edit.text and 'name="emails_verified"' in edit.text


@pytest.mark.parametrize("row, field, words", [
    (("context", "Instructor", "admin"), "permission", "A course role cannot grant Administrator, HR or Leadership"),
    (("context", "Learner", "hr"), "permission", "A course role cannot grant Administrator, HR or Leadership"),
    (("context", COURSE_ADMINISTRATOR, "leader"), "permission", "A course role cannot grant"),
    (("context", INSTITUTION_ADMINISTRATOR, "admin"), "kind", "institution or system role"),
    (("institution", COURSE_ADMINISTRATOR, "employee"), "kind", "is a course role"),
    (("institution", "https://example.com/roles#Boss", "admin"), "role", "not an LTI role"),
    (("context", "Teaching Assistant", "employee"), "role", "without spaces"),
    (("institution", "Administrator", "superuser"), "permission", "Choose a permission"),
    (("somewhere", "Administrator", "admin"), "kind", "course role or an institution role"),
])
def test_a_bad_role_table_names_the_line_and_changes_nothing(client, login_as, registered, row, field, words):
    login_as("admin", org="bank")
    before = _mappings(registered)
    rows = [("context", "Learner", "employee"), row]
    response = client.post(f"/admin/lms/platforms/{registered.id}",
                           data=_registration_form(registered, rows, emails_verified="y"))
    assert response.status_code == 400 and words in response.text
    assert f'id="role_mappings-1-{field}-error"' in response.text
    assert _mappings(registered) == before
    assert db.session.get(LtiRegistration, registered.id).emails_verified is False


def test_the_verified_flag_and_an_emptied_line_are_saved(client, login_as, registered):
    login_as("admin", org="bank")
    rows = [("context", "Learner", "employee"), ("context", "", "employee")]
    saved = client.post(f"/admin/lms/platforms/{registered.id}",
                        data=_registration_form(registered, rows, emails_verified="y"))
    assert saved.status_code == 302
    assert _mappings(registered) == {("context", "Learner", "employee")}
    assert db.session.get(LtiRegistration, registered.id).emails_verified is True


# Migration 0008 on a database that already has launches ---------------------------------------------------------------

def test_migration_gives_existing_registrations_the_safe_table_and_marks_what_a_launch_granted(app):
    from datetime import datetime

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    db.drop_all()
    upgrade(revision="0006")
    t0 = datetime(2026, 11, 1, 9, 0, 0)
    tables = {name: sa.Table(name, sa.MetaData(), autoload_with=db.engine)
              for name in ("organisation", "person", "person_permission", "lti_registration", "lti_identity")}
    with db.engine.begin() as connection:
        def insert(table, **values):
            connection.execute(tables[table].insert().values(**values))

        insert("organisation", id=1, name="Bank", slug="bank", default_language="en", anonymity_threshold=5,
               benchmark_opt_in=False, created_at=t0)
        insert("lti_registration", id=1, organisation_id=1, name="Moodle", issuer="https://moodle.example.com",
               client_id="c", deployment_ids=["1"], auth_login_url="https://m/a", auth_token_url="https://m/t",
               key_set_url="https://m/k", created_at=t0)
        for person_id, email, created in ((1, "lti-x@lms.invalid", t0), (2, "boss@bank.example.com", t0)):
            insert("person", id=person_id, organisation_id=1, email=email, name=email, active=True,
                   session_token="t" * 32, created_at=created)
        insert("lti_identity", id=1, organisation_id=1, person_id=1, issuer="https://moodle.example.com",
               subject="created-by-a-launch", created_at=t0 + timedelta(seconds=1))
        insert("lti_identity", id=2, organisation_id=1, person_id=2, issuer="https://moodle.example.com",
               subject="linked-by-email-later", created_at=t0 + timedelta(days=20))
        for person_id, name in ((1, "employee"), (1, "manager"), (1, "hr"), (2, "admin"), (2, "employee")):
            insert("person_permission", person_id=person_id, name=name)
    upgrade(revision="0008")
    with db.engine.connect() as connection:
        granted = set(connection.execute(sa.text("SELECT person_id, name, granted_by FROM person_permission")))
        mappings = set(connection.execute(sa.text(
            "SELECT organisation_id, registration_id, kind, role, permission FROM lti_role_mapping")))
        verified = connection.execute(sa.text("SELECT emails_verified FROM lti_registration")).scalar_one()
    assert granted == {(1, "employee", "lms"), (1, "manager", "lms"), (1, "hr", "admin"),
                       (2, "admin", "admin"), (2, "employee", "admin")}
    assert mappings == {(1, 1, "context", "Learner", "employee"), (1, 1, "context", "Instructor", "employee")}
    assert not verified
    downgrade(revision="base")
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))
