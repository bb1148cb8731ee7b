"""End-to-end LTI 1.3 against a real platform (lti1p3platform) over HTTP on loopback, and the hardened checks."""
from __future__ import annotations

import time

import jwt
import pytest
import requests
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.lms.models import GradeLink, LtiIdentity, LtiNonce
from cxculture.modules.models import Assignment
from cxculture.orgs.models import Person
from tests.assessments.results_factories import open_now

from .conftest import launch
from .platform import new_key_pem

pytestmark = pytest.mark.slow

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Person)),
            db.session.scalar(select(func.count()).select_from(LtiIdentity)),
            db.session.scalar(select(func.count()).select_from(GradeLink)))


def test_learner_launch_creates_the_person_and_lands_on_the_module(registered, platform, tool_url):
    session, response, _ = launch(platform, user_id="moodle-42", name="Giulia Bianchi", email="giulia@moodle.example",
                                  custom={"target": "module:what-is-cx"})
    assert response.status_code == 302, response.text
    assert response.headers["Location"].endswith("/learn/what-is-cx")
    person = db.session.scalar(select(Person).join(LtiIdentity).where(LtiIdentity.subject == "moodle-42"))
    assert person.name == "Giulia Bianchi" and person.email == "giulia@moodle.example"
    assert person.permissions == {"employee"} and person.organisation_id == registered.organisation_id
    assert db.session.scalar(select(Assignment).where(Assignment.person_id == person.id)) is not None
    page = session.get(tool_url + "/learn/what-is-cx", timeout=10)
    assert (
        page.status_code == 200 and "frame-ancestors 'self' " + platform.url in page.headers["Content-Security-Policy"]
    )
    # A second launch finds the same person (issuer + sub); unmapped roles grant nothing (see test_lti_trust.py).
    before = _counts()
    launch(platform, user_id="moodle-42", roles=[INSTRUCTOR, ADMINISTRATOR])
    assert _counts() == before
    db.session.refresh(person)
    assert person.permissions == {"employee"}


def test_launch_without_email_or_target_lands_on_the_plan(registered, platform):
    _, response, _ = launch(platform, user_id="anon-7", ags=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    person = db.session.scalar(select(Person).join(LtiIdentity).where(LtiIdentity.subject == "anon-7"))
    assert person.email.endswith("@lms.invalid") and person.name == "LMS user"


def test_unknown_platform_key_triggers_one_refresh(registered, platform):
    launch(platform, user_id="first")
    before = platform.jwks_requests
    platform.rotate_key()
    _, response, _ = launch(platform, user_id="after-rotation")
    assert response.status_code == 302, response.text
    assert platform.jwks_requests == before + 1


def _sign(platform, message, *, key=None, algorithm="RS256", kid=None, **claims):
    message = {**message, **claims}
    private = key or platform.private_pem
    from jwcrypto.jwk import JWK

    headers = {"kid": kid or JWK.from_pem(platform.public_pem.encode()).thumbprint()}
    return jwt.encode(message, private, algorithm=algorithm, headers=headers)


def _now():
    return int(time.time())


def _wrong_aud(platform, registration, message, state):
    return {
        "state": state,
        "id_token": _sign(platform, message, aud="another-tool", azp="another-tool", iat=_now(), exp=_now() + 300),
    }


def _several_aud_no_azp(platform, registration, message, state):
    message = {k: v for k, v in message.items() if k != "azp"}
    return {
        "state": state,
        "id_token": _sign(platform, message, aud=[platform.client_id, "other"], iat=_now(), exp=_now() + 300),
    }


def _expired(platform, registration, message, state):
    return {"state": state, "id_token": _sign(platform, message, iat=_now() - 900, exp=_now() - 600)}


def _issued_in_future(platform, registration, message, state):
    return {"state": state, "id_token": _sign(platform, message, iat=_now() + 900, exp=_now() + 1200)}


def _alg_none(platform, registration, message, state):
    token = jwt.encode({**message, "iat": _now(), "exp": _now() + 300}, None, algorithm="none", headers={"kid": "x"})
    return {"state": state, "id_token": token}


def _hs256(platform, registration, message, state):
    return {
        "state": state,
        "id_token": _sign(
            platform,
            message,
            key="a-shared-secret-of-32-bytes-or-more!",
            algorithm="HS256",
            iat=_now(),
            exp=_now() + 300,
        ),
    }


def _bad_signature(platform, registration, message, state):
    other_private, _ = new_key_pem()
    return {"state": state, "id_token": _sign(platform, message, key=other_private, iat=_now(), exp=_now() + 300)}


def _unknown_deployment(platform, registration, message, state):
    message = {**message, "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-registered"}
    return {"state": state, "id_token": _sign(platform, message, iat=_now(), exp=_now() + 300)}


def _foreign_nonce(platform, registration, message, state):
    return {"state": state, "id_token": _sign(platform, message, nonce="never-issued", iat=_now(), exp=_now() + 300)}


@pytest.mark.parametrize(
    "tamper, code, words",
    [
        (_wrong_aud, "registration", "not registered"),
        (_several_aud_no_azp, "audience", "not meant for CX Culture"),
        (_expired, "expired", "has expired"),
        (_issued_in_future, "expired", "has expired"),
        (_alg_none, "algorithm", "algorithm"),
        (_hs256, "algorithm", "algorithm"),
        (_bad_signature, "signature", "signature"),
        (_unknown_deployment, "deployment", "deployment"),
        (_foreign_nonce, "nonce", "already used"),
    ],
)
def test_bad_launches_get_a_clear_4xx_and_create_nothing(registered, platform, tamper, code, words):
    before = _counts()
    _, response, _ = launch(platform, user_id=f"attacker-{code}", custom={"target": "module:what-is-cx"}, tamper=tamper)
    assert 400 <= response.status_code < 500, response.status_code
    assert words in response.text and f"<code>{code}</code>" in response.text
    assert _counts() == before


def test_a_replayed_launch_is_refused(registered, platform):
    session, first, data = launch(platform, user_id="replay")
    assert first.status_code == 302
    before = _counts()
    session.cookies.set(f"lti1p3-{data['state']}", data["state"])  # even with the state cookie put back
    again = session.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 400 and "already used" in again.text
    assert _counts() == before
    assert db.session.scalar(select(func.count()).select_from(LtiNonce).where(LtiNonce.used_at.is_not(None))) == 1


def test_a_launch_from_another_browser_fails_the_state_check(registered, platform):
    session = requests.Session()
    login = session.get(platform.login_url(user_id="victim"), allow_redirects=False, timeout=10)
    data = session.get(login.headers["Location"], timeout=10).json()
    before = _counts()
    stranger = requests.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
        timeout=10,
    )
    assert stranger.status_code == 400 and "did not start in this browser" in stranger.text
    assert _counts() == before


