"""The themes page (/listening/themes): who may open it, what it shows, anonymity, tenancy, search, tone filter."""
from __future__ import annotations

import pytest

from cxculture.extensions import db
from tests.assessments.results_factories import comment, make_campaign, respond_many, retail_campaign, roles, teams
from tests.listening.helpers import remark_by, touchpoint

URL = "/listening/themes"


@pytest.fixture
def campaign(retail):
    """Demo Retail's closed campaign (36 respondents, threshold 5) with comments from shown teams."""
    campaign = retail_campaign(retail)
    t = teams(retail)
    for text in ("I waited 40 minutes on hold before anyone picked up.",
                 "i waited 40 minutes on hold  before anyone picked up",
                 "I WAITED 40 minutes on hold before anyone picked up."):
        comment(campaign, text, team=t["Vendite/Milano Store"])
    comment(campaign, "The lady at the store was so friendly and helpful.", team=t["Servizio clienti/Contact center"])
    comment(campaign, "Il bonus dipende solo dalle vendite, nessuno premia chi risolve i reclami.",
            team=t["Servizio clienti/Back office"])
    comment(campaign, "Customer asked whether the store opens on Sundays.", team=t["Direzione"])
    return campaign


def page(client, **params) -> str:
    response = client.get(URL, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_leader_reads_comments_grouped_by_theme_with_duplicates_folded(client, login_as, campaign):
    login_as("leader")
    html = page(client)
    assert "Culture 2025" in html
    assert 'id="theme-waiting"' in html and 'id="theme-rewards"' in html and 'id="theme-other"' in html
    # Three people wrote the same thing (case and spacing aside): one comment, ×3.
    assert html.count("40 minutes on hold") == 1 and "×3" in html
    assert "6 comments (4 different)" in html
    # The waiting theme says its tone split.
    waiting = html[html.index('id="theme-waiting"'):html.index("</details>", html.index('id="theme-waiting"'))]
    assert "Negative 3" in waiting and "Positive 0" in waiting


def test_the_page_speaks_italian(client, login_as, campaign):
    person = login_as("leader")
    person.language = "it"
    db.session.commit()
    html = page(client)
    assert "Temi nei commenti" in html and "Attese" in html and "Riconoscimenti e incentivi" in html


def test_search_finds_any_form_of_a_word(client, login_as, campaign):
    login_as("leader")
    html = page(client, q="waiting")  # the comment says "waited"
    assert "40 minutes on hold" in html and "friendly and helpful" not in html and "Il bonus" not in html
    assert "3 match your search" in html
    html = page(client, q="reclamo")  # "reclami"
    assert "Il bonus" in html and "40 minutes" not in html
    assert "No comment matches your search." in page(client, q="parking")


def test_tone_filter(client, login_as, campaign):
    login_as("leader")
    positive = page(client, tone="positive")
    assert "friendly and helpful" in positive and "40 minutes" not in positive
    neutral = page(client, tone="neutral")
    assert "opens on Sundays" in neutral and "friendly" not in neutral
    # An unknown tone is no filter.
    assert "friendly and helpful" in page(client, tone="<script>") and "40 minutes" in page(client, tone="bad")


def test_another_organisations_comments_never_appear(client, login_as, campaign, demo):
    bank = demo["demo-bank"]
    other = make_campaign(bank, title="Bank culture")
    respond_many(other, 10)
    comment(other, "Bank secret: the vault queue is endless.")
    login_as("leader")
    assert "vault" not in page(client) and "Bank culture" not in page(client)
    client.post("/logout")
    login_as("leader", org="bank")
    html = page(client)
    assert "vault queue" in html and "40 minutes" not in html and "Culture 2025" not in html


def test_no_comment_of_a_campaign_below_the_threshold(client, login_as, retail):
    small = make_campaign(retail, title="Small pulse")
    respond_many(small, 4)  # threshold 5
    comment(small, "Only four of us answered and I waited ages.")
    login_as("leader")
    html = page(client)
    assert "Small pulse" in html and "Only four of us" not in html
    assert "Fewer people answered than the anonymity threshold" in html


def test_a_manager_never_reads_a_hidden_teams_comment(client, login_as, retail):
    """The manager's team (Milano) is below the threshold while the organisation is shown: its comment is not
    theirs to read; a leader reads it among the organisation's, as on the results page."""
    campaign = make_campaign(retail)
    t, r = teams(retail), roles(retail)
    respond_many(campaign, 3, team=t["Vendite/Milano Store"], role=r["frontline"])
    respond_many(campaign, 12, team=t["Servizio clienti/Contact center"], role=r["contact_centre"])
    comment(campaign, "Milano: the tills crash every day.", team=t["Vendite/Milano Store"])
    login_as("manager")
    assert "tills crash" not in page(client)
    client.post("/logout")
    login_as("leader")
    assert "tills crash" in page(client)


@pytest.mark.parametrize("who, status", [("employee", 403), ("hr", 403), ("admin", 200), ("manager", 200)])
def test_who_may_open_the_page(client, login_as, campaign, who, status):
    login_as(who)
    assert client.get(URL).status_code == status


def test_a_visitor_is_sent_to_log_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_without_a_closed_campaign_or_a_remark_the_page_says_so(client, login_as, retail):
    login_as("leader")
    assert "No culture self-assessment has closed yet and no customer remark was logged" in page(client)


def test_what_customers_told_staff_is_grouped_too(client, login_as, retail, demo):
    """Remarks as their inbox shows them: a leader reads every one of the organisation, a manager those of the
    touchpoints their teams own, nobody another organisation's."""
    owned = touchpoint(retail, "store", owner_path="Vendite/Milano Store")
    other = touchpoint(retail, "website", owner_path="Servizio clienti/Contact center")
    remark_by("employee@retail.example.com", owned, "Waited twenty minutes at the till, nobody came.")
    remark_by("employee@retail.example.com", other, "The website refused my card three times.")
    remark_by("employee@bank.example.com", touchpoint(demo["demo-bank"], "store"), "Bank: the branch queue again.")
    login_as("leader")
    html = page(client)
    assert "Voice of the customer" in html and "twenty minutes" in html and "refused my card" in html
    assert "branch queue" not in html
    waiting = html[html.index('id="theme-waiting"'):html.index("</details>", html.index('id="theme-waiting"'))]
    assert "twenty minutes" in waiting
    client.post("/logout")
    login_as("manager")
    html = page(client)
    assert "twenty minutes" in html and "refused my card" not in html


def test_the_leaders_home_links_to_the_page(client, login_as, campaign):
    login_as("leader")
    assert f'href="{URL}"' in client.get("/home/leader").get_data(as_text=True)
