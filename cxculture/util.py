"""Small helpers shared by every area."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, naive, as every DateTime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)
