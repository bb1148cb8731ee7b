"""Closed customer remarks go three years after they were closed; open ones stay."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.jobs.retention import run_retention
from cxculture.listening.models import Remark
from cxculture.util import utcnow
from tests.listening.helpers import remark_by, touchpoint


def test_the_retention_run_deletes_remarks_closed_over_three_years_ago(app, retail):
    point = touchpoint(retail, "store")
    old_closed, recent_closed, old_open = (remark_by("employee@retail.example.com", point, words)
                                           for words in ("old closed", "recent closed", "old open"))
    long_ago = utcnow() - timedelta(days=3 * 366)
    old_closed.status, old_closed.closed_at, old_closed.outcome = "closed", long_ago, "done"
    recent_closed.status, recent_closed.closed_at, recent_closed.outcome = "closed", utcnow(), "done"
    old_open.logged_at = long_ago
    db.session.commit()
    dry = run_retention(apply=False, slug="demo-retail")
    assert dry.organisations[0].counts["customer_remark"] == 1
    run_retention(apply=True, slug="demo-retail")
    assert set(db.session.scalars(select(Remark.customer_words))) == {"recent closed", "old open"}
