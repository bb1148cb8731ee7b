"""A savepoint stays inside the request's transaction: rolling the request back undoes what it wrote.

SQLite's Python driver opens a transaction only before a write, so a SAVEPOINT that comes first would start the
transaction itself and its RELEASE would commit it: a participation stored without its response, say.
"""
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.orgs.models import Team


def _teams() -> int:
    return db.session.scalar(select(func.count(Team.id)))


def test_a_rolled_back_transaction_undoes_its_savepoints(make_organisation):
    acme = make_organisation("Acme")
    before = _teams()
    db.session.scalar(select(func.count(Team.id)))  # reads first, as a request does
    with db.session.begin_nested():
        db.session.add(Team(organisation_id=acme.id, name="Written in a savepoint"))
    db.session.add(Team(organisation_id=acme.id, name="Written after it"))
    db.session.flush()
    db.session.rollback()
    assert _teams() == before


def test_a_committed_transaction_keeps_them(make_organisation):
    acme = make_organisation("Acme")
    before = _teams()
    with db.session.begin_nested():
        db.session.add(Team(organisation_id=acme.id, name="Written in a savepoint"))
    db.session.commit()
    assert _teams() == before + 1
