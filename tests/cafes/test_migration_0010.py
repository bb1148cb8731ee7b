"""Migration 0010: guests already on a café stay guests as accepted invitations; old benchmark figures go."""
from __future__ import annotations

import json
from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from cxculture.extensions import db


def test_existing_guests_become_accepted_invitations_and_old_benchmark_figures_are_removed(app):
    db.drop_all()
    upgrade(revision="0006")
    now = datetime(2026, 11, 1, 9, 0)
    with db.engine.begin() as connection:
        for org_id, slug in ((1, "host"), (2, "guest")):
            connection.execute(text(
                "INSERT INTO organisation (id, name, slug, default_language, anonymity_threshold, benchmark_opt_in,"
                " created_at) VALUES (:id, :slug, :slug, 'en', 5, :yes, :now)"), {"id": org_id, "slug": slug,
                                                                                   "yes": True, "now": now})
        for person_id, org_id, email in ((1, 1, "host@host.example.com"), (2, 2, "Boss@Guest.example.com")):
            connection.execute(text(
                "INSERT INTO person (id, organisation_id, email, name, active, session_token, created_at)"
                " VALUES (:id, :org, :email, :email, :yes, :token, :now)"),
                {"id": person_id, "org": org_id, "email": email, "yes": True, "token": f"t{person_id}", "now": now})
        connection.execute(text(
            "INSERT INTO cafe (id, organisation_id, title, starts_at, duration_minutes, focus_pillars, language,"
            " status, created_by_id, created_at) VALUES (1, 1, 'Café', :now, 90, '[]', 'en', 'planned', 1, :now)"),
            {"now": now})
        for attendee_id, person_id, guest in ((1, 1, False), (2, 2, True)):
            connection.execute(
                text("INSERT INTO cafe_attendee (id, cafe_id, person_id, guest) VALUES (:id, 1, :p, :g)"),
                {"id": attendee_id, "p": person_id, "g": guest})
        old = {"status": "ok", "pillars": [{"pillar": "vision", "q1": 2.5, "median": 3.0, "q3": 3.5, "own": 2.0}]}
        for item_id, kind, snapshot in ((1, "benchmark", old), (2, "weakest", {"status": "shown", "score": 2.1})):
            connection.execute(text(
                "INSERT INTO cafe_agenda_item (id, cafe_id, position, kind, title, prompts, notes, snapshot)"
                " VALUES (:id, 1, :id, :kind, 'x', '[]', '', :snapshot)"),
                {"id": item_id, "kind": kind, "snapshot": json.dumps(snapshot)})

    upgrade(revision="0010")
    with db.engine.connect() as connection:
        invitations = connection.execute(text(
            "SELECT cafe_id, email, person_id, status, invited_by_id FROM cafe_invitation")).all()
        snapshots = dict(connection.execute(text("SELECT kind, snapshot FROM cafe_agenda_item")).all())
    assert [tuple(row) for row in invitations] == [(1, "boss@guest.example.com", 2, "accepted", 1)]
    as_dict = {kind: value if isinstance(value, dict) else json.loads(value) for kind, value in snapshots.items()}
    assert as_dict == {"benchmark": {"status": "withdrawn"}, "weakest": {"status": "shown", "score": 2.1}}

    downgrade(revision="0006")
    with db.engine.connect() as connection:
        guests = connection.execute(text("SELECT count(*) FROM cafe_attendee WHERE guest = :g"), {"g": True})
        assert guests.scalar() == 1
    downgrade(revision="base")
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
