"""The login throttle: how long a login attempt must wait, from the failures every worker and host has recorded.

Failures are counted by client address (one client trying many accounts) and by account (many clients trying
one). Past a few free failures each one doubles the wait, up to a cap, instead of locking the account: and a
browser that has logged in to an account before carries a signed device id (OWASP's "device cookie"), so
failures made elsewhere do not slow it down; only its own failures on that account do.

This module is the throttle's whole interface (`Attempt`, `retry_after`, `record_failure`, `forget_failures`,
the device cookie): the records live in the database now and could move to a shared cache without the callers
changing. Flushes only: the caller commits.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from ..extensions import db
from ..util import utcnow
from .models import LoginFailure

DEVICE_COOKIE = "cxculture_device"
_DEVICE_SALT = "cxculture-login-device"
#: How many accounts one browser's device cookie remembers (the most recent ones).
_DEVICE_ACCOUNTS = 10


@dataclass(frozen=True)
class Attempt:
    """Who is trying to log in: the e-mail tried, the client's address and, when this browser has logged in to
    that account before, its device id."""

    email: str
    address: str
    device: str | None = None


@dataclass(frozen=True)
class Device:
    """What a browser's device cookie says: its id and the accounts (person ids) it has logged in to."""

    id: str = field(default_factory=lambda: secrets.token_hex(16))
    people: tuple[int, ...] = ()

    def trusted_for(self, person_id: int | None) -> str | None:
        """This device's id when it has logged in to `person_id` before, else None."""
        return self.id if person_id is not None and person_id in self.people else None


def _config(name: str) -> int:
    return int(current_app.config[name])


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after `failures` recent failures, `free` of which cost nothing: doubling, capped."""
    if failures < free:
        return 0
    return min(_config("LOGIN_MAX_DELAY_SECONDS"), _config("LOGIN_DELAY_SECONDS") * 2 ** min(failures - free, 30))


def _window_start() -> datetime:
    return utcnow() - timedelta(hours=_config("LOGIN_FAILURE_WINDOW_HOURS"))


def _seconds_until(last: datetime | None, delay: int, now: datetime) -> int:
    if last is None or delay == 0:
        return 0
    return max(0, math.ceil((last + timedelta(seconds=delay) - now).total_seconds()))


def retry_after(attempt: Attempt) -> int:
    """Seconds before `attempt` may be checked; 0 when it may be now. One query."""
    window = LoginFailure.at >= _window_start()
    now = utcnow()
    if attempt.device is not None:
        # A browser trusted for this account answers only for its own failures on it.
        count, last = db.session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                window, LoginFailure.email == attempt.email, LoginFailure.device == attempt.device)
        ).one()
        return _seconds_until(last, delay_after(count, _config("LOGIN_FREE_FAILURES")), now)
    on_account = (LoginFailure.email == attempt.email) & LoginFailure.device.is_(None)
    from_address = LoginFailure.address == attempt.address
    account_count, account_last, address_count, address_last = db.session.execute(
        select(
            func.count(LoginFailure.id).filter(on_account), func.max(LoginFailure.at).filter(on_account),
            func.count(LoginFailure.id).filter(from_address), func.max(LoginFailure.at).filter(from_address),
        ).where(window, on_account | from_address)
    ).one()
    return max(
        _seconds_until(account_last, delay_after(account_count, _config("LOGIN_FREE_FAILURES")), now),
        _seconds_until(address_last, delay_after(address_count, _config("LOGIN_ADDRESS_FREE_FAILURES")), now),
    )


def record_failure(attempt: Attempt) -> None:
    """Remember a failed login, and forget failures older than the window."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < _window_start()))
    db.session.add(LoginFailure(email=attempt.email, address=attempt.address, device=attempt.device))
    db.session.flush()


def forget_old_failures() -> int:
    """Delete the failures older than the throttling window (the job queue runs it); returns how many."""
    return db.session.execute(delete(LoginFailure).where(LoginFailure.at < _window_start())).rowcount


def forget_failures(attempt: Attempt) -> None:
    """A successful login clears the account's failures that counted against it: a trusted browser's own, or
    those of untrusted browsers. Others stay: a colleague logging in does not give an attacker new free tries,
    and logging in to one's own account does not reset a client's count of failures on other accounts."""
    device = LoginFailure.device.is_(None) if attempt.device is None else LoginFailure.device == attempt.device
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == attempt.email, device))


# The device cookie -----------------------------------------------------------------------------------------------

def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def read_device(cookie: str | None) -> Device | None:
    """The device a browser's cookie names, when it is genuine and recent; None otherwise."""
    if not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie, max_age=_config("LOGIN_DEVICE_DAYS") * 86400)
        return Device(id=str(data["d"]), people=tuple(int(p) for p in data["p"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def device_cookie(device: Device | None, person_id: int) -> str:
    """The cookie value for a browser that has just logged in to `person_id` (a new device when it had none)."""
    device = device or Device()
    others = [p for p in device.people if p != person_id][-(_DEVICE_ACCOUNTS - 1):]
    people = [*others, person_id]
    return _device_serializer().dumps({"d": device.id, "p": people})


def wait_message(seconds: int) -> str:
    """What a login form says while the throttle holds attempts back."""
    wait = (ngettext("%(num)s second", "%(num)s seconds", seconds) if seconds < 60
            else ngettext("%(num)s minute", "%(num)s minutes", math.ceil(seconds / 60)))
    return _("Too many failed login attempts from this network or for this account. Wait %(wait)s, then try again.",
             wait=wait)
