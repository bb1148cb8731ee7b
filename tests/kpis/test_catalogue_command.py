"""`cx kpi-catalogue`: organisations created before the KPI area get the shipped catalogue, edits kept."""
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.kpis.models import Behaviour, Kpi


def test_it_adds_what_an_organisation_lacks_and_keeps_its_edits(runner, make_organisation):
    acme = make_organisation("Acme")
    nps = db.session.scalar(select(Kpi).where(Kpi.organisation_id == acme.id, Kpi.key == "nps"))
    nps.name_en = "Our NPS"
    # Through the ORM, so that their links go too (as a database with enforced foreign keys would do).
    for row in [*db.session.scalars(select(Kpi).where(Kpi.organisation_id == acme.id, Kpi.key == "aht")),
                *db.session.scalars(select(Behaviour).where(Behaviour.organisation_id == acme.id))]:
        db.session.delete(row)
    db.session.commit()
    result = runner.invoke(args=["cx", "kpi-catalogue", "--org", "acme"])
    assert result.exit_code == 0, result.output
    assert "acme: 1 KPIs and 21 behaviours added." in result.output
    assert db.session.scalar(select(Kpi.name_en).where(Kpi.organisation_id == acme.id, Kpi.key == "nps")) == "Our NPS"
    assert runner.invoke(args=["cx", "kpi-catalogue"]).output == "acme: 0 KPIs and 0 behaviours added.\n"
    assert db.session.scalar(select(func.count(Kpi.id))) == 17


def test_an_unknown_organisation_is_refused(runner, app):
    result = runner.invoke(args=["cx", "kpi-catalogue", "--org", "nope"])
    assert result.exit_code != 0 and "no organisation with the slug 'nope'" in result.output
