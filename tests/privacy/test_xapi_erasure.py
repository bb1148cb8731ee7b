"""Erasing a person empties the xAPI outbox of their statements and queues nothing about them afterwards."""
from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.lms.models import XapiStatement
from cxculture.modules.models import Progress
from cxculture.orgs.service import person_by_email
from cxculture.privacy.service import erase_person, export_data
from tests.lms.test_xapi import _learn, employee  # noqa: F401  (the fixture: an organisation sending xAPI)


def test_their_statements_are_exported_then_erased_and_nothing_more_is_queued(employee):  # noqa: F811
    _learn(employee)
    other = person_by_email("manager@retail.example.com")
    _learn(other, token="other")
    theirs = export_data(employee)["lms"]["xapi_statements"]
    ours = db.session.scalars(select(XapiStatement)).all()
    assert theirs and len(theirs) < len(ours)
    others_count = len(ours) - len(theirs)
    erase_person(employee, person_by_email("admin@retail.example.com"))
    db.session.commit()
    assert len(db.session.scalars(select(XapiStatement)).all()) == others_count
    # a later event about the erased person (a module finishing in a tab left open) queues nothing
    _learn(employee, slug="customer-journey", token="after")
    assert len(db.session.scalars(select(XapiStatement)).all()) == others_count
    assert db.session.scalar(select(Progress.id).where(Progress.person_id == employee.id)) is not None
    assert export_data(employee)["lms"]["xapi_statements"] == []
