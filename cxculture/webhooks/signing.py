"""Signatures as the Standard Webhooks specification has them (https://www.standardwebhooks.com), made with its
reference library: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`.

A secret is `whsec_<base64 of 32 random bytes>`. During a rotation a message carries the signatures of both the
new and the previous secret (space-separated, as the specification allows), so a receiver that has not switched
yet keeps verifying.
"""
from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret (256 bits)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(message_id: str, sent_at: datetime, body: str, secrets_in_use: Iterable[str]) -> dict[str, str]:
    """The three headers of one attempt; `sent_at` in UTC (naive or aware)."""
    moment = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
    signatures = [Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body) for secret in secrets_in_use]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
