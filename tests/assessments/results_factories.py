"""Factories for results tests: campaigns and anonymous responses with scores chosen per pillar."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from cxculture.assessments.answers import Answer, Comment, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Team
from cxculture.orgs.teams import teams_by_path


def make_campaign(organisation, title="Culture 2025", status="closed", closes_on=None, invited=60,
                  threshold_override=None) -> Campaign:
    instrument = sync_shipped_instruments()[0]
    closes_on = closes_on or date.today() - timedelta(days=1)
    campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title=title,
                        opens_on=closes_on - timedelta(days=14), closes_on=closes_on, status=status,
                        invited_count=invited, threshold_override=threshold_override)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def respond(campaign, team: Team | None = None, role: JobRole | None = None, leadership=False, default=4,
            **scores) -> Response:
    """One response whose recoded score is `scores[pillar]` (else `default`) on every item of the pillar."""
    response = Response(campaign_id=campaign.id, team_id=team.id if team else None,
                        job_role_id=role.id if role else None, leadership=leadership)
    for item in campaign.instrument.items:
        score = scores.get(item["pillar"], default)
        response.answers.append(Answer(item_key=item["key"], pillar=item["pillar"],
                                       value=6 - score if item["reverse"] else score, score=score))
    db.session.add(response)
    db.session.flush()
    return response


def respond_many(campaign, count: int, **kwargs) -> None:
    for _ in range(count):
        respond(campaign, **kwargs)
    db.session.commit()


def comment(campaign, text: str, team: Team | None = None, question="obstacles", role=None) -> None:
    db.session.add(Comment(campaign_id=campaign.id, question_key=question, text=text,
                           team_id=team.id if team else None, job_role_id=role.id if role else None))
    db.session.commit()


def teams(organisation) -> dict[str, Team]:
    return teams_by_path(organisation.id)


def roles(organisation) -> dict[str, JobRole]:
    return {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}


def retail_campaign(organisation, **kwargs) -> Campaign:
    """Demo Retail, threshold 5, 36 respondents.

    Vendite 17 = Milano 9 + Roma 6 + Torino 2 (Torino hidden, Roma hidden with it: complementary);
    Servizio clienti 14 = Contact center 8 + Back office 6; Direzione 5 (leadership, executive role).
    Milano scores listening 2 and improvement 3; everyone else 4 except leadership, who score 5 everywhere.
    """
    campaign = make_campaign(organisation, **kwargs)
    t, r = teams(organisation), roles(organisation)
    respond_many(campaign, 9, team=t["Vendite/Milano Store"], role=r["frontline"], listening=2, improvement=3)
    respond_many(campaign, 6, team=t["Vendite/Roma Store"], role=r["frontline"])
    respond_many(campaign, 2, team=t["Vendite/Torino Store"], role=r["frontline"], vision=1)
    respond_many(campaign, 8, team=t["Servizio clienti/Contact center"], role=r["contact_centre"])
    respond_many(campaign, 6, team=t["Servizio clienti/Back office"], role=r["back_office"])
    respond_many(campaign, 5, team=t["Direzione"], role=r["executive"], leadership=True, default=5)
    return campaign


def open_now(campaign: Campaign) -> Campaign:
    """Open a campaign as opening does (population and threshold frozen, invitees written), whatever else is
    open in the organisation."""
    from cxculture.assessments.answering import invited_people_query
    from cxculture.assessments.snapshot import freeze_population

    campaign.status = "open"
    freeze_population(campaign, invited_people_query(campaign))
    db.session.commit()
    return campaign


def open_campaign_in(organisation, title: str = "Culture check") -> Campaign:
    """A new campaign of the organisation (everyone invited), opened today for a week."""
    campaign = Campaign(organisation_id=organisation.id, instrument=sync_shipped_instruments()[0], title=title,
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
    db.session.add(campaign)
    return open_now(campaign)


def closed_campaigns(organisation_id: int) -> list[Campaign]:
    """The organisation's closed campaigns of the full self-assessment, oldest first (the demo has three: the
    trend's points; its pulse rounds are not campaigns of the full kind)."""
    return list(db.session.scalars(select(Campaign).where(
        Campaign.organisation_id == organisation_id, Campaign.kind == "full", Campaign.status == "closed")
        .order_by(Campaign.closes_on)))