@pytest.mark.parametrize(
    "params",
    [
        {"iss": "https://unknown.example", "login_hint": "u1"},
        {"login_hint": "u1"},
        {"iss": "ISSUER", "login_hint": "u1", "client_id": "not-ours"},
    ],
)
def test_a_login_from_an_unknown_platform_is_refused(registered, platform, tool_url, params):
    params = {k: (platform.url if v == "ISSUER" else v) for k, v in params.items()}
    response = requests.get(f"{tool_url}/lti/login", params=params, allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "unknown platform" in response.text
    assert db.session.scalar(select(func.count()).select_from(LtiNonce)) == 0


def test_links_to_a_campaign_and_a_path_land_where_they_point(registered, platform):
    from datetime import date

    from cxculture.assessments.instruments import sync_shipped_instruments
    from cxculture.assessments.models import Campaign
    from cxculture.modules.models import TrainingPath

    instrument = sync_shipped_instruments()[0]
    campaign = Campaign(
        organisation_id=registered.organisation_id,
        instrument=instrument,
        title="Spring check",
        status="open",
        opens_on=date.today(),
        closes_on=date.today(),
    )
    db.session.add(campaign)
    open_now(campaign)
    _, response, _ = launch(platform, user_id="camp-1", custom={"target": f"campaign:{campaign.id}"})
    assert response.headers["Location"].endswith(f"/assessments/{campaign.id}/answer")
    campaign.status = "closed"
    db.session.commit()
    _, closed, _ = launch(platform, user_id="camp-1", custom={"target": f"campaign:{campaign.id}"})
    assert closed.status_code == 302 and closed.headers["Location"].endswith("/")

    path = db.session.scalar(select(TrainingPath).where(TrainingPath.organisation_id == registered.organisation_id))
    _, response, _ = launch(platform, user_id="path-1", custom={"target": f"path:{path.id}"})
    assert response.headers["Location"].endswith("/home/employee")
    person = db.session.scalar(select(Person).join(LtiIdentity).where(LtiIdentity.subject == "path-1"))
    assert person.job_role_id == path.job_role_id


def test_a_link_to_another_organisations_content_is_refused(registered, platform, trained):
    from cxculture.modules.models import TrainingPath

    other = db.session.scalar(select(TrainingPath).where(TrainingPath.organisation_id != registered.organisation_id))
    before = _counts()
    _, response, _ = launch(platform, user_id="nosy", custom={"target": f"path:{other.id}"})
    assert response.status_code == 404 and "not available any more" in response.text
    assert _counts() == before
