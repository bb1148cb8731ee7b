"""Pulse surveys and eNPS (issue 16, item 3): series run by leaders, rounds opened and closed by the scheduler's
job, answered once on one page, and trends shown only for groups at or above the anonymity threshold."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import pulses
from cxculture.assessments.answering import campaign_items, submit_pulse
from cxculture.assessments.answers import Invitee, Response
from cxculture.assessments.models import Campaign, PulseSeries
from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import person_by_email

TODAY = date.today()


@pytest.fixture
def series(retail):
    """A monthly series of Demo Retail asking one statement of each of three pillars, first round today."""
    from cxculture.assessments.campaigns import available_instruments

    instrument = available_instruments(retail.id)[0]
    keys = [next(i["key"] for i in instrument.items if i["pillar"] == p) for p in ("vision", "listening", "rewards")]
    made = pulses.create_series(retail, person_by_email("leader@retail.example.com"), title="Monthly pulse",
                                item_keys=keys, cadence="monthly", starts_on=TODAY, round_days=7)
    db.session.commit()
    return made


def _open_round(series) -> Campaign:
    assert pulses.run_pulses(TODAY)["opened"] == 1
    return db.session.scalar(select(Campaign).where(Campaign.series_id == series.id, Campaign.status == "open"))


def _people_of(campaign, team_name: str) -> list[Person]:
    team_id = db.session.scalar(select(Team.id).where(Team.organisation_id == campaign.organisation_id,
                                                      Team.name == team_name))
    invited = select(Invitee.person_id).where(Invitee.campaign_id == campaign.id)
    return list(db.session.scalars(select(Person).where(Person.team_id == team_id, Person.id.in_(invited))
                                   .order_by(Person.id)))


def _answer(campaign, people, scores: list[int]) -> None:
    values = {item["key"]: 4 for item in campaign_items(campaign)}
    for person, score in zip(people, scores, strict=False):
        submit_pulse(campaign, person, values, score)
    db.session.commit()


def test_enps_is_promoters_minus_detractors_in_percent():
    assert pulses.enps_score(promoters=5, detractors=2, answers=10) == 30
    assert pulses.enps_score(promoters=0, detractors=4, answers=4) == -100
    assert pulses.enps_score(promoters=3, detractors=0, answers=3) == 100
    assert pulses.enps_score(promoters=1, detractors=2, answers=3) == -33
    assert pulses.enps_score(0, 0, 0) is None
    counted = pulses.Enps(answers=29, promoters=10, detractors=9)
    assert (counted.score, counted.passives, counted.small_sample) == (3, 10, True)
    assert not pulses.Enps(30, 0, 0).small_sample


def test_a_leader_creates_a_series_from_the_instrument(client, login_as, retail):
    login_as("leader")
    assert 'href="/assessments/pulses"' in client.get("/home/leader").text  # reached from the leader's home
    form = client.get("/assessments/pulses/new")
    assert form.status_code == 200 and "How often" in form.text
    refused = client.post("/assessments/pulses/new", data={"title": "Pulse", "cadence": "weekly",
                                                           "starts_on": TODAY.isoformat(), "round_days": "9"})
    assert refused.status_code == 400
    assert "Choose at least one statement." in refused.text and "at most 7 days" in refused.text
    assert db.session.scalar(select(func.count()).select_from(PulseSeries)) == 0
    from cxculture.assessments.campaigns import available_instruments

    keys = [i["key"] for i in available_instruments(retail.id)[0].items][:3]
    created = client.post("/assessments/pulses/new", data={
        "title": "Weekly pulse", "cadence": "weekly", "starts_on": TODAY.isoformat(), "round_days": "5",
        "item_keys": keys})
    assert created.status_code == 302
    series = db.session.scalar(select(PulseSeries))
    assert (series.title, series.cadence, series.item_keys, series.status) == ("Weekly pulse", "weekly", keys, "active")
    page = client.get(created.headers["Location"])
    assert "No round has opened yet." in page.text and "How likely are you to recommend" in page.text
    assert "Weekly pulse" in client.get("/assessments/pulses").text


def test_the_scheduler_opens_and_closes_rounds(series):
    first = _open_round(series)
    assert (first.kind, first.opens_on, first.closes_on) == ("pulse", TODAY, TODAY + timedelta(days=6))
    assert first.threshold == 5 and first.invited_count > 0 and first.population is not None  # frozen
    assert pulses.run_pulses(TODAY) == {"closed": 0, "opened": 0}  # a repeated run does nothing twice
    assert pulses.run_pulses(TODAY + timedelta(days=7)) == {"closed": 1, "opened": 0}
    assert db.session.get(Campaign, first.id).status == "closed"
    next_month = pulses.round_opens_on(series, 1)
    assert pulses.run_pulses(next_month) == {"closed": 0, "opened": 1}
    second = db.session.scalar(select(Campaign).where(Campaign.series_id == series.id, Campaign.status == "open"))
    assert second.opens_on == next_month and second.item_keys == series.item_keys
    # The full assessment knows nothing of the pulse rounds: no open campaign blocks it, none is listed.
    from cxculture.assessments.campaigns import list_campaigns, open_campaign_of

    assert open_campaign_of(series.organisation_id) is None
    assert list_campaigns(series.organisation_id) == []


def test_monthly_rounds_keep_their_day_within_short_months():
    series = PulseSeries(cadence="monthly", starts_on=date(2027, 1, 31), round_days=7)
    assert [pulses.round_opens_on(series, n) for n in range(3)] == [date(2027, 1, 31), date(2027, 2, 28),
                                                                    date(2027, 3, 31)]
    quarterly = PulseSeries(cadence="quarterly", starts_on=date(2027, 11, 15), round_days=7)
    assert pulses.round_opens_on(quarterly, 1) == date(2028, 2, 15)


def test_pausing_asks_first_and_opens_no_round(client, login_as, series):
    login_as("leader")
    url = f"/assessments/pulses/{series.id}/pause"
    assert "No new round opens while it is paused" in client.get(url).text
    assert client.post(url).status_code == 400  # not confirmed: nothing changes
    assert db.session.get(PulseSeries, series.id).status == "active"
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    assert db.session.get(PulseSeries, series.id).status == "paused"
    assert pulses.run_pulses(TODAY)["opened"] == 0
    client.post(f"/assessments/pulses/{series.id}/stop", data={"confirm": "yes"})
    assert db.session.get(PulseSeries, series.id).status == "stopped"
    assert client.post(f"/assessments/pulses/{series.id}/resume", data={"confirm": "yes"}).status_code == 302
    assert db.session.get(PulseSeries, series.id).status == "stopped"  # a stopped series stays stopped


def test_an_employee_answers_a_pulse_from_home_once(client, login_as, series):
    round_ = _open_round(series)
    login_as("employee")
    home = client.get("/home/employee")
    assert f"/assessments/{round_.id}/pulse" in home.text
    assert client.get(f"/assessments/{round_.id}/answer").headers["Location"].endswith(f"/{round_.id}/pulse")
    page = client.get(f"/assessments/{round_.id}/pulse")
    assert "How likely are you to recommend this organisation as a place to work?" in page.text
    answers = {f"item-{key}": "4" for key in round_.item_keys}
    missing = client.post(f"/assessments/{round_.id}/pulse", data=answers)
    assert missing.status_code == 400 and "Choose a number from 0 to 10." in missing.text
    off_scale = client.post(f"/assessments/{round_.id}/pulse", data={**answers, "enps": "11"})
    assert off_scale.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    sent = client.post(f"/assessments/{round_.id}/pulse", data={**answers, "enps": "9"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/answer/thanks")
    again = client.post(f"/assessments/{round_.id}/pulse", data={**answers, "enps": "2"})
    assert again.status_code == 302
    assert [r.enps for r in db.session.scalars(select(Response))] == [9]
    assert f"/assessments/{round_.id}/pulse" not in client.get("/home/employee").text


def test_trends_show_enps_only_for_groups_at_or_above_the_threshold(client, login_as, series):
    round_ = _open_round(series)
    _answer(round_, _people_of(round_, "Milano Store"), [10] * 6 + [8] * 3 + [2] * 3)
    _answer(round_, _people_of(round_, "Contact center"), [0] * 12)
    _answer(round_, _people_of(round_, "Back office"), [10, 10])  # two: under the threshold of 5
    pulses.run_pulses(TODAY + timedelta(days=7))
    login_as("leader")
    page = client.get(f"/assessments/pulses/{series.id}/trends")
    assert page.status_code == 200
    text = page.text
    assert "<strong>-27</strong>" in text  # the organisation: (8 promoters - 15 detractors) / 26
    # Every Contact center answer was 0; its group holds at least 5 answers, so its line is shown.
    assert "Contact center" in text and "<strong>-100</strong>" in text
    # Two answered in the back office: no line, no figure of its own (its answers count in the organisation's).
    assert "Back office" not in text
    assert "small sample" in text  # 26 answers: under 30
    assert 'id="org-enps"' in text and "<title>" in text


def test_a_round_under_the_threshold_shows_no_figure(client, login_as, series):
    round_ = _open_round(series)
    _answer(round_, _people_of(round_, "Milano Store"), [10, 10, 0, 0])  # four: under 5
    pulses.run_pulses(TODAY + timedelta(days=7))
    login_as("leader")
    text = client.get(f"/assessments/pulses/{series.id}/trends").text
    assert "not enough answers" in text and "<strong>0</strong>" not in text
    assert "No team answered in large enough numbers in every round" in text


def test_another_organisations_series_and_rounds_are_not_found(client, login_as, series):
    round_ = _open_round(series)
    login_as("leader", org="bank")
    for url in (f"/assessments/pulses/{series.id}", f"/assessments/pulses/{series.id}/trends",
                f"/assessments/pulses/{series.id}/pause"):
        assert client.get(url).status_code == 404
    assert client.post(f"/assessments/pulses/{series.id}/stop", data={"confirm": "yes"}).status_code == 404
    assert db.session.get(PulseSeries, series.id).status == "active"
    assert "Monthly pulse" not in client.get("/assessments/pulses").text
    login_as("employee", org="bank")
    assert client.get(f"/assessments/{round_.id}/pulse").status_code == 404


def test_employees_and_managers_cannot_run_pulses(client, login_as, series):
    login_as("employee")
    assert client.get("/assessments/pulses").status_code == 403
    assert client.get(f"/assessments/pulses/{series.id}/trends").status_code == 403



@pytest.mark.parametrize("slug", ["demo-retail", "demo-bank"])
def test_the_demo_runs_a_monthly_pulse_with_closed_rounds(client, login_as, demo_with_assessments, slug):
    organisation = demo_with_assessments[0][slug]
    series = db.session.scalar(select(PulseSeries).where(PulseSeries.organisation_id == organisation.id))
    assert series.cadence == "monthly" and series.status == "active"
    statuses = [r.status for r in pulses.rounds_of(series)]
    assert statuses == ["closed"] * 4 + ["open"]
    trends = pulses.pulse_trends(series)
    scores = [e.score for e in trends.organisation.enps]
    assert None not in scores and scores[-1] > scores[0]  # the story: eNPS rises month after month
    login_as("leader", org=slug.removeprefix("demo-"))
    page = client.get(f"/assessments/pulses/{series.id}/trends")
    assert page.status_code == 200 and 'id="org-enps"' in page.text


def test_a_round_is_announced_as_a_pulse_survey_not_as_the_culture_assessment(series):
    from cxculture.assessments.reminders import mail_campaigns
    from cxculture.mail.models import MailMessage

    round_ = _open_round(series)
    db.session.execute(db.delete(MailMessage))
    db.session.commit()
    assert mail_campaigns(TODAY)["announced"] == 1
    from email import message_from_string, policy

    row = db.session.scalar(select(MailMessage).where(MailMessage.kind == "campaign_opened").limit(1))
    parsed = message_from_string(row.message, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    assert row.subject == f"The pulse survey “{round_.title}” is open"
    assert f"The pulse survey “{round_.title}” is open until" in text and "culture assessment" not in text
