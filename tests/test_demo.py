"""The demo organisations."""
from sqlalchemy import func, select

from cxculture.demo import load_demo
from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Person, PersonPermission, Team
from cxculture.orgs.service import DEFAULT_JOB_ROLES, person_by_email
from tests.modules.conftest import FIXTURE_LIBRARY
from tests.modules.test_demo_training import _counts as training_counts
from tests.modules.test_demo_training import _snapshot as training_snapshot


def _table_counts():
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Team, JobRole, PersonPermission)
    }


def test_demo_command_is_idempotent(app, runner):
    """A second `cx demo` adds nobody and changes no row of the training it loaded the first time.

    The first also loads three more opted-in organisations, nobody's account, each with last quarter's campaign
    above its threshold: the demo organisations see where they stand on every pillar of the benchmark."""
    from cxculture.cafes.benchmark import MIN_ORGANISATIONS, network_scores, organisation_benchmark
    from cxculture.orgs.demo import NETWORK_ORGANISATIONS
    from cxculture.orgs.models import Organisation

    result = runner.invoke(args=["cx", "demo", "--library", str(FIXTURE_LIBRARY)])
    assert result.exit_code == 0, result.output
    assert "Demo Retail (demo-retail) ready." in result.output
    assert "Demo progress loaded for: demo-retail, demo-bank." in result.output
    assert "Demo Insurance (demo-insurance) ready." in result.output
    network = db.session.scalars(select(Organisation).where(
        Organisation.slug.in_([spec.slug for spec in NETWORK_ORGANISATIONS]))).all()
    assert len(network) == 3 and all(o.benchmark_opt_in for o in network)
    assert not db.session.scalar(select(func.count(Person.id)).where(
        Person.organisation_id.in_([o.id for o in network]), Person.password_hash.is_not(None)))
    assert len(network_scores()) >= MIN_ORGANISATIONS
    for domain in ("retail.example.com", "bank.example.com"):
        benchmark = organisation_benchmark(person_by_email(f"leader@{domain}").organisation_id)
        assert benchmark.status == "ok" and benchmark.own_included and len(benchmark.pillars) == 6
    first, first_training = _table_counts(), training_snapshot()
    assert all(training_counts().values())
    again = runner.invoke(args=["cx", "demo", "--library", str(FIXTURE_LIBRARY)])
    assert again.exit_code == 0, again.output
    assert "Demo progress loaded for: nobody new." in again.output
    assert _table_counts() == first
    assert training_snapshot() == first_training



def test_demo_organisations_have_the_promised_shape(app):
    retail, bank = load_demo()
    db.session.commit()
    assert (retail.slug, retail.default_language) == ("demo-retail", "it")
    assert (bank.slug, bank.default_language) == ("demo-bank", "en")
    for organisation, low, high in ((retail, 55, 65), (bank, 35, 45)):
        people = db.session.scalar(select(func.count(Person.id)).where(Person.organisation_id == organisation.id))
        assert low <= people <= high
        used_roles = set(
            db.session.scalars(
                select(JobRole.key).join(Person, Person.job_role_id == JobRole.id).where(
                    Person.organisation_id == organisation.id
                )
            )
        )
        assert used_roles == {key for key, _, _ in DEFAULT_JOB_ROLES}
        nested = db.session.scalar(
            select(func.count(Team.id)).where(Team.organisation_id == organisation.id, Team.parent_id.is_not(None))
        )
        assert nested > 0


def test_demo_accounts_hold_their_permission(app):
    load_demo()
    db.session.commit()
    for domain in ("retail.example.com", "bank.example.com"):
        for permission in ("admin", "leader", "hr", "manager", "employee"):
            assert person_by_email(f"{permission}@{domain}").can(permission)
        manager, employee = person_by_email(f"manager@{domain}"), person_by_email(f"employee@{domain}")
        assert employee.manager_id == manager.id
        assert employee.team_id == manager.team_id
