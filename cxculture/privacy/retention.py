"""How long each kind of personal data is kept: the defaults the privacy page shows.

An organisation sets some of these itself (cxculture/orgs/retention.py; the nightly job applies them): the page
and the record of processing show its own periods for those. Each value is (number, unit), unit one of "days", "months",
"years", "while" (as long as the account exists) or "campaign" (until the campaign closes).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

RETENTION_DEFAULTS: dict[str, tuple[int, str]] = {
    "account": (0, "while"),
    "sessions": (30, "days"),
    "login_failures": (1, "days"),
    "training": (0, "while"),
    "campaign": (0, "campaign"),
    "survey": (0, "forever"),
    "survey_comments": (24, "months"),
    "kpis": (5, "years"),
    "imports": (90, "days"),
    "cafes": (5, "years"),
    "listening": (3, "years"),
    "lms": (90, "days"),
    "downloads": (7, "days"),
    "mail": (30, "days"),
    "audit": (36, "months"),
}

_FIXED = {
    "while": _l("While the account exists"),
    "campaign": _l("Until the campaign closes"),
    "forever": _l("Kept: not linked to anyone"),
}


def _organisations_periods(policy) -> dict[str, tuple[int, str]]:
    """The periods an organisation sets itself (Administration → Retention), by the keys above."""
    return {"survey_comments": (policy.survey_comment_months, "months"), "kpis": (policy.kpi_value_years, "years"),
            "lms": (policy.delivered_outbox_days, "days"), "audit": (policy.audit_record_months, "months")}


def retention_text(key: str, policy=None) -> str:
    """How long data of this kind is kept, in the reader's language: the organisation's own period where it sets
    one (`policy`, its RetentionPolicy), else the installation's."""
    periods = _organisations_periods(policy) if policy is not None else {}
    number, unit = periods.get(key) or RETENTION_DEFAULTS[key]
    if unit in _FIXED:
        return str(_FIXED[unit])
    forms = {

        "days": lambda n: ngettext("%(num)s day", "%(num)s days", n),
        "months": lambda n: ngettext("%(num)s month", "%(num)s months", n),
        "years": lambda n: ngettext("%(num)s year", "%(num)s years", n),
    }
    return forms[unit](number)
