"""The demo's journeys and remarks: a dozen per demo organisation in its language, some closed, loaded once."""
from __future__ import annotations

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.listening.demo import load_demo_listening
from cxculture.listening.models import Remark, Touchpoint


def test_demo_remarks_are_loaded_once_in_each_organisations_language(app, demo):
    report = load_demo_listening()
    db.session.commit()
    assert report.remarks == 24 and set(report.loaded) == {"Demo Retail", "Demo Bank"}
    for slug, phrase, placeholder in (("demo-retail", "cassa", "[telefono]"), ("demo-bank", "branch", "[phone]")):
        organisation = demo[slug]
        remarks = db.session.scalars(select(Remark).where(Remark.organisation_id == organisation.id)).all()
        assert len(remarks) == 12
        assert any(phrase in r.customer_words for r in remarks)
        assert any(placeholder in r.customer_words for r in remarks)
        closed = [r for r in remarks if r.status == "closed"]
        assert closed and all(r.outcome and r.closed_by_id and r.closed_at > r.logged_at for r in closed)
        assert not db.session.scalar(select(func.count(Touchpoint.id)).where(
            Touchpoint.organisation_id == organisation.id, Touchpoint.owner_team_id.is_(None)))
    again = load_demo_listening()
    assert again.remarks == 0 and db.session.scalar(select(func.count(Remark.id))) == 24


def test_the_demo_manager_finds_the_stores_remarks_in_the_inbox(client, demo):
    load_demo_listening()
    db.session.commit()
    client.post("/login", data={"email": "manager@bank.example.com", "password": "cx-culture-demo"})
    text = client.get("/listening/remarks").get_data(as_text=True)
    assert "The cash machine kept my card" in text and "Forty minutes on hold" not in text
