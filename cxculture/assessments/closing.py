"""Closing a campaign: what is kept about who answered, the answers written anew, the results computed once.

When a campaign closes:

1. who answered becomes a count per team (of the population frozen at opening); the participation rows and the
   invitees are kept only until anyone first reads the results (`note_results_read`), so that a campaign closed
   by mistake can be reopened (campaigns.reopen_campaign) without letting anyone answer twice; then they are
   deleted (`forget_respondents`), so no row names a respondent any more. Unread or not, they are deleted by the
   nightly sweep once the campaign's closing date has passed and no reopen is possible
   (`forget_past_respondents`);
2. every stored group is generalised until it holds at least `threshold` responses (generalising.py);
3. every response, answer and comment is deleted and written again with new random ids, in a random order, in
   this one transaction: nothing of when or in which order people answered survives (row order, PostgreSQL's
   xmin and ctid);
4. the results are computed once and kept (FrozenResult): a closed campaign's figures never change, so every
   page reads them instead of adding up the answers again.

Raising a closed campaign's threshold repeats steps 2 and 4. Flushes only: the caller commits. Once closed out, the
campaign is published as an event (events.campaign_closed), which carries the campaign and nothing of its answers.

A closed campaign's results are *read* the first time any of its figures is shown or delivered to anyone: the
results page, CSV or PDF, the employees' summary, and every summary other areas take from it (dashboards, the
team culture on scorecards, café agendas, the alignment review, the benchmark, a later campaign's trend). They all
come from results.analysis.analyse() or summary.network_pillar_scores, which call `note_results_read`; within a
request the mark is committed when the response is ready (views/__init__.py), elsewhere with the caller's
transaction. The training hook (the modules a team's weakest pillars add to a plan) shows no figure and does not
count as a read.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date

from flask import g, has_request_context
from sqlalchemy import delete, func, insert, select, update

from .. import events
from ..extensions import db
from ..util import utcnow
from .answers import Answer, Comment, Invitee, Participation, Response
from .generalising import ANY, generalise
from .models import Campaign, FrozenResult
from .snapshot import population_of

_random = random.SystemRandom()


def close_out(campaign: Campaign) -> None:
    """Steps 1-4 for a campaign whose status has just become "closed"."""
    population = population_of(campaign)
    answered = dict(db.session.execute(
        select(Invitee.team_id, func.count())
        .join(Participation, (Participation.person_id == Invitee.person_id)
              & (Participation.campaign_id == Invitee.campaign_id))
        .where(Invitee.campaign_id == campaign.id, Invitee.team_id.is_not(None))
        .group_by(Invitee.team_id)).all())
    respondents = db.session.scalar(select(func.count()).select_from(Response)
                                    .where(Response.campaign_id == campaign.id))
    data = dict(campaign.population)
    # Below the threshold nothing is ever shown: keep no per-team count that could say who answered.
    data["answered_per_team"] = ({str(k): n for k, n in answered.items()}
                                 if respondents >= campaign.threshold else {})
    campaign.population = data
    rewrite_answers(campaign, population.parents if population else {})
    freeze_results(campaign)
    if campaign.results_read_at is not None:  # closed before reopening existed: nobody can reopen it
        forget_respondents([campaign.id])
    events.campaign_closed.send(campaign)


def forget_respondents(campaign_ids: list[int]) -> None:
    """Delete who answered and who was invited (participation, invitees) of closed campaigns, for good."""
    db.session.execute(delete(Participation).where(Participation.campaign_id.in_(campaign_ids)))
    db.session.execute(delete(Invitee).where(Invitee.campaign_id.in_(campaign_ids)))


def forget_past_respondents(today: date | None = None) -> int:
    """Who answered closed campaigns that can no longer be reopened (past their closing date), deleted for good
    even when nobody has read their results; the rows deleted. A nightly sweep (jobs/housekeeping.py): a closed
    campaign keeps who answered only as long as a reopen could need it."""
    today = today or date.today()
    past = select(Campaign.id).where(Campaign.status == "closed", Campaign.closes_on < today)
    deleted = db.session.execute(delete(Participation).where(Participation.campaign_id.in_(past))).rowcount
    deleted += db.session.execute(delete(Invitee).where(Invitee.campaign_id.in_(past))).rowcount
    return deleted


def note_results_read(campaign_ids: list[int]) -> None:
    """Someone is being shown figures of these campaigns' results: the closed ones not read yet become read.

    In a request the mark waits for the response (`record_results_read` after the view); elsewhere it is
    written now, with the caller's transaction.
    """
    if not campaign_ids:
        return
    if has_request_context():
        g.setdefault("results_read", set()).update(campaign_ids)
    else:
        record_results_read(campaign_ids)


def record_results_read(campaign_ids) -> list[int]:
    """Mark the closed, unread campaigns among `campaign_ids` as read now and forget their respondents; the ids
    newly marked. Idempotent."""
    newly = list(db.session.scalars(select(Campaign.id).where(
        Campaign.id.in_(list(campaign_ids)), Campaign.status == "closed", Campaign.results_read_at.is_(None))))
    if newly:
        db.session.execute(update(Campaign).where(Campaign.id.in_(newly), Campaign.results_read_at.is_(None))
                           .values(results_read_at=utcnow()).execution_options(synchronize_session="fetch"))
        forget_respondents(newly)
        db.session.flush()
    return newly


def rewrite_answers(campaign: Campaign, parents: dict[int, int | None]) -> None:
    """Generalise the stored groups to `threshold` responses each and write every row anew, shuffled."""
    responses = db.session.execute(
        select(Response.id, Response.team_id, Response.job_role_id, Response.leadership, Response.enps)
        .where(Response.campaign_id == campaign.id)).all()
    counts = Counter((team, role, leadership) for _id, team, role, leadership, _enps in responses)
    stored = generalise(counts, parents, campaign.threshold)
    new_ids = {row[0]: uuid.uuid4().hex for row in responses}
    answers = db.session.execute(
        select(Answer.response_id, Answer.item_key, Answer.pillar, Answer.value, Answer.score)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id)).all()
    comments = db.session.execute(
        select(Comment.question_key, Comment.team_id, Comment.job_role_id, Comment.leadership, Comment.text)
        .where(Comment.campaign_id == campaign.id)).all()

    response_rows = [
        dict(zip(("team_id", "job_role_id", "leadership"), stored.get((team, role, leadership), ANY), strict=True),
             id=new_ids[old_id], campaign_id=campaign.id, enps=enps)
        for old_id, team, role, leadership, enps in responses]
    answer_rows = [{"id": uuid.uuid4().hex, "response_id": new_ids[response_id], "item_key": item_key,
                    "pillar": pillar, "value": value, "score": score}
                   for response_id, item_key, pillar, value, score in answers]
    # A comment is stored under its response's group: one of at least `threshold` respondents wrote it.
    comment_rows = [{"id": uuid.uuid4().hex, "campaign_id": campaign.id, "question_key": question_key, "text": text,
                     **dict(zip(("team_id", "job_role_id", "leadership"),
                                stored.get((team, role, leadership), ANY), strict=True))}
                    for question_key, team, role, leadership, text in comments]
    for rows in (response_rows, answer_rows, comment_rows):
        _random.shuffle(rows)
    db.session.execute(delete(Comment).where(Comment.campaign_id == campaign.id))
    db.session.execute(delete(Answer).where(
        Answer.response_id.in_(select(Response.id).where(Response.campaign_id == campaign.id))))
    db.session.execute(delete(Response).where(Response.campaign_id == campaign.id))
    db.session.expire_all()
    for model, rows in ((Response, response_rows), (Answer, answer_rows), (Comment, comment_rows)):
        if rows:  # Core executemany: the ORM's bulk insert is several times slower for 100,000 rows
            db.session.execute(insert(model.__table__), rows)
    db.session.flush()


def freeze_results(campaign: Campaign) -> None:
    """Compute the campaign's results once and keep them (FrozenResult rows)."""
    from .results.freezing import frozen_results

    db.session.execute(delete(FrozenResult).where(FrozenResult.campaign_id == campaign.id))
    rows = [{"campaign_id": campaign.id, "focus": focus, "data": data}
            for focus, data in frozen_results(campaign).items()]
    db.session.execute(insert(FrozenResult), rows)
    db.session.flush()
