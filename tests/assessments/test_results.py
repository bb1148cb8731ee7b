"""Results: scores, roll-ups, suppression on the page, filters, who sees what, comments, trend, gap."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.results.report import campaign_results
from cxculture.assessments.results.summary import organisation_summary
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused
from tests.assessments.results_factories import (
    comment,
    make_campaign,
    open_now,
    respond,
    respond_many,
    retail_campaign,
    roles,
    teams,
)

NOT_ENOUGH = "not enough answers"


@pytest.fixture
def campaign(retail):
    return retail_campaign(retail)


def leader():
    return person_by_email("leader@retail.example.com")


def rows_by_label(rows):
    return {row.label: row for row in rows}


# Scores and roll-ups ----------------------------------------------------------------------------------------

def test_pillar_scores_are_means_of_recoded_answers(app, campaign):
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    pillars = {p.key: p for p in results.pillars}
    # listening: Milano 9 x 2, leadership 5 x 5, the other 22 x 4.
    assert pillars["listening"].figure.score == pytest.approx((9 * 2 + 5 * 5 + 22 * 4) / 36)
    assert pillars["listening"].figure.favourable == pytest.approx(100 * 27 / 36)
    assert pillars["listening"].figure.unfavourable == pytest.approx(100 * 9 / 36)
    assert pillars["listening"].figure.respondents == 36 and not pillars["listening"].figure.small_sample
    assert results.respondents == 36 and results.turnout_percent == 60 and not results.turnout_low
    assert pillars["vision"].alpha_n == 36


def test_a_department_is_its_teams_combined(app, campaign):
    with app.test_request_context():
        rows = rows_by_label(campaign_results(campaign, leader()).team_rows)
    sales = rows["Vendite"]
    assert sales.respondents == 17 and not sales.hidden
    # vision: Milano 9 x 4, Roma 6 x 4, Torino 2 x 1 -> the hidden Torino counts inside the department.
    assert sales.cells[0].score == pytest.approx((9 * 4 + 6 * 4 + 2 * 1) / 17)
    assert rows["Vendite/Milano Store"].cells[1].score == 2


def test_small_team_and_the_sibling_that_would_reveal_it_are_hidden(app, campaign):
    with app.test_request_context():
        rows = rows_by_label(campaign_results(campaign, leader()).team_rows)
    assert rows["Vendite/Torino Store"].hidden and rows["Vendite/Roma Store"].hidden
    assert rows["Vendite/Torino Store"].respondents is None and rows["Vendite/Roma Store"].respondents is None
    assert all(cell.score is None for cell in rows["Vendite/Roma Store"].cells)
    assert not rows["Vendite/Milano Store"].hidden


def test_job_role_view_protects_a_small_role_from_subtraction(app, retail):
    campaign = make_campaign(retail)
    t, r = teams(retail), roles(retail)
    respond_many(campaign, 20, team=t["Vendite/Milano Store"], role=r["frontline"])
    respond_many(campaign, 8, team=t["Vendite/Milano Store"], role=r["contact_centre"])
    respond_many(campaign, 3, team=t["Vendite/Milano Store"], role=r["team_lead"], rewards=1)
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    roles_shown = rows_by_label(results.role_rows)
    assert roles_shown["Team lead"].hidden
    # 31 = 20 + 8 + 3: showing both the others would give the team leads' figures away.
    assert roles_shown["Contact centre"].hidden and not roles_shown["Front line"].hidden


def test_leadership_gap_and_the_two_widest(app, campaign):
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    gaps = {row.pillar: row for row in results.gaps}
    others_listening = (9 * 2 + 22 * 4) / 31
    assert gaps["listening"].gap == pytest.approx(5 - others_listening)
    assert {row.pillar for row in results.widest_gaps} == {"listening", "improvement"}


def test_leadership_split_hidden_when_leadership_is_small(app, retail):
    campaign = make_campaign(retail)
    t = teams(retail)
    respond_many(campaign, 20, team=t["Vendite/Milano Store"])
    respond_many(campaign, 3, team=t["Direzione"], leadership=True, default=1)
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    assert results.gap_hidden and all(row.gap is None and row.leadership.hidden for row in results.gaps)


def test_alpha_with_its_n_and_a_flag_below_0_7(app, retail):
    campaign = make_campaign(retail)
    t = teams(retail)
    respond_many(campaign, 6, team=t["Vendite/Milano Store"], default=4)
    respond_many(campaign, 6, team=t["Vendite/Milano Store"], default=2)
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    vision = results.pillars[0]
    assert vision.alpha == pytest.approx(1.0) and vision.alpha_n == 12 and not vision.alpha_flagged
    assert vision.figure.small_sample


# The page --------------------------------------------------------------------------------------------------

def test_leader_page_shows_hidden_cells_as_words_never_numbers(client, login_as, campaign):
    login_as("leader")
    page = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    assert NOT_ENOUGH in page
    for section in ("Teams heatmap", "Job roles heatmap", "Leadership vs everyone else", "Comments"):
        assert section in page
    torino = page.split("Torino Store", 1)[1].split("</tr>", 1)[0]
    assert NOT_ENOUGH in torino and not any(ch.isdigit() for ch in torino.replace("colspan=\"7\"", ""))
    assert 'role="img"' in page


def test_whole_campaign_below_threshold_says_only_that(client, login_as, retail):
    campaign = make_campaign(retail)
    respond_many(campaign, 4, team=teams(retail)["Vendite/Milano Store"], listening=1)
    login_as("leader")
    page = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    assert "Not enough answers" in page
    assert "Milano" not in page and "Teams heatmap" not in page and "<svg" not in page
    with client.application.test_request_context():
        assert organisation_summary(campaign).pillars == []


# Filters -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "team={torino}", "team={roma}", "team={milano}&job_role={frontline}", "team=abc", "team=999999",
    "job_role={team_lead}",
])
def test_filters_that_would_isolate_a_hidden_group_are_refused(client, login_as, retail, campaign, query):
    t, r = teams(retail), roles(retail)
    ids = {"torino": t["Vendite/Torino Store"].id, "roma": t["Vendite/Roma Store"].id,
           "milano": t["Vendite/Milano Store"].id, "frontline": r["frontline"].id, "team_lead": r["team_lead"].id}
    login_as("leader")
    for path in ("results", "results.csv", "results.pdf"):
        response = client.get(f"/assessments/{campaign.id}/{path}?{query.format(**ids)}")
        assert response.status_code == 400, path
        body = response.get_data(as_text=True)
        assert "refused" in body.lower() or "no such team" in body.lower() or "not both" in body.lower()
        assert "<table" not in body


def test_a_visible_team_can_be_filtered(client, login_as, retail, campaign):
    login_as("leader")
    milano = teams(retail)["Vendite/Milano Store"].id
    page = client.get(f"/assessments/{campaign.id}/results?team={milano}").get_data(as_text=True)
    assert "Overview: Vendite/Milano Store" in page


# Who sees what -----------------------------------------------------------------------------------------------

def test_manager_sees_only_their_teams(client, login_as, campaign):
    login_as("manager")  # leads Vendite/Milano Store
    response = client.get(f"/assessments/{campaign.id}/results")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Milano Store" in page
    for other in ("Roma Store", "Torino Store", "Contact center", "Direzione", "Job roles heatmap",
                  "Leadership vs everyone else"):
        assert other not in page


def test_manager_cannot_filter_on_another_team(client, login_as, retail, campaign):
    login_as("manager")
    contact = teams(retail)["Servizio clienti/Contact center"].id
    assert client.get(f"/assessments/{campaign.id}/results?team={contact}").status_code == 400


def test_employee_has_no_results_page_but_a_summary_after_close(client, login_as, retail):
    campaign = retail_campaign(retail, status="open", closes_on=date.today() + timedelta(days=3))
    login_as("employee")
    assert client.get(f"/assessments/{campaign.id}/results").status_code == 403
    pending = client.get(f"/assessments/{campaign.id}/summary").get_data(as_text=True)
    assert "when the campaign closes" in pending and "Listening" not in pending
    campaign.status = "closed"
    db.session.commit()
    summary = client.get(f"/assessments/{campaign.id}/summary").get_data(as_text=True)
    assert "Listening" in summary and "3.6" in summary
    assert "Milano" not in summary and "Team" not in summary.split("<main", 1)[1]


def test_leader_sees_no_results_while_the_campaign_is_open(client, login_as, retail):
    campaign = retail_campaign(retail, status="open", closes_on=date.today() + timedelta(days=3))
    login_as("leader")
    page = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    assert "when the campaign closes" in page and "Milano" not in page
    assert client.get(f"/assessments/{campaign.id}/results.csv").status_code == 404


def test_latest_results_link_goes_to_the_latest_closed_campaign(client, login_as, retail):
    make_campaign(retail, title="Old", closes_on=date.today() - timedelta(days=100))
    newer = make_campaign(retail, title="New")
    login_as("leader")
    response = client.get("/assessments/results/latest")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/assessments/{newer.id}/results")


# Comments ----------------------------------------------------------------------------------------------------

def test_comments_only_from_visible_groups(app, retail, campaign, make_person):
    t = teams(retail)
    comment(campaign, "Milano says: shorter queues", team=t["Vendite/Milano Store"])
    comment(campaign, "Torino says: more staff", team=t["Vendite/Torino Store"])
    manager = person_by_email("manager@retail.example.com")
    # The manager also has a direct report in Torino, a hidden team.
    make_person(retail, "torino.report@retail.example.com", team=t["Vendite/Torino Store"], manager=manager)
    with app.test_request_context():
        organisation = campaign_results(campaign, leader())
        team_view = campaign_results(campaign, manager)
    org_texts = {text for q in organisation.comments for text in q.comments}
    assert org_texts == {"Milano says: shorter queues", "Torino says: more staff"}
    manager_texts = {text for q in team_view.comments for text in q.comments}
    assert manager_texts == {"Milano says: shorter queues"}
    assert {row.label for row in team_view.team_rows} == {"Vendite/Milano Store", "Vendite/Torino Store"}
    assert rows_by_label(team_view.team_rows)["Vendite/Torino Store"].hidden


def test_comments_are_shuffled_and_shown_without_their_group(app, client, login_as, retail, campaign):
    milano = teams(retail)["Vendite/Milano Store"]
    for number in range(12):
        comment(campaign, f"comment number {number}", team=milano)
    with app.test_request_context():
        orders = {campaign_results(campaign, leader()).comments[0].comments for _ in range(6)}
    assert len(orders) > 1
    login_as("leader")
    page = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    listed = page.split('id="comments-title"', 1)[1]
    assert "comment number 3" in listed and "Milano" not in listed


# Trend -------------------------------------------------------------------------------------------------------

def test_trend_against_the_previous_closed_campaign(app, retail, campaign):
    previous = make_campaign(retail, title="Culture 2024", closes_on=campaign.closes_on - timedelta(days=365))
    respond_many(previous, 10, team=teams(retail)["Vendite/Milano Store"], default=3)
    make_campaign(retail, title="Draft later", status="draft", closes_on=campaign.closes_on - timedelta(days=10))
    with app.test_request_context():
        results = campaign_results(campaign, leader())
        milano = teams(retail)["Vendite/Milano Store"].id
        team_results = campaign_results(campaign, leader(), team_id=milano)
    assert results.previous_title == "Culture 2024"
    vision = results.pillars[0]
    assert vision.change == pytest.approx(vision.figure.score - 3)
    assert team_results.pillars[1].change == pytest.approx(2 - 3)


def test_no_trend_when_the_previous_group_was_hidden(app, retail, campaign):
    previous = make_campaign(retail, title="Culture 2024", closes_on=campaign.closes_on - timedelta(days=365))
    respond_many(previous, 20, team=teams(retail)["Servizio clienti/Contact center"], default=3)
    respond_many(previous, 2, team=teams(retail)["Vendite/Milano Store"], default=3)
    with app.test_request_context():
        milano = teams(retail)["Vendite/Milano Store"].id
        team_results = campaign_results(campaign, leader(), team_id=milano)
        results = campaign_results(campaign, leader())
    assert all(p.change is None for p in team_results.pillars)
    assert all(p.change is not None for p in results.pillars)


# Real answers ------------------------------------------------------------------------------------------------

def test_answers_submitted_by_real_people_reach_the_results(app, retail):
    from sqlalchemy import select

    from cxculture.orgs.models import Person

    campaign = open_now(make_campaign(retail, status="draft", closes_on=date.today() + timedelta(days=5)))
    milano = teams(retail)["Vendite/Milano Store"]
    # Six people of one group (team, job role), so that closing keeps their group as it is.
    people = db.session.scalars(select(Person).where(Person.team_id == milano.id,
                                                     Person.job_role_id == roles(retail)["frontline"].id)
                                .order_by(Person.id).limit(6))
    for person in people:
        values = {item["key"]: (2 if item["reverse"] else 4) for item in campaign.instrument.items}
        save_draft(campaign, person, values, {"obstacles": "note from someone"})
        submit(campaign, person)
    close_campaign(campaign)
    db.session.commit()
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    assert results.respondents == 6 and all(p.figure.score == 4 for p in results.pillars)
    assert rows_by_label(results.team_rows)["Vendite/Milano Store"].respondents == 6
    assert results.comments[0].comments == tuple(["note from someone"] * 6)


def test_no_access_for_a_plain_employee_in_the_service(app, campaign):
    with app.test_request_context(), pytest.raises(Refused):
        campaign_results(campaign, person_by_email("employee@retail.example.com"))


def test_query_count_does_not_grow_with_teams(app, retail):
    from sqlalchemy import event

    from cxculture.orgs.models import Team

    def queries_for(campaign) -> int:
        count = 0

        def before(*args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            with app.test_request_context():
                campaign_results(campaign, leader())
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return count

    counts = []
    for size in (3, 12):
        campaign = make_campaign(retail, title=f"Size {size}")
        for number in range(size):
            team = Team(organisation_id=retail.id, name=f"Extra {size}-{number}")
            db.session.add(team)
            db.session.flush()
            respond_many(campaign, 5, team=team)
        db.session.expire_all()
        counts.append(queries_for(campaign))
    assert counts[0] == counts[1]


def test_a_team_cannot_be_subtracted_from_a_job_role_it_contains(app, retail):
    """Back office: the team holds 5 back-office people and 1 team lead; the role holds exactly those 5."""
    campaign = make_campaign(retail)
    t, r = teams(retail), roles(retail)
    respond_many(campaign, 5, team=t["Servizio clienti/Back office"], role=r["back_office"])
    respond(campaign, team=t["Servizio clienti/Back office"], role=r["team_lead"], rewards=1)
    respond_many(campaign, 20, team=t["Vendite/Milano Store"], role=r["frontline"])
    respond_many(campaign, 10, team=t["Vendite/Roma Store"], role=r["frontline"])
    respond_many(campaign, 6, team=t["Vendite/Torino Store"], role=r["team_lead"])
    with app.test_request_context():
        results = campaign_results(campaign, leader())
    team_rows = rows_by_label(results.team_rows)
    role_rows = rows_by_label(results.role_rows)
    shown_team = not team_rows["Servizio clienti/Back office"].hidden
    shown_role = not role_rows["Back office"].hidden
    # Both shown would give the lone team lead's answers as team minus role.
    assert not (shown_team and shown_role)


def test_employee_home_links_the_latest_closed_results(app, client, retail, login_as):
    campaign = retail_campaign(retail)
    login_as("employee")
    page = client.get("/home/employee").get_data(as_text=True)
    assert f"/assessments/{campaign.id}/summary" in page


def test_the_pillar_table_says_in_plain_words_what_its_figures_mean(client, login_as, retail):
    """Low consistency is explained where it is, in words; the small-sample mark is explained once per table."""
    from cxculture.assessments.answers import Answer, Response

    campaign = make_campaign(retail)
    store = teams(retail)["Vendite/Milano Store"]
    vision = [item["key"] for item in campaign.instrument.items if item["pillar"] == "vision"]
    for index in range(12):  # the vision statements pull against each other; every other pillar agrees
        response = Response(campaign_id=campaign.id, team_id=store.id, job_role_id=None, leadership=False)
        for item in campaign.instrument.items:
            key = item["key"]
            score = (5 if index % 2 else 1) if key == vision[0] else (1 if index % 2 else 5) if key in vision else 4
            response.answers.append(Answer(item_key=item["key"], pillar=item["pillar"],
                                           value=6 - score if item["reverse"] else score, score=score))
        db.session.add(response)
    db.session.commit()
    login_as("leader")
    page = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    table = page[page.index('class="rs-pillars"'):]
    table = table[:table.index("</table>") + 400]
    assert table.count("statements disagree with each other: read its score with care") == 1
    assert "below 0.7" not in page and "small sample" not in page
    assert page.count("Fewer than 30 people answered") == 1 and 'class="rs-small"' not in table
