"""What someone who reads the whole database learns about who answered what (issue 11, items 1 and 4).

The rule: no closer than one of `threshold` respondents for a closed campaign, on SQLite and PostgreSQL,
through the rows, their groups, their order and PostgreSQL's system columns (xmin, ctid); and many people
submitting at the same moment store exactly what they sent.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Answer, Comment, Invitee, Participation, Response
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.generalising import coarser
from cxculture.assessments.models import Campaign
from cxculture.assessments.results.analysis import analyse
from cxculture.assessments.snapshot import is_leadership, population_of
from cxculture.extensions import db
from cxculture.orgs.models import Person
from tests.assessments.results_factories import open_campaign_in


@pytest.fixture
def campaign(demo):
    """A new open campaign in Demo Retail (its whole organisation invited)."""
    return open_campaign_in(demo["demo-retail"], "Reader check")


def _invited(campaign) -> list[Person]:
    ids = select(Invitee.person_id).where(Invitee.campaign_id == campaign.id)
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id)))


def _values(campaign, index: int) -> dict[str, int]:
    """Answers that tell respondents apart: the index in base 5 over the first statements."""
    values = {}
    for position, item in enumerate(campaign.instrument.items):
        values[item["key"]] = (index // 5 ** position) % 5 + 1 if position < 4 else 1 + (index + position) % 5
    return values


def _answer(campaign, person: Person, index: int) -> None:
    save_draft(campaign, person, _values(campaign, index), {"obstacles": f"comment {index}"})
    submit(campaign, person)
    db.session.commit()


def _stored_answers(campaign) -> Counter:
    rows = db.session.execute(
        select(Response.team_id, Response.job_role_id, Response.leadership, Answer.item_key, Answer.value)
        .join(Answer, Answer.response_id == Response.id).where(Response.campaign_id == campaign.id)
        .order_by(Response.id, Answer.item_key))
    by_response: dict = {}
    for team, role, leadership, key, value in rows:
        by_response.setdefault((team, role, leadership), []).append((key, value))
    return by_response


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


# Many submits at the same moment ------------------------------------------------------------------------------


def test_simultaneous_submits_store_exactly_what_was_sent(app, campaign):
    if not _is_postgres():
        pytest.skip("SQLite takes one writer at a time: this is PostgreSQL's test (make test-postgres)")
    people = _invited(campaign)[:30]
    groups = {i.person_id: (i.group_team_id, i.group_job_role_id, i.group_leadership)
              for i in db.session.scalars(select(Invitee).where(Invitee.campaign_id == campaign.id))}
    expected_answers = Counter()
    expected_comments = Counter()
    for index, person in enumerate(people):
        save_draft(campaign, person, _values(campaign, index), {"obstacles": f"comment {index}"})
        expected_answers[(groups[person.id], tuple(sorted(_values(campaign, index).items())))] += 1
        expected_comments[(groups[person.id], f"comment {index}")] += 1
    db.session.commit()
    barrier = threading.Barrier(len(people))
    errors = []

    def send(person_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                submit(db.session.get(Campaign, campaign.id), db.session.get(Person, person_id))
                db.session.commit()
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=send, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    stored = Counter()
    for response in db.session.scalars(select(Response).where(Response.campaign_id == campaign.id)):
        group = (response.team_id, response.job_role_id, response.leadership)
        stored[(group, tuple(sorted((a.item_key, a.value) for a in response.answers)))] += 1
    comments = Counter(((c.team_id, c.job_role_id, c.leadership), c.text)
                       for c in db.session.scalars(select(Comment).where(Comment.campaign_id == campaign.id)))
    assert stored == expected_answers
    assert comments == expected_comments
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.campaign_id == campaign.id)) == len(people)


# While the campaign is open -----------------------------------------------------------------------------------


def test_a_submit_stores_the_group_frozen_at_opening_never_a_group_too_small(campaign):
    """Every invitee's stored group holds at least `threshold` invited people."""
    per_group = Counter((i.group_team_id, i.group_job_role_id, i.group_leadership)
                        for i in db.session.scalars(select(Invitee).where(Invitee.campaign_id == campaign.id)))
    assert min(per_group.values()) >= campaign.threshold
    director = db.session.scalar(select(Person).where(Person.email == "leader@retail.example.com"))
    _answer(campaign, director, 0)
    response = db.session.scalar(select(Response).where(Response.campaign_id == campaign.id))
    invitee = db.session.scalar(select(Invitee).where(Invitee.person_id == director.id,
                                                      Invitee.campaign_id == campaign.id))
    assert (response.team_id, response.job_role_id, response.leadership) == (
        invitee.group_team_id, invitee.group_job_role_id, invitee.group_leadership)


