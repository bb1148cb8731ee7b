"""What the scheduler (celery beat, exactly one on the whole installation) asks the workers to do, and when.

Each entry expires after its own period, so a backlog left while every worker was down is dropped, not replayed.
"""
from __future__ import annotations

from celery.schedules import crontab

from ..assessments.campaigns import CLOSE_DUE_JOB
from ..assessments.pulses import PULSE_JOB
from ..assessments.reminders import CAMPAIGN_MAIL_JOB
from ..downloads.service import RENDER_DUE_JOB
from ..lms.outbox import DELIVERY_JOB
from ..mail.outbox import DELIVERY_JOB as MAIL_DELIVERY_JOB
from ..webhooks.delivery import DELIVERY_JOB as WEBHOOKS_JOB
from .retention import RETENTION_JOB

HEARTBEAT_JOB = "jobs.heartbeat"
SWEEP_JOB = "jobs.sweep_expired"
NUDGES_JOB = "mail.nudges"
TEAM_DIGEST_JOB = "mail.team_digest"


def beat_schedule(config) -> dict:
    heartbeat, outbox = config["JOBS_HEARTBEAT_SECONDS"], config["JOBS_OUTBOX_SECONDS"]
    return {
        # A worker writes its heartbeat; /healthz reads its age.
        "heartbeat": {"task": HEARTBEAT_JOB, "schedule": heartbeat, "options": {"expires": heartbeat}},
        # xAPI statements and grade passbacks that are due again (their backoff ran out) or whose job message was
        # lost; new rows are sent at once by the job their commit asked for.
        "deliver-outbox": {"task": DELIVERY_JOB, "schedule": outbox, "options": {"expires": outbox}},
        # E-mail that is due again (its backoff ran out) or whose job message was lost.
        "send-mail": {"task": MAIL_DELIVERY_JOB, "schedule": outbox, "options": {"expires": outbox}},
        # Webhook deliveries whose retry is due (their backoff ran out) or whose job message was lost.
        "deliver-webhooks": {"task": WEBHOOKS_JOB, "schedule": outbox, "options": {"expires": outbox}},
        # Campaigns opening today are announced, and reminders due today go to the invited who have not answered;
        # then training due soon or overdue and action items due soon. Early in the (European) morning; every
        # occasion is claimed once, so a repeated round sends nothing twice.
        # Pulse rounds past their closing day are closed and the rounds due today opened, just before the
        # campaign mail announces them; a repeated round opens and closes nothing twice.
        "pulse-rounds": {"task": PULSE_JOB, "schedule": crontab(hour=6, minute=15), "options": {"expires": 3600}},
        "campaign-mail": {"task": CAMPAIGN_MAIL_JOB, "schedule": crontab(hour=6, minute=30),
                          "options": {"expires": 3600}},
        "nudges": {"task": NUDGES_JOB, "schedule": crontab(hour=6, minute=45), "options": {"expires": 3600}},
        # Each manager's digest of their people's overdue training, on Monday mornings.
        "team-digest": {"task": TEAM_DIGEST_JOB, "schedule": crontab(hour=7, minute=0, day_of_week=1),
                        "options": {"expires": 3600}},
        # Downloads whose job message was lost are started; those stopped by the time limit are marked so.
        "render-due-downloads": {"task": RENDER_DUE_JOB, "schedule": outbox, "options": {"expires": outbox}},
        # Campaigns still closing a minute after they were closed (their job message was lost) are closed out.
        "finish-closing-campaigns": {"task": CLOSE_DUE_JOB, "schedule": outbox, "options": {"expires": outbox}},
        # Expired LTI nonces and pending links, login sessions, old login failures, silent workers' heartbeats,
        # downloaded files past their time, e-mail sent and webhook deliveries done more than 30 days ago.
        "sweep-expired": {"task": SWEEP_JOB, "schedule": crontab(minute=7), "options": {"expires": 3600}},
        # Personal data kept longer than each organisation's retention says (retention.py), once a day at a quiet
        # hour; a run missed while every worker was down is dropped, and the next night's does its work.
        "retention-purge": {"task": RETENTION_JOB, "schedule": crontab(hour=3, minute=17),
                            "options": {"expires": 3600}},
    }
