"""E-mail: a durable outbox, composed in each recipient's language, delivered by the job queue.

Areas decide what to send and when (e.g. assessments/reminders.py) and queue it here with `queue_mail`; this
package knows no area. A queued message is a row (outbox.py) written in the area's own transaction and sent after
the commit by the job queue (DELIVERY_JOB), leased so that a repeated job sends nothing twice. Scheduled rounds
claim an occasion (`claim_occasion`) in the same transaction as the rows they queue: a round that runs twice, or
two at once, sends nothing twice.
"""
from __future__ import annotations

from .compose import Attachment, Recipient, external_url
from .outbox import DELIVERY_JOB, claim_occasion, occasions_claimed, queue_mail, queue_mails
from .preferences import OPTIONAL_TOPICS, opted_out, set_opt_outs, topics_off

__all__ = [
    "DELIVERY_JOB", "OPTIONAL_TOPICS", "Attachment", "Recipient", "claim_occasion", "external_url", "occasions_claimed",
    "opted_out", "queue_mail", "queue_mails", "set_opt_outs", "topics_off",
]
