"""The demo campaigns: three closed ones and an open one per demo organisation, answered the way a demo needs,
and the benchmark network's (tests/test_demo.py loads the whole demo)."""
from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from cxculture.assessments import scoring
from cxculture.assessments.actions import open_actions, overdue_actions
from cxculture.assessments.answering import has_answered
from cxculture.assessments.answers import Answer, Comment, Participation, Response
from cxculture.assessments.models import ActionItem, Campaign
from cxculture.assessments.results.analysis import analyse
from cxculture.demo import _COMMENTS, load_demo_assessments
from cxculture.extensions import db
from cxculture.orgs.models import JobRole
from cxculture.orgs.service import person_by_email

THRESHOLD = 5


@pytest.fixture
def demo(demo_with_assessments):
    """The demo organisations with their demo campaigns, copied from a snapshot (loading them takes seconds)."""
    return demo_with_assessments[0]


@pytest.fixture
def assessed(demo_with_assessments):
    """What load_demo_assessments() reported when it loaded the campaigns."""
    return demo_with_assessments[1]


def _campaigns(organisation) -> tuple[Campaign, Campaign]:
    """The latest closed campaign and the open one (of the full self-assessment: pulses have tests of their own)."""
    closed = _closed(organisation)[-1]
    current = db.session.scalar(select(Campaign).where(Campaign.organisation_id == organisation.id,
                                                       Campaign.kind == "full", Campaign.status == "open"))
    return closed, current


def _closed(organisation) -> list[Campaign]:
    """The closed campaigns of the full self-assessment, oldest first."""
    return list(db.session.scalars(select(Campaign).where(Campaign.organisation_id == organisation.id,
                                                           Campaign.kind == "full", Campaign.status == "closed")
                                   .order_by(Campaign.opens_on)))


def _row_counts() -> dict:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Campaign, Participation, Response, Answer, Comment, ActionItem)}


def test_loading_twice_changes_nothing(demo, assessed):
    assert assessed.loaded == ["demo-retail", "demo-bank"]
    before = _row_counts()
    again = load_demo_assessments()
    db.session.commit()
    assert again.loaded == [] and again.responses == 0
    assert _row_counts() == before


@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_a_closed_campaign_and_an_open_one(demo, assessed, slug):
    closed, current = _campaigns(demo[slug])
    today = date.today()
    assert closed.closed_at is not None and closed.closes_on < current.opens_on <= today <= current.closes_on
    # The closed campaign used version 1, the open one the newest: the trend compares the statements they share.
    assert (closed.instrument.key, closed.instrument.version) == ("cx-culture", 1)
    assert (current.instrument.key, current.instrument.version) == ("cx-culture", 2)
    for campaign, low, high in ((closed, 0.7, 0.85), (current, 0.3, 0.5)):
        responses = db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign.id))
        participations = db.session.scalar(
            select(func.count(Participation.id)).where(Participation.campaign_id == campaign.id))
        # Closing forgets who answered: only the open campaign still has participation rows.
        assert participations == (0 if campaign is closed else responses)
        assert low <= responses / campaign.invited_count <= high, (campaign.title, responses)


@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_three_closed_quarters_whose_scores_climb_where_the_actions_take_hold(demo, assessed, slug):
    closed = _closed(demo[slug])
    assert len(closed) == 3
    assert all(earlier.closes_on < later.opens_on for earlier, later in itertools.pairwise(closed))
    assert len({c.title for c in closed}) == 3
    for pillar in ("listening", "rewards"):
        means = [scoring.pillar_tallies(c.id)[None, pillar].mean for c in closed]
        assert means[0] < means[1] < means[2], (pillar, means)


@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_some_teams_are_hidden_and_some_shown(demo, assessed, slug):
    closed, _ = _campaigns(demo[slug])
    analysis = analyse(closed)
    assert any(not analysis.team_visible(t) for t in analysis.team_n)
    assert sum(analysis.team_visible(t) for t in analysis.team_n) >= 3
    # What is stored: every group holds at least the threshold's number of responses.
    stored = db.session.execute(select(func.count(Response.id)).where(Response.campaign_id == closed.id)
                                .group_by(Response.team_id, Response.job_role_id, Response.leadership)).scalars()
    assert min(stored) >= THRESHOLD


def test_perception_gap_is_visible_in_retail(demo, assessed):
    closed, _ = _campaigns(demo["demo-retail"])
    tallies = scoring.pillar_tallies(closed.id, Response.leadership)
    assert tallies[True, "vision"].respondents >= THRESHOLD
    for pillar in ("vision", "communication"):
        assert tallies[True, pillar].mean - tallies[False, pillar].mean > 0.8, pillar


def test_leadership_scores_higher_on_vision(demo, assessed):
    for campaign in _campaigns(demo["demo-retail"]):
        tallies = scoring.pillar_tallies(campaign.id, Response.leadership)
        assert tallies[True, "vision"].mean > tallies[False, "vision"].mean + 0.5


def test_a_leadership_too_small_to_hide_in_is_not_stored_apart(demo, assessed):
    """Demo Bank has fewer leaders than the threshold: their answers are stored without the leadership flag."""
    for campaign in _campaigns(demo["demo-bank"]):
        assert (True, "vision") not in scoring.pillar_tallies(campaign.id, Response.leadership)


@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_rewards_is_the_weakest_pillar_for_the_front_line_and_listening_improves(demo, assessed, slug):
    closed, current = _campaigns(demo[slug])
    front = select(JobRole.id).where(JobRole.organisation_id == demo[slug].id,
                                     JobRole.key.in_(("frontline", "contact_centre")))
    tallies = scoring.pillar_tallies(closed.id, where=[Response.job_role_id.in_(front)])
    means = {pillar: tally.mean for (_, pillar), tally in tallies.items()}
    assert min(means, key=means.get) == "rewards"

    def listening(campaign):
        return scoring.pillar_tallies(campaign.id)[None, "listening"].mean

    assert listening(current) > listening(closed)


@pytest.mark.parametrize("org", ["retail", "bank"])
def test_demo_accounts_on_the_open_campaign(demo, assessed, org):
    _, current = _campaigns(demo[f"demo-{org}"])
    assert not has_answered(current, person_by_email(f"employee@{org}.example.com"))
    assert has_answered(current, person_by_email(f"leader@{org}.example.com"))


@pytest.mark.parametrize("slug, language", [("demo-retail", "it"), ("demo-bank", "en")])
def test_comments_are_in_the_organisations_language(demo, assessed, slug, language):
    closed, _ = _campaigns(demo[slug])
    comments = db.session.scalars(select(Comment).where(Comment.campaign_id == closed.id)).all()
    assert len(comments) >= 5
    known = {text for texts in _COMMENTS[language].values() for text in texts}
    assert {c.text for c in comments} <= known
    assert {c.question_key for c in comments} == {"obstacles", "start-doing"}


@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_action_items_some_overdue(demo, assessed, slug):
    organisation = demo[slug]
    closed, _ = _campaigns(organisation)
    actions = db.session.scalars(select(ActionItem).where(ActionItem.organisation_id == organisation.id)).all()
    assert 3 <= len(actions) <= 4
    assert {a.campaign_id for a in actions} == {closed.id}
    assert all(a.owner.organisation_id == organisation.id for a in actions)
    overdue = overdue_actions(organisation.id)
    assert overdue and len(overdue) < len(open_actions(organisation.id))
