"""Scheduled sweeps: rows whose time is up, deleted by the job queue instead of by the requests that meet them.

Each sweep deletes only what can never count again and commits on its own, so one that fails holds back no other.
The retention of personal data per organisation is a nightly run of its own (retention.py, which also runs the
sweeps below that concern people: sessions, login failures, LTI nonces and pending links).
"""
from __future__ import annotations

import logging

from ..assessments.closing import forget_past_respondents
from ..auth.login_sessions import sweep_expired_sessions
from ..auth.throttle import forget_old_failures
from ..downloads.service import sweep_expired_downloads
from ..extensions import db
from ..lms.launches import sweep_expired_pending_links
from ..lms.tool import sweep_expired_nonces
from ..mail.outbox import sweep_sent_mail
from ..webhooks.delivery import sweep_old_deliveries
from .health import forget_silent_workers

log = logging.getLogger(__name__)

#: What is swept, by table. Auth invitations keep no rows (their links are signed and expire on their own).
SWEEPS = {
    "lti_nonce": sweep_expired_nonces,
    "lti_pending_link": sweep_expired_pending_links,
    "login_session": sweep_expired_sessions,
    "login_failure": forget_old_failures,
    "worker_heartbeat": forget_silent_workers,
    "download": sweep_expired_downloads,
    "mail_message": sweep_sent_mail,
    # The delivery log: deliveries done (delivered or given up) more than 30 days ago.
    "webhook_delivery": sweep_old_deliveries,
    # Who answered a closed campaign is kept only while it could be reopened (until its closing date).
    "participation": forget_past_respondents,
}


def sweep_expired() -> dict[str, int]:
    """Run every sweep, committing each; returns the rows deleted per table (a failed sweep is logged and left
    out)."""
    deleted = {}
    for table, sweep in SWEEPS.items():
        try:
            deleted[table] = sweep()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("sweeping %s failed", table)
    return deleted