def test_on_postgresql_a_submit_shares_its_transaction_with_earlier_answers_of_its_group(campaign):
    if not _is_postgres():
        pytest.skip("xmin is PostgreSQL's")
    invitees = list(db.session.scalars(select(Invitee).where(Invitee.campaign_id == campaign.id)))
    group = Counter((i.group_team_id, i.group_job_role_id, i.group_leadership) for i in invitees).most_common(1)[0][0]
    members = [i.person_id for i in invitees
               if (i.group_team_id, i.group_job_role_id, i.group_leadership) == group][:campaign.threshold + 1]
    for index, person_id in enumerate(members):
        _answer(campaign, db.session.get(Person, person_id), index)
    # The latest submit's transaction id (the participation row's is the one just before: a savepoint) is
    # carried by the new response and by threshold - 1 earlier ones of the group, not by one row.
    sharing = db.session.execute(text(
        "SELECT count(*) FROM response WHERE campaign_id = :c AND xmin::text::bigint = "
        "(SELECT max(xmin::text::bigint) FROM response WHERE campaign_id = :c)"), {"c": campaign.id}).scalar()
    assert sharing == campaign.threshold


# Once the campaign is closed ----------------------------------------------------------------------------------


@pytest.fixture
def closed(campaign):
    """Closed with 24 people's answers (each recognisable by its values), in the order they answered."""
    people = _invited(campaign)[:24]
    for index, person in enumerate(people):
        _answer(campaign, person, index)
    truth = {person.id: (person.team_id, person.job_role_id, is_leadership(person)) for person in people}
    close_campaign(campaign)
    db.session.commit()
    return campaign, people, truth


def test_the_first_read_of_the_results_forgets_who_answered(closed):
    """Closing keeps who answered (so a campaign closed by mistake can be reopened without double answers) until
    anyone first reads its results; from then on no row names a respondent."""
    campaign, people, _truth = closed
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.campaign_id == campaign.id)) == len(people)
    analyse(campaign)
    db.session.commit()
    assert campaign.results_read_at is not None
    for model in (Participation, Invitee):
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.campaign_id == campaign.id)) == 0
    population = population_of(campaign)
    assert sum(population.answered_per_team.values()) == len(people)


def test_a_reader_cannot_narrow_anyone_to_fewer_than_threshold_responses(closed):
    campaign, people, truth = closed
    stored = Counter(db.session.execute(
        select(Response.team_id, Response.job_role_id, Response.leadership)
        .where(Response.campaign_id == campaign.id)).all())
    assert min(stored.values()) >= campaign.threshold
    parents = population_of(campaign).parents
    for person in people:
        # Every group the person's own could have been generalised to is a candidate.
        group, candidates = truth[person.id], 0
        chain = {group}
        while group != (None, None, None):
            group = coarser(group, parents)
            chain.add(group)
        chain.add((None, None, None))
        candidates = sum(n for (team, role, leadership), n in stored.items()
                         if (team, role, bool(leadership) if leadership is not None else None) in chain)
        assert candidates >= campaign.threshold, person.email


def test_row_order_and_ids_say_nothing_of_who_answered_when(closed):
    campaign, people, _truth = closed
    order_by = "ctid" if _is_postgres() else "id"  # SQLite's table order is its primary key: no rowid
    rows = db.session.execute(text(
        f"SELECT r.id, a.item_key, a.value FROM response r JOIN response_answer a ON a.response_id = r.id "
        f"WHERE r.campaign_id = :c ORDER BY r.{order_by}"), {"c": campaign.id}).all()
    first_key, second_key = (item["key"] for item in campaign.instrument.items[:2])
    by_response: dict[str, dict] = {}
    for response_id, key, value in rows:
        by_response.setdefault(response_id, {})[key] = value
    stored_order = [(v[first_key] - 1) + 5 * (v[second_key] - 1) for v in by_response.values()]
    assert sorted(stored_order) == list(range(len(people)))
    assert stored_order != list(range(len(people)))


def test_sqlite_tables_keep_no_rowid(closed):
    if _is_postgres():
        pytest.skip("SQLite's rowid")
    for table in ("participation", "response", "response_answer", "response_comment"):
        with pytest.raises(OperationalError):
            db.session.execute(text(f"SELECT rowid FROM {table}"))
        db.session.rollback()


def test_on_postgresql_closing_writes_every_answer_in_one_transaction(closed):
    if not _is_postgres():
        pytest.skip("xmin is PostgreSQL's")
    campaign, _people, _truth = closed
    xmins = db.session.execute(text(
        "SELECT DISTINCT xmin::text FROM response WHERE campaign_id = :c "
        "UNION SELECT DISTINCT a.xmin::text FROM response_answer a JOIN response r ON r.id = a.response_id "
        "WHERE r.campaign_id = :c UNION SELECT DISTINCT xmin::text FROM response_comment WHERE campaign_id = :c"),
        {"c": campaign.id}).scalars().all()
    assert len(xmins) == 1
