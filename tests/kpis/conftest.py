import pytest

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.orgs.teams import ensure_team_path
from tests.conftest import login


@pytest.fixture
def acme(make_organisation, make_person):
    """An organisation with HR, two front-line people in Sales/Milano and a Sales/Roma team."""
    organisation = make_organisation("Acme")
    milano = ensure_team_path(organisation, "Sales/Milano")
    ensure_team_path(organisation, "Sales/Roma")
    db.session.commit()
    make_person(organisation, "hr@acme.example.com", "Hana HR", permissions=("employee", "hr"))
    make_person(organisation, "giulia@acme.example.com", "Giulia Rossi", team=milano)
    make_person(organisation, "marco@acme.example.com", "Marco Bianchi", team=milano)
    return organisation


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def hr(client, retail):
    """Demo Retail's HR account, logged in, reading English."""
    person = person_by_email("hr@retail.example.com")
    person.language = "en"
    db.session.commit()
    login(client, "hr@retail.example.com")
    return person
