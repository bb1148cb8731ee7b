"""The tasks: thin, idempotent wrappers around the areas' services; each commits its own work."""
from __future__ import annotations

import logging

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from flask import current_app

from ..assessments.campaigns import CLOSE_DUE_JOB, CLOSE_JOB, finish_closing, finish_due_closings
from ..assessments.pulses import PULSE_JOB, run_pulses
from ..assessments.reminders import CAMPAIGN_MAIL_JOB, announce_overdue_actions, mail_actions_due, mail_campaigns
from ..downloads import service as downloads
from ..extensions import db
from ..lms.outbox import DELIVERY_JOB, deliver_all
from ..lms.rosters import SYNC_JOB as COURSE_MEMBERS_JOB
from ..lms.rosters import sync_course
from ..mail.outbox import DELIVERY_JOB as MAIL_DELIVERY_JOB
from ..mail.outbox import deliver_mail
from ..modules.reminders import mail_team_digests, mail_training_due
from ..webhooks.delivery import DELIVERY_JOB as WEBHOOKS_JOB
from ..webhooks.delivery import deliver_webhooks
from .health import record_heartbeat
from .housekeeping import sweep_expired
from .retention import RETENTION_JOB, retention_purge
from .schedule import HEARTBEAT_JOB, NUDGES_JOB, SWEEP_JOB, TEAM_DIGEST_JOB

log = logging.getLogger(__name__)


def deliver_outbox() -> dict:
    """Send every due xAPI statement and grade passback (each row leased first: a repeat sends nothing twice)."""
    report = deliver_all()
    if report.sent or report.rejected or report.retrying:
        log.info("outbox: sent %s, refused %s, retrying %s", report.sent, report.rejected, report.retrying)
    return {"sent": report.sent, "rejected": report.rejected, "retrying": report.retrying}


def sync_course_members(course_id: int) -> dict | None:
    """Bring an LMS course's members in (only a queued course: a repeated message does nothing twice)."""
    return sync_course(course_id)


def send_mail() -> dict:
    """Send every due e-mail (each row leased first: a repeat sends nothing twice)."""
    report = deliver_mail()
    if report.sent or report.rejected or report.retrying or report.dropped:
        log.info("mail: sent %s, refused %s, retrying %s, reminders dropped %s", report.sent, report.rejected,
                 report.retrying, report.dropped)
    return {"sent": report.sent, "rejected": report.rejected, "retrying": report.retrying}


def send_webhooks() -> dict:
    """Send every due webhook delivery (each row leased first: a repeat sends nothing twice)."""
    report = deliver_webhooks()
    if report.delivered or report.retrying or report.failed or report.paused:
        log.info("webhooks: delivered %s, retrying %s, failed %s, subscriptions paused %s", report.delivered,
                 report.retrying, report.failed, report.paused)
    return {"delivered": report.delivered, "retrying": report.retrying, "failed": report.failed,
            "paused": report.paused}


def send_nudges() -> dict:
    """The daily round of optional reminders: training due soon and overdue, action items due soon; and action
    items newly overdue are announced (webhooks). Each part commits its own work; one that fails holds back no
    other. Logs counts only."""
    counts = {}
    for name, job in (("training", mail_training_due), ("actions", mail_actions_due),
                      ("overdue_actions", announce_overdue_actions)):
        try:
            counts[name] = job()
        except Exception:
            db.session.rollback()
            log.exception("the %s reminders failed", name)
    return counts


def render_download(download_id: int) -> str | None:
    """Make a requested file. The worker's parent process kills a render that runs past the hard time limit; the
    soft limit just before it marks the download as stopped, so its page says so."""
    try:
        return downloads.render(download_id, stops=(SoftTimeLimitExceeded,))
    except SoftTimeLimitExceeded:
        db.session.rollback()
        return downloads.fail(download_id, "timeout", current_app.config["DOWNLOAD_TIME_LIMIT_SECONDS"])


def heartbeat(task) -> None:
    """Note that this worker is alive (/healthz reads it)."""
    record_heartbeat(task.request.hostname or "worker")
    db.session.commit()


def register_tasks(celery_app: Celery) -> set[str]:
    """Register every task on `celery_app`; returns their names (the jobs areas may ask for)."""
    celery_app.task(name=DELIVERY_JOB)(deliver_outbox)
    celery_app.task(name=HEARTBEAT_JOB, bind=True)(heartbeat)
    celery_app.task(name=SWEEP_JOB)(sweep_expired)
    celery_app.task(name=RETENTION_JOB)(retention_purge)
    hard = celery_app.conf.get("download_time_limit", 900)
    celery_app.task(name=downloads.RENDER_JOB, time_limit=hard, soft_time_limit=max(hard - 15, hard * 0.8))(
        render_download)
    celery_app.task(name=downloads.RENDER_DUE_JOB)(downloads.render_due)
    celery_app.task(name=CLOSE_JOB)(finish_closing)
    celery_app.task(name=CLOSE_DUE_JOB)(finish_due_closings)
    celery_app.task(name=MAIL_DELIVERY_JOB)(send_mail)
    # Campaign announcements and reminders: who has not answered is decided inside the task; it returns counts.
    celery_app.task(name=CAMPAIGN_MAIL_JOB)(mail_campaigns)
    celery_app.task(name=NUDGES_JOB)(send_nudges)
    celery_app.task(name=PULSE_JOB)(run_pulses)
    celery_app.task(name=TEAM_DIGEST_JOB)(mail_team_digests)
    celery_app.task(name=WEBHOOKS_JOB)(send_webhooks)
    celery_app.task(name=COURSE_MEMBERS_JOB)(sync_course_members)
    return {DELIVERY_JOB, HEARTBEAT_JOB, SWEEP_JOB, RETENTION_JOB, downloads.RENDER_JOB, downloads.RENDER_DUE_JOB,
            CLOSE_JOB, CLOSE_DUE_JOB, MAIL_DELIVERY_JOB, CAMPAIGN_MAIL_JOB, NUDGES_JOB, TEAM_DIGEST_JOB, PULSE_JOB,
            WEBHOOKS_JOB, COURSE_MEMBERS_JOB}


@worker_ready.connect(weak=False)
def say_hello(sender=None, **_) -> None:
    """A worker that has just started sends itself a heartbeat, rather than waiting for the scheduler's round:
    /healthz is green as soon as the job queue runs."""
    if sender is not None and HEARTBEAT_JOB in sender.app.tasks:
        sender.app.send_task(HEARTBEAT_JOB)
