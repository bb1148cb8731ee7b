"""The scheduled sweep deletes what has expired, and only that."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cxculture.auth.models import LoginFailure, LoginSession
from cxculture.extensions import db
from cxculture.jobs.health import record_heartbeat
from cxculture.jobs.models import WorkerHeartbeat
from cxculture.lms.models import LtiNonce, LtiPendingLink, LtiRegistration
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow


def _names(model, column) -> set:
    db.session.expire_all()
    return set(db.session.scalars(select(column)))


def test_the_sweep_deletes_only_what_has_expired(app, demo):
    now = utcnow()
    person = person_by_email("employee@retail.example.com")
    registration = LtiRegistration(
        organisation_id=person.organisation_id, name="Moodle", issuer="https://lms.example.com", client_id="c",
        deployment_ids=["1"], auth_login_url="https://lms.example.com/auth", auth_token_url="https://lms.example.com/t",
        key_set_url="https://lms.example.com/jwks")
    db.session.add(registration)
    db.session.flush()
    db.session.add_all([
        LtiNonce(nonce="expired", created_at=now - timedelta(minutes=20), expires_at=now - timedelta(seconds=1)),
        LtiNonce(nonce="used-but-live", created_at=now, expires_at=now + timedelta(minutes=5), used_at=now),
        LtiNonce(nonce="live", created_at=now, expires_at=now + timedelta(minutes=5)),
        *(LtiPendingLink(id=name, organisation_id=person.organisation_id, registration_id=registration.id,
                         person_id=person.id, subject="s", launch_id="l", claims={}, created_at=now,
                         expires_at=now + offset)
          for name, offset in (("expired-link", -timedelta(seconds=1)), ("live-link", timedelta(minutes=5)))),
        # Idle limit 120 minutes, absolute limit 12 hours (the defaults).
        LoginSession(person_id=person.id, token_hash="idle", created_at=now - timedelta(hours=3),
                     last_seen_at=now - timedelta(minutes=121)),
        LoginSession(person_id=person.id, token_hash="too-old", created_at=now - timedelta(hours=12, minutes=1),
                     last_seen_at=now),
        LoginSession(person_id=person.id, token_hash="live", created_at=now - timedelta(hours=11),
                     last_seen_at=now - timedelta(minutes=119)),
        # The throttling window is 24 hours.
        LoginFailure(email="old@x.example", at=now - timedelta(hours=24, minutes=1)),
        LoginFailure(email="recent@x.example", at=now - timedelta(hours=23)),
    ])
    record_heartbeat("celery@gone", now=now - timedelta(days=1, minutes=1))
    record_heartbeat("celery@here", now=now - timedelta(minutes=5))
    db.session.commit()

    app.extensions["celery"].tasks["jobs.sweep_expired"].apply()

    assert _names(LtiNonce, LtiNonce.nonce) == {"used-but-live", "live"}
    assert _names(LtiPendingLink, LtiPendingLink.id) == {"live-link"}
    assert _names(LoginSession, LoginSession.token_hash) == {"live"}
    assert _names(LoginFailure, LoginFailure.email) == {"recent@x.example"}
    assert _names(WorkerHeartbeat, WorkerHeartbeat.worker) == {"celery@here"}
    # Nothing else is expired: a second round deletes nothing.
    from cxculture.jobs.housekeeping import sweep_expired

    assert sweep_expired() == dict.fromkeys(
        ["lti_nonce", "lti_pending_link", "login_session", "login_failure", "worker_heartbeat", "download",
         "mail_message", "webhook_delivery", "participation"], 0)
