"""Every registered route, walked as each demo account of the other organisation: nothing leaks, nothing changes.

When a new route takes an argument this test does not know, it fails and asks for an entry in ARGUMENTS,
so no route escapes the walk.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cxculture.api.models import ApiToken
from cxculture.api.tokens import create_token
from cxculture.assessments.models import ActionItem, Campaign, Instrument, PulseSeries
from cxculture.auth.login_sessions import start_session
from cxculture.auth.models import LoginSession
from cxculture.cafes.models import AgendaItem, Cafe, CafeDecision
from cxculture.downloads.models import Download
from cxculture.extensions import db
from cxculture.kpis.models import Behaviour, Kpi, KpiBehaviourLink, KpiImport, KpiValue, RewardComponent, RewardPlan
from cxculture.listening.models import JourneyStage, Remark, Touchpoint
from cxculture.lms.models import LtiCourse, LtiLaunch, LtiRegistration, LtiRegistrationUrl
from cxculture.modules.models import Assignment, Certificate, Module, PathItem, QuizAttempt, TrainingPath
from cxculture.orgs.models import JobRole, Person, RosterImport, Team
from cxculture.webhooks.models import WebhookSubscription
from tests.conftest import login
from tests.modules.conftest import RIGHT_ANSWERS, submit_drawn

#: Endpoints anyone may reach whatever their organisation (a token is the credential, or no data is shown).
PUBLIC_ENDPOINTS = {
    "static", "healthz", "auth.login", "auth.logout", "auth.set_language", "auth.accept_invitation",
    "auth.end_all_sessions",  # the caller's own sessions only (and walking it would log the intruder out)
    "modules.verify_certificate",  # a certificate code is public proof by design
    "lms.oidc_login", "lms.launch", "lms.tool_jwks",  # LTI: the signed id_token is the credential; JWKS are public keys
    "lms.link_account",  # a launch held in this browser's session, then the account's own password
    # Single sign-on: an organisation's public sign-in page; the provider's signed ID token is the credential.
    "sso.sign_in", "sso.start_login", "sso.callback",
    "lms.dynamic_registration",  # the one-time secret in the URL is the credential (tests/lms/test_dynamic_*)
    "privacy.show_privacy",  # the installation's privacy page: declarations, no one's data
    "privacy.export_own_data",  # the caller's own data only
}
#: Blueprints whose credential is an organisation's bearer token, never a session: a logged-in intruder is refused
#: them all (401); their own tests walk them with one organisation's token against the other's ids
#: (tests/scim/test_users.py, tests/api: every endpoint's tenancy).
TOKEN_BLUEPRINTS = ("scim_protocol.", "api_v1.")
ACCOUNTS = ("admin", "leader", "hr", "manager", "employee")
ORGANISATIONS = {"retail": ("demo-retail", "Demo Retail"), "bank": ("demo-bank", "Demo Bank")}


def _first_id(model, organisation):
    return db.session.scalar(select(model.id).where(model.organisation_id == organisation.id).order_by(model.id))


def _path_item_id(org):
    return db.session.scalar(
        select(PathItem.id).join(TrainingPath).where(TrainingPath.organisation_id == org.id).order_by(PathItem.id))


def _module_slug(org):
    return db.session.scalar(select(Module.slug).order_by(Module.slug))


def _certificate_code(org):
    return db.session.scalar(select(Certificate.code).where(Certificate.organisation_id == org.id))


#: How to find, in the victim organisation, a value for each URL argument.
ARGUMENTS = {
    "person_id": lambda org: _first_id(Person, org),
    "team_id": lambda org: _first_id(Team, org),
    "job_role_id": lambda org: _first_id(JobRole, org),
    "role_id": lambda org: _first_id(JobRole, org),
    "import_id": lambda org: _first_id(RosterImport, org),
    "attempt_id": lambda org: _first_id(QuizAttempt, org),
    "assignment_id": lambda org: _first_id(Assignment, org),
    "item_id": _path_item_id,
    "code": _certificate_code,
    "action_id": lambda org: _first_id(ActionItem, org),
    "campaign_id": lambda org: _first_id(Campaign, org),
    "series_id": lambda org: _first_id(PulseSeries, org),
    "instrument_id": lambda org: _first_id(Instrument, org),
    "pillar": lambda org: "vision",
    "kpi_import_id": lambda org: _first_id(KpiImport, org),
    "kpi_value_id": lambda org: _first_id(KpiValue, org),
    "cafe_id": lambda org: _first_id(Cafe, org),
    "agenda_item_id": lambda org: db.session.scalar(
        select(AgendaItem.id).join(Cafe).where(Cafe.organisation_id == org.id).order_by(AgendaItem.id)),
    "decision_id": lambda org: db.session.scalar(
        select(CafeDecision.id).join(Cafe).where(Cafe.organisation_id == org.id).order_by(CafeDecision.id)),
    "kpi_id": lambda org: _first_id(Kpi, org),
    "behaviour_id": lambda org: _first_id(Behaviour, org),
    "link_id": lambda org: db.session.scalar(select(KpiBehaviourLink.id).join(Kpi).where(
        Kpi.organisation_id == org.id).order_by(KpiBehaviourLink.id)),
    "plan_id": lambda org: _first_id(RewardPlan, org),
    "component_id": lambda org: db.session.scalar(select(RewardComponent.id).join(RewardPlan).where(
        RewardPlan.organisation_id == org.id).order_by(RewardComponent.id)),
    "registration_id": lambda org: _first_id(LtiRegistration, org),
    "course_id": lambda org: _first_id(LtiCourse, org),
    "url_id": lambda org: _first_id(LtiRegistrationUrl, org),
    "launch_id": lambda org: db.session.scalar(select(LtiLaunch.id).where(LtiLaunch.organisation_id == org.id)),
    "session_row_id": lambda org: db.session.scalar(
        select(LoginSession.id).join(Person).where(Person.organisation_id == org.id).order_by(LoginSession.id)),
    "download_id": lambda org: _first_id(Download, org),
    "stage_id": lambda org: _first_id(JourneyStage, org),
    "touchpoint_id": lambda org: _first_id(Touchpoint, org),
    "remark_id": lambda org: _first_id(Remark, org),
    "subscription_id": lambda org: _first_id(WebhookSubscription, org),
    "token_id": lambda org: _first_id(ApiToken, org),
    # Library content is shared by the installation: these name no organisation's data.
    "slug": _module_slug,
    "lesson_id": lambda org: "lesson-1",
    "sheet_id": lambda org: "journey-sheet",  # the fixture library's worksheet
}
#: Arguments that do not belong to an organisation: a route taking only these may answer 200.
SHARED_ARGUMENTS = {"slug", "lesson_id", "sheet_id"}


def _victim_rows(organisation) -> dict:
    """Every row that belongs to the organisation, to prove a walk changed nothing."""
    rows = {}
    for table in db.metadata.sorted_tables:
        if "organisation_id" in table.c:
            result = db.session.execute(select(table).where(table.c.organisation_id == organisation.id))
            rows[table.name] = sorted(tuple(map(str, r)) for r in result)
    person_ids = select(Person.id).where(Person.organisation_id == organisation.id)
    permissions = db.metadata.tables["person_permission"]
    rows["person_permission"] = sorted(
        tuple(map(str, r))
        for r in db.session.execute(select(permissions).where(permissions.c.person_id.in_(person_ids)))
    )
    rows["login_session"] = sorted(
        db.session.scalars(select(LoginSession.id).where(LoginSession.person_id.in_(person_ids))).all())
    return rows


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(TOKEN_BLUEPRINTS):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


@pytest.mark.parametrize("victim, intruder", [("retail", "bank"), ("bank", "retail")])
def test_other_organisation_sees_and_changes_nothing(app, client, trained, victim, intruder):
    victim_org = trained[ORGANISATIONS[victim][0]]
    _give_victim_training_records(victim_org)
    before = _victim_rows(victim_org)
    markers = [f"@{victim}.example.com", ORGANISATIONS[victim][1]]
    unknown = sorted({a for rule, _ in _routes(app) for a in rule.arguments if a not in ARGUMENTS})
    assert not unknown, f"add these URL arguments to ARGUMENTS so the walk covers them: {unknown}"

    checked = 0
    for account in ACCOUNTS:
        client.post("/logout")
        login(client, f"{account}@{intruder}.example.com")
        for rule, method in _routes(app):
            values = {name: ARGUMENTS[name](victim_org) for name in rule.arguments}
            url = app.url_for(rule.endpoint, **values, _external=False) if values else rule.rule
            response = client.open(url, method=method, data={})
            body = response.get_data().decode("utf-8", "replace")  # PDFs are binary
            where = f"{method} {url} as {account}@{intruder}"
            assert response.status_code < 500, where
            for marker in markers:
                assert marker not in body, f"{where} shows {marker!r}"
            if set(values) - SHARED_ARGUMENTS:
                assert response.status_code in (403, 404), f"{where} answered {response.status_code}"
            checked += 1
    assert checked > 20
    assert _victim_rows(victim_org) == before


def _give_victim_training_records(organisation) -> None:
    """One of everything a URL can name: roster import, quiz attempt, assignment, certificate."""
    from cxculture.modules.plan import build_plan
    from cxculture.modules.progress import start_module

    db.session.add(RosterImport(organisation_id=organisation.id, filename="secret.csv", content=b"email,name\n"))
    db.session.add(WebhookSubscription(organisation_id=organisation.id, url="https://hooks.example.com/secret",
                                       description="Secret receiver", events=["module.completed"],
                                       secret="whsec_c2VjcmV0", status="active"))
    person = db.session.scalar(
        select(Person).where(Person.organisation_id == organisation.id, Person.email.like("employee@%"))
    )
    start_session(person)  # logged in somewhere: a session the intruder must not end
    entry = build_plan(person).entries[0]
    progress = start_module(person, entry)
    submit_drawn(person, entry, "quiz", progress.module_version_id, f"victim-{organisation.id}", RIGHT_ANSWERS)
    module = db.session.scalar(select(Module).order_by(Module.id.desc()))
    db.session.add(Assignment(organisation_id=organisation.id, person_id=person.id, module_id=module.id))
    db.session.add(
        Certificate(
            organisation_id=organisation.id,
            person_id=person.id,
            job_role_id=person.job_role_id,
            person_name=person.name,
            organisation_name=organisation.name,
            role_name_en="x",
            role_name_it="x",
            modules=[],
        )
    )
    db.session.add(
        KpiImport(
            organisation_id=organisation.id, kind="values", filename="secret.csv", content=b"period,kpi,email,value\n"
        )
    )
    kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id, Kpi.key == "fcr"))
    db.session.add(
        KpiValue(organisation_id=organisation.id, kpi_id=kpi.id, period="2026-Q3", person_id=person.id, value=71.0)
    )
    db.session.add(Download(organisation_id=organisation.id, requested_by_id=person.id, kind="html",
                            title="Secret file", filename="secret.pdf", html="<p>secret</p>", status="queued"))
    db.session.add(
        ActionItem(
            organisation_id=organisation.id,
            pillar="listening",
            title="Secret action",
            owner_id=person.id,
            due_date=date.today(),
        )
    )
    from cxculture.assessments.instruments import copy_instrument, sync_shipped_instruments

    kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id).order_by(Kpi.id))
    plan = RewardPlan(organisation_id=organisation.id, job_role_id=person.job_role_id, period="2019-Q1")
    plan.components.append(RewardComponent(kpi_id=kpi.id, weight=100, target=kpi.max_value or 1))
    db.session.add(plan)
    registration = LtiRegistration(
        organisation_id=organisation.id,
        name="Secret Moodle",
        issuer=f"https://lms{organisation.id}.example",
        client_id="secret",
        deployment_ids=["1"],
        auth_login_url="https://lms.example/auth",
        auth_token_url="https://lms.example/token",
        key_set_url="https://lms.example/jwks",
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        LtiLaunch(
            id=f"lti1p3-launch-victim-{organisation.id}",
            organisation_id=organisation.id,
            registration_id=registration.id,
            person_id=person.id,
            message_type="LtiDeepLinkingRequest",
            claims={},
        )
    )
    db.session.add(LtiCourse(organisation_id=organisation.id, registration_id=registration.id, context_id="c-1",
                             title="Secret course", memberships_url="https://lms.example/members", sync_status=""))
    db.session.add(LtiRegistrationUrl(organisation_id=organisation.id, token_digest=f"{organisation.id:064d}",
                                      token_hint="cxltireg_…0000", expires_at=datetime.now() + timedelta(days=1)))
    own = copy_instrument(organisation.id, sync_shipped_instruments()[0], "victim-copy")
    db.session.add(
        Campaign(
            organisation_id=organisation.id,
            instrument=own,
            title="Secret campaign",
            status="open",
            opens_on=date.today(),
            closes_on=date.today(),
        )
    )
    db.session.add(PulseSeries(organisation_id=organisation.id, instrument=own, title="Secret pulse",
                               item_keys=[own.items[0]["key"]], cadence="monthly", starts_on=date.today(),
                               round_days=7, status="active"))
    _give_victim_cafe(organisation)
    create_token(organisation.id, name="Secret BI", scopes=["people:read"], days=30)
    _give_victim_remark(organisation, person)
    db.session.commit()


def _give_victim_remark(organisation, person) -> None:
    """The starter journey and a remark at its first touchpoint."""
    from cxculture.listening.journey import touchpoints_of
    from cxculture.listening.remarks import RemarkEntry, log_remark

    log_remark(person, RemarkEntry(touchpoints_of(organisation.id)[0].id, "phone", "Secret remark", "angry"))


def _give_victim_cafe(organisation) -> None:
    """A café with an agenda item and a decision (no guest of the other organisation is invited)."""
    from datetime import datetime

    cafe = Cafe(
        organisation_id=organisation.id,
        title="Secret café",
        starts_at=datetime.now(),
        location="Room",
        language=organisation.default_language,
        focus_pillars=[],
    )
    cafe.agenda.append(AgendaItem(kind="free", title="Secret item", prompts=[], notes="", snapshot={}, position=1))
    cafe.decisions.append(CafeDecision(text="Secret decision", published=True))
    db.session.add(cafe)


def test_every_view_requires_login(app, client, demo):
    for rule, method in _routes(app):
        values = dict.fromkeys(rule.arguments, 1)
        url = app.url_for(rule.endpoint, **values, _external=False) if values else rule.rule
        response = client.open(url, method=method, data={})
        assert response.status_code in (302, 401, 404), f"{method} {url} answered {response.status_code}"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], f"{method} {url}"
