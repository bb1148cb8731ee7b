"""The demo organisations and their people: Demo Retail (Italian) and Demo Bank (English), which people log in to,
and three smaller organisations of the anonymous benchmark network, which nobody logs in to: with fewer than five
opted-in organisations the benchmark shows nothing (cafes/benchmark.py), and the demo should show it.

Loading is idempotent: whatever already exists is left as it is, so running it twice changes nothing. The other
areas add their own demo data once the people exist (see cxculture/demo.py).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from ..auth.passwords import hash_password
from ..extensions import db
from .models import JobRole, Organisation, Person
from .service import create_organisation, organisation_by_slug
from .teams import ensure_team_path, teams_by_path

DEMO_PASSWORD = "cx-culture-demo"


@dataclass(frozen=True)
class DemoTeam:
    path: str
    job_role: str  #: job role of the team's members
    size: int  #: members besides the team lead
    lead_role: str = "team_lead"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    language: str
    domain: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    teams: tuple[DemoTeam, ...]
    #: Team path of each named account: admin, leader, hr, manager (the employee joins the manager's team).
    account_teams: dict


RETAIL = DemoOrganisation(
    name="Demo Retail",
    slug="demo-retail",
    language="it",
    domain="retail.example.com",
    first_names=("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena",
                 "Davide", "Martina", "Simone", "Valentina", "Andrea", "Federica", "Paolo", "Silvia", "Stefano",
                 "Laura", "Roberto"),
    last_names=("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti",
                "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana",
                "Ferri"),
    teams=(
        DemoTeam("Direzione", "executive", 4, lead_role="executive"),
        DemoTeam("Vendite/Milano Store", "frontline", 10),
        DemoTeam("Vendite/Roma Store", "frontline", 9),
        DemoTeam("Vendite/Torino Store", "frontline", 8),
        DemoTeam("Servizio clienti/Contact center", "contact_centre", 11),
        DemoTeam("Servizio clienti/Back office", "back_office", 4),
        DemoTeam("Marketing e digitale", "marketing_digital", 3),
        DemoTeam("Risorse umane", "hr", 2, lead_role="hr"),
    ),
    account_teams={"admin": "Risorse umane", "leader": "Direzione", "hr": "Risorse umane",
                   "manager": "Vendite/Milano Store"},
)

BANK = DemoOrganisation(
    name="Demo Bank",
    slug="demo-bank",
    language="en",
    domain="bank.example.com",
    first_names=("Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Emily", "Jack",
                 "Sophie", "Noah", "Grace", "Leo", "Chloe", "Oscar", "Ruby", "Arthur", "Lily", "Henry"),
    last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
                "Robinson", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke"),
    teams=(
        DemoTeam("Executive Office", "executive", 3, lead_role="executive"),
        DemoTeam("Branches/London Bridge", "frontline", 7),
        DemoTeam("Branches/Manchester", "frontline", 6),
        DemoTeam("Customer Care/Contact Centre", "contact_centre", 9),
        DemoTeam("Operations/Back Office", "back_office", 4),
        DemoTeam("Digital", "marketing_digital", 2),
        DemoTeam("People", "hr", 2, lead_role="hr"),
    ),
    account_teams={"admin": "Operations/Back Office", "leader": "Executive Office", "hr": "People",
                   "manager": "Branches/London Bridge"},
)

DEMO_ORGANISATIONS = (RETAIL, BANK)


@dataclass(frozen=True)
class NetworkOrganisation:
    """Another company in the benchmark network: people without accounts, who only answer its campaigns."""
    name: str
    slug: str
    language: str
    domain: str
    teams: tuple[DemoTeam, ...]


#: The other opted-in organisations of the demo's benchmark network (names from Demo Bank and Demo Retail's lists).
NETWORK_ORGANISATIONS = (
    NetworkOrganisation("Demo Insurance", "demo-insurance", "en", "insurance.example.com", (
        DemoTeam("Leadership", "executive", 3, lead_role="executive"),
        DemoTeam("Claims", "contact_centre", 9),
        DemoTeam("Sales", "frontline", 7),
        DemoTeam("Underwriting", "back_office", 5),
    )),
    NetworkOrganisation("Demo Telecom", "demo-telecom", "it", "telecom.example.com", (
        DemoTeam("Direzione", "executive", 3, lead_role="executive"),
        DemoTeam("Negozi", "frontline", 9),
        DemoTeam("Assistenza clienti", "contact_centre", 11),
    )),
    NetworkOrganisation("Demo Utility", "demo-utility", "en", "utility.example.com", (
        DemoTeam("Leadership", "executive", 3, lead_role="executive"),
        DemoTeam("Field Service", "frontline", 8),
        DemoTeam("Contact Centre", "contact_centre", 9),
        DemoTeam("Billing", "back_office", 5),
    )),
)

#: The named accounts of each demo organisation: local part, display name, job role, permissions.
_ACCOUNTS = (
    ("admin", "Admin", "back_office", ("admin",)),
    ("leader", "Leader", "executive", ("leader", "employee")),
    ("hr", "HR", "hr", ("hr", "employee")),
    ("manager", "Manager", "team_lead", ("manager", "employee")),
    ("employee", "Employee", "frontline", ("employee",)),
)


def load_demo() -> list[Organisation]:
    """Create (or complete) both demo organisations; returns them."""
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: hashing is slow on purpose
    return [_load_organisation(spec, password_hash) for spec in DEMO_ORGANISATIONS]


def _load_organisation(spec: DemoOrganisation, password_hash: str) -> Organisation:
    organisation = organisation_by_slug(spec.slug) or create_organisation(
        spec.name, spec.slug, default_language=spec.language, benchmark_opt_in=True
    )
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    known_teams = teams_by_path(organisation.id)
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))}

    def person(email, name, role_key, team_path, permissions, manager=None):
        if email in existing:
            return existing[email]
        team = ensure_team_path(organisation, team_path, known_teams)
        new = Person(
            organisation=organisation, email=email, name=name, password_hash=password_hash,
            job_role=roles[role_key], team=team, manager=manager,
        )
        new.permissions = permissions
        db.session.add(new)
        existing[email] = new
        return new

    accounts = {}
    for local, label, role_key, permissions in _ACCOUNTS:
        team_path = spec.account_teams.get(local, spec.account_teams["manager"])
        manager = accounts.get("manager") if local == "employee" else None
        accounts[local] = person(f"{local}@{spec.domain}", f"{label} {spec.name}", role_key, team_path, permissions,
                                 manager)

    rng = random.Random(spec.slug)  # the same names on every run
    used_names: set[str] = set()

    def new_name() -> tuple[str, str]:
        while True:
            first, last = rng.choice(spec.first_names), rng.choice(spec.last_names)
            if (first, last) not in used_names:
                used_names.add((first, last))
                return first, last

    head = accounts["leader"]
    for team in spec.teams:
        if team.path == spec.account_teams["manager"]:
            lead = accounts["manager"]
            lead.manager = lead.manager or head
        elif team.path == spec.account_teams["leader"]:
            lead = head
        else:
            first, last = new_name()
            lead = person(_email(first, last, spec.domain), f"{first} {last}", team.lead_role, team.path,
                          ("manager", "employee"), manager=head)
        for _ in range(team.size):
            first, last = new_name()
            person(_email(first, last, spec.domain), f"{first} {last}", team.job_role, team.path, ("employee",),
                   manager=lead)
    hr_team = spec.account_teams["hr"]
    for local in ("admin", "hr"):
        if accounts[local].manager is None and spec.account_teams[local] == hr_team:
            accounts[local].manager = head
    db.session.flush()
    return organisation


def load_demo_network() -> list[Organisation]:
    """Create (or leave as they are) the benchmark network's other organisations; returns them."""
    return [organisation_by_slug(spec.slug) or _load_network_organisation(spec) for spec in NETWORK_ORGANISATIONS]


def _load_network_organisation(spec: NetworkOrganisation) -> Organisation:
    organisation = create_organisation(spec.name, spec.slug, default_language=spec.language, benchmark_opt_in=True)
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    known_teams = teams_by_path(organisation.id)
    names = RETAIL if spec.language == "it" else BANK
    rng = random.Random(spec.slug)
    pairs = rng.sample([(first, last) for first in names.first_names for last in names.last_names],
                       sum(team.size + 1 for team in spec.teams))
    head = None
    for team in spec.teams:
        members = []
        for position in range(team.size + 1):
            first, last = pairs.pop()
            lead = position == 0
            new = Person(organisation=organisation, email=_email(first, last, spec.domain), name=f"{first} {last}",
                         password_hash=None, job_role=roles[team.lead_role if lead else team.job_role],
                         team=ensure_team_path(organisation, team.path, known_teams),
                         manager=(head if lead else members[0]))
            new.permissions = ("manager", "employee") if lead else ("employee",)
            db.session.add(new)
            members.append(new)
        head = head or members[0]
    db.session.flush()
    return organisation


def _email(first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace(" ", "")
    return f"{local}@{domain}"
