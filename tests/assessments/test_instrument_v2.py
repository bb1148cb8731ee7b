"""Version 2 of the culture questionnaire: its statements, the "don't know / not applicable" answer from the
answer pages to the results, CSV and PDF, new campaigns on the newest version, and the trend between versions."""
from __future__ import annotations

import copy
import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import campaigns as service
from cxculture.assessments.answers import Answer, Participation, Response
from cxculture.assessments.instruments import copy_instrument, sync_shipped_instruments
from cxculture.assessments.models import Campaign, Draft
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import teams
from tests.conftest import get_file, login, pdf_text

PILLARS = ("vision", "listening", "communication", "rewards", "hiring", "improvement")
DK = "dk"
KEPT = {"vision-1", "vision-2", "vision-3", "vision-4", "vision-5", "listening-1", "listening-2", "listening-3",
        "listening-4", "listening-5", "communication-1", "communication-2", "communication-3", "rewards-1",
        "rewards-2", "rewards-3", "rewards-4", "rewards-6", "hiring-2", "hiring-3", "hiring-4", "hiring-5",
        "improvement-1", "improvement-2", "improvement-3", "improvement-4", "improvement-5", "improvement-6"}
DROPPED = {"communication-4", "communication-5", "rewards-5", "hiring-1"}
NEW = {"listening-6", "communication-6", "communication-7", "communication-8", "rewards-7", "hiring-6", "hiring-7"}


def shipped(version: int):
    return next(i for i in sync_shipped_instruments() if i.key == "cx-culture" and i.version == version)


def _text(instrument, key: str) -> str:
    return next(item["text"]["en"] for item in instrument.items if item["key"] == key)


# The questionnaire -----------------------------------------------------------------------------------------


def test_both_versions_are_shipped_and_version_2_keeps_the_keys_of_the_ideas_it_keeps(app):
    v1, v2 = shipped(1), shipped(2)
    assert len(v1.items) == 32 and not v1.offers_dont_know  # version 1 is as it was
    assert v2.offers_dont_know and v2.content["dont_know"] == {"en": "Don't know / not applicable",
                                                               "it": "Non so / non applicabile"}
    keys1 = {item["key"]: item["pillar"] for item in v1.items}
    keys2 = {item["key"]: item["pillar"] for item in v2.items}
    assert set(keys1) & set(keys2) == KEPT and set(keys1) - set(keys2) == DROPPED and set(keys2) - set(keys1) == NEW
    assert all(keys1[key] == keys2[key] for key in KEPT)  # a kept key measures the same pillar
    for pillar in v2.pillars:
        assert 5 <= len(pillar["items"]) <= 6 and any(item["reverse"] for item in pillar["items"]), pillar["key"]


@pytest.mark.parametrize("language", ["en", "it"])
def test_version_2_has_one_referent_per_statement_and_nothing_the_front_line_cannot_see(app, language):
    referents = {"en": ("my team", "our leaders", "our organisation"),
                 "it": ("mio team", "la direzione", "nostra organizzazione")}[language]
    for item in shipped(2).items:
        text = item["text"][language].lower()
        assert sum(referent in text for referent in referents) == 1, text
        assert not re.search(r"candidat|promot|promoss|carriera|omnichannel", text), text
    assert "questionari" in " ".join(item["text"]["it"] for item in shipped(2).items)


def test_a_new_campaign_uses_the_newest_shipped_version_and_version_1_can_still_be_chosen(client, login_as, demo):
    v1, v2 = shipped(1), shipped(2)
    person_by_email("admin@retail.example.com").language = "en"
    db.session.commit()
    admin = login_as("admin")
    page = client.get("/assessments/campaigns/new").get_data(as_text=True)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", page)
    chosen = [label for attributes, label in options if "selected" in attributes]
    assert chosen == ["CX culture self-assessment (shipped, version 2)"]
    assert "CX culture self-assessment (shipped, version 1)" in [label for _attributes, label in options]
    assert [i.id for i in service.available_instruments(admin.organisation_id)] == [v2.id, v1.id]


# Answering -------------------------------------------------------------------------------------------------


def _campaign(organisation, instrument, title="Autumn culture check") -> Campaign:
    campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title=title,
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
    db.session.add(campaign)
    db.session.flush()
    service.open_campaign(campaign)
    db.session.commit()
    return campaign


def _items(campaign, pillar):
    return next(p["items"] for p in campaign.instrument.pillars if p["key"] == pillar)


def _page(campaign, pillar, value="4", skip=(), **values):
    data = {f"item-{item['key']}": values.get(item["key"].replace("-", "_"), value)
            for item in _items(campaign, pillar) if item["key"] not in skip}
    data["action"] = "next"
    return data


def test_answering_dont_know_is_stored_without_a_score_and_counts_in_turnout(client, demo):
    campaign = _campaign(demo["demo-bank"], shipped(2))
    login(client, "employee@bank.example.com")
    page = client.get(f"/assessments/{campaign.id}/answer/listening").get_data(as_text=True)
    items = _items(campaign, "listening")
    assert page.count('type="radio"') == 6 * len(items) and page.count('value="0"') == len(items)
    assert "Don&#39;t know / not applicable" in page
    intro = client.get(f"/assessments/{campaign.id}/answer").get_data(as_text=True)
    assert "choose “Don&#39;t know / not applicable”: that is a useful answer too" in intro
    for pillar in PILLARS:
        first = _items(campaign, pillar)[0]["key"]
        response = client.post(f"/assessments/{campaign.id}/answer/{pillar}",
                               data=_page(campaign, pillar, **{first.replace("-", "_"): "0"}))
        assert response.status_code == 302, pillar
    response = client.post(f"/assessments/{campaign.id}/answer/final", data={"action": "submit"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/answer/thanks")

    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    answers = db.session.execute(select(Answer.item_key, Answer.value, Answer.score)).all()
    assert len(answers) == len(campaign.instrument.items)
    dont_know = {key for key, value, score in answers if value is None}
    assert dont_know == {_items(campaign, p)[0]["key"] for p in PILLARS}
    assert all(score is None for key, _value, score in answers if key in dont_know)
    # Turnout counts the person (one response); the scores leave the don't-know answers out.
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    from cxculture.assessments.scoring import pillar_tallies
    tallies = {pillar: tally for (_none, pillar), tally in pillar_tallies(campaign.id).items()}
    for pillar in PILLARS:
        items = _items(campaign, pillar)
        expected = [2 if item["reverse"] else 4 for item in items[1:]]
        tally = tallies[pillar]
        assert (tally.respondents, tally.answers, tally.dont_know) == (1, len(items) - 1, 1)
        assert tally.score_sum == sum(expected)


@pytest.mark.parametrize("posted, status, message", [
    ({"skip": True}, 400, "Answer 1 more statement to continue. Your other answers are saved."),
    ({"value": "6"}, 400, "Some answers sent were not on the scale, so nothing on this page was saved."),
    ({"value": "-1"}, 400, "Some answers sent were not on the scale, so nothing on this page was saved."),
    ({"value": "x"}, 400, "Some answers sent were not on the scale, so nothing on this page was saved."),
])
def test_the_answer_page_refuses_as_before(client, demo, posted, status, message):
    campaign = _campaign(demo["demo-bank"], shipped(2))
    login(client, "employee@bank.example.com")
    first = _items(campaign, "vision")[0]["key"]
    data = _page(campaign, "vision", skip=(first,) if posted.get("skip") else ())
    if "value" in posted:
        data[f"item-{first}"] = posted["value"]
    response = client.post(f"/assessments/{campaign.id}/answer/vision", data=data)
    assert response.status_code == status
    assert message in html.unescape(response.get_data(as_text=True))
    draft = db.session.scalar(select(Draft))
    if "value" in posted:  # nothing of the page was saved
        assert draft is None or not draft.answers.get("items")


def test_a_version_1_campaign_answers_as_before_without_dont_know(client, demo):
    campaign = _campaign(demo["demo-bank"], shipped(1))
    login(client, "employee@bank.example.com")
    page = client.get(f"/assessments/{campaign.id}/answer/vision").get_data(as_text=True)
    assert "not applicable" not in page and 'value="0"' not in page
    first = _items(campaign, "vision")[0]["key"]
    response = client.post(f"/assessments/{campaign.id}/answer/vision",
                           data=_page(campaign, "vision", **{first.replace("-", "_"): "0"}))
    assert response.status_code == 400 and "not on the scale" in response.get_data(as_text=True)
    for pillar in PILLARS:
        assert client.post(f"/assessments/{campaign.id}/answer/{pillar}",
                           data=_page(campaign, pillar)).status_code == 302
    assert client.post(f"/assessments/{campaign.id}/answer/final", data={"action": "submit"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.value.is_(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 32


# Results, trend, CSV and PDF ----------------------------------------------------------------------------------


def _closed(organisation, instrument, title, closes_on) -> Campaign:
    campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title=title,
                        opens_on=closes_on - timedelta(days=14), closes_on=closes_on, status="closed",
                        invited_count=60)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def respond(campaign, count: int, team, default: int = 4, pillars: dict | None = None, items: dict | None = None):
    """`count` responses: each statement's recoded score from `items`, else `pillars`, else `default`; DK for
    "don't know"."""
    for _ in range(count):
        response = Response(campaign_id=campaign.id, team_id=team.id, job_role_id=None, leadership=False)
        for item in campaign.instrument.items:
            score = (items or {}).get(item["key"], (pillars or {}).get(item["pillar"], default))
            if score == DK:
                response.answers.append(Answer(item_key=item["key"], pillar=item["pillar"], value=None, score=None))
            else:
                response.answers.append(Answer(item_key=item["key"], pillar=item["pillar"],
                                               value=6 - score if item["reverse"] else score, score=score))
        db.session.add(response)
    db.session.commit()


@pytest.fixture
def across_versions(retail):
    """Culture 2025 on version 1, Culture 2026 on version 2, ten respondents each (threshold 5).

    Version 1: vision 3; communication 4 on the statements version 2 keeps, 1 on the two it dropped.
    Version 2: vision 4; communication 4 on the kept statements, 2 on the new ones; listening-6 scored 2 by
    eight and "don't know" for two; communication-8 "don't know" for six (four scores: too few to show).
    """
    team = teams(retail)["Servizio clienti/Contact center"]
    before = _closed(retail, shipped(1), "Culture 2025", date.today() - timedelta(days=120))
    respond(before, 10, team, pillars={"vision": 3}, items={"communication-4": 1, "communication-5": 1})
    after = _closed(retail, shipped(2), "Culture 2026", date.today() - timedelta(days=1))
    new_communication = {"communication-6": 2, "communication-7": 2, "communication-8": 2}
    respond(after, 4, team, pillars={"vision": 4}, items={**new_communication, "listening-6": 2})
    respond(after, 4, team, pillars={"vision": 4}, items={**new_communication, "listening-6": 2,
                                                           "communication-8": DK})
    respond(after, 2, team, pillars={"vision": 4}, items={**new_communication, "listening-6": DK,
                                                           "communication-8": DK})
    return before, after


def _row(page: str, start: str) -> str:
    return page.split(start, 1)[1].split("</tr>", 1)[0]


def test_results_show_dont_know_per_statement_and_compare_only_shared_statements(client, login_as, across_versions):
    _before, after = across_versions
    login_as("leader")
    page = html.unescape(client.get(f"/assessments/{after.id}/results").get_data(as_text=True))
    assert "turnout (10 of 60 invited)" in page  # every respondent counts, whatever they answered
    listening_6 = _row(page, _text(after.instrument, "listening-6"))
    assert "2.0" in listening_6 and ">8<" in listening_6 and "20% " in listening_6 and "(2)" in listening_6
    assert "mostly “don't know”" not in listening_6
    communication_8 = _row(page, _text(after.instrument, "communication-8"))
    assert "mostly “don't know”" in communication_8 and "too few scores to show" in communication_8
    assert "60% " in communication_8 and "(6)" in communication_8 and "2.0" not in communication_8
    assert "Don't know" in page and "n is the number of people who gave a score" in page

    assert ("Compared with Culture 2025 on the 28 statements both versions of the questionnaire share: the pillar "
            "scores of both campaigns are recomputed on those statements only.") in page
    # Vision: every statement shared, 3 -> 4. Communication: 4 on the shared statements in both campaigns (the
    # full scores, 2.8 then 3.0, would say +0.2).
    pillars = page.split('class="rs-pillars"', 1)[1].split("</table>", 1)[0]
    assert "+1.0" in _row(pillars, '<th scope="row">Vision')
    assert "±0.0" in _row(pillars, '<th scope="row">Communication') and "+0.2" not in pillars
    assert "Dashed line" not in page  # the earlier scores on all its statements would not compare


def test_the_pillar_scores_leave_dont_know_out(app, across_versions):
    from cxculture.assessments.results.report import campaign_results

    _before, after = across_versions
    results = campaign_results(after, person_by_email("leader@retail.example.com"))
    listening = next(p for p in results.pillars if p.key == "listening")
    items = [i for i in after.instrument.items if i["pillar"] == "listening"]
    scored = [2 if item["key"] == "listening-6" else 4 for item in items]
    expected = (10 * sum(scored[:-1]) + 8 * scored[-1]) / (10 * (len(items) - 1) + 8)
    assert listening.figure.score == pytest.approx(expected) and listening.figure.respondents == 10
    assert listening.alpha_n == 8  # reliability: the respondents who scored every statement of the pillar
    assert results.shared_statements == 28 and results.dont_know_offered


def test_no_comparison_when_the_versions_share_no_statement(client, login_as, retail):
    own = copy_instrument(retail.id, shipped(1), "our-own")
    content = copy.deepcopy(own.content)
    for pillar in content["pillars"]:
        for item in pillar["items"]:
            item["key"] = "own-" + item["key"]
    own.content = content
    db.session.commit()
    team = teams(retail)["Servizio clienti/Contact center"]
    before = _closed(retail, own, "Our own 2025", date.today() - timedelta(days=120))
    respond(before, 10, team)
    after = _closed(retail, shipped(2), "Culture 2026", date.today() - timedelta(days=1))
    respond(after, 10, team)
    login_as("leader")
    page = html.unescape(client.get(f"/assessments/{after.id}/results").get_data(as_text=True))
    assert ("Our own 2025 used a questionnaire with no statements in common with this one, so there is no "
            "comparison.") in page
    assert "Change since" not in page and "Compared with" not in page
    pillars = page.split('class="rs-pillars"', 1)[1].split("</table>", 1)[0]
    assert not re.search(r"[+−±]\d", pillars)


def test_the_same_questionnaire_needs_no_note(client, login_as, retail):
    team = teams(retail)["Servizio clienti/Contact center"]
    respond(_closed(retail, shipped(1), "Culture 2025", date.today() - timedelta(days=120)), 10, team, default=3)
    after = _closed(retail, shipped(1), "Culture 2026", date.today() - timedelta(days=1))
    respond(after, 10, team)
    login_as("leader")
    page = html.unescape(client.get(f"/assessments/{after.id}/results").get_data(as_text=True))
    assert "Change since Culture 2025" in page and "Compared with" not in page and "+1.0" in page
    assert "Don't know" not in page  # version 1 never offered it


def test_csv_has_the_dont_know_counts(client, login_as, across_versions):
    _before, after = across_versions
    login_as("leader")
    body = client.get(f"/assessments/{after.id}/results.csv").get_data().decode("utf-8-sig")
    rows = {row["Statement"]: row for row in csv.DictReader(io.StringIO(body)) if row["Section"] == "Statements"}
    listening_6 = rows[_text(after.instrument, "listening-6")]
    assert (listening_6["Score (1-5)"], listening_6["Respondents"], listening_6["Don't know"],
            listening_6["Don't know %"]) == ("2.00", "8", "2", "20.0")
    communication_8 = rows[_text(after.instrument, "communication-8")]
    assert (communication_8["Score (1-5)"], communication_8["Favourable %"], communication_8["Respondents"],
            communication_8["Don't know"], communication_8["Don't know %"]) == ("", "", "", "6", "60.0")
    assert rows[_text(after.instrument, "vision-1")]["Don't know"] == "0"


def test_pdf_has_the_dont_know_counts_and_the_trend_note(client, login_as, across_versions, tmp_path):
    _before, after = across_versions
    login_as("leader")
    response = get_file(client, f"/assessments/{after.id}/results.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    flat = " ".join(pdf_text(response.get_data(), tmp_path).split())
    assert "Compared with Culture 2025 on the 28 statements" in flat
    assert "DON'T KNOW" in flat and "60% (6)" in flat and "20% (2)" in flat and "too few scores to show" in flat


def test_the_italian_results_say_it_in_italian(client, login_as, across_versions):
    _before, after = across_versions
    person_by_email("leader@retail.example.com").language = "it"
    db.session.commit()
    login_as("leader")
    page = html.unescape(client.get(f"/assessments/{after.id}/results").get_data(as_text=True))
    assert "Confronto con Culture 2025 sulle 28 affermazioni comuni alle due versioni del questionario" in page
    assert "per lo più «non so»" in page and "Non so" in page
    assert after.instrument.items[0]["text"]["it"] in page


def test_an_organisation_with_a_copy_of_version_1_takes_version_2_as_its_next_version(client, login_as, demo):
    from cxculture.assessments.models import Instrument

    v1, v2 = shipped(1), shipped(2)
    person_by_email("admin@retail.example.com").language = "en"
    db.session.commit()
    login_as("admin")
    client.post(f"/assessments/instruments/{v1.id}/copy")
    own = db.session.scalar(select(Instrument).where(Instrument.organisation_id == demo["demo-retail"].id))
    campaign = _campaign(demo["demo-retail"], own, title="On our copy")
    listing = html.unescape(client.get("/assessments/instruments").get_data(as_text=True))
    assert "Make version 2 our copy's next version" in listing and "Make our own copy" not in listing

    response = client.post(f"/assessments/instruments/{v2.id}/copy", follow_redirects=True)
    assert "Version 2 of the shipped questionnaire is now version 2 of your copy" in html.unescape(
        response.get_data(as_text=True))
    versions = db.session.scalars(select(Instrument).where(Instrument.organisation_id == demo["demo-retail"].id)
                                  .order_by(Instrument.version)).all()
    assert [(i.version, i.based_on_id) for i in versions] == [(1, v1.id), (2, v2.id)]
    assert versions[1].offers_dont_know and not versions[0].offers_dont_know
    assert campaign.instrument_id == versions[0].id  # the campaign keeps its version
    # Done once: the shipped version 2 is now in the copy.
    listing = html.unescape(client.get("/assessments/instruments").get_data(as_text=True))
    assert "our copy's next version" not in listing
    client.post(f"/assessments/instruments/{v2.id}/copy")
    assert db.session.scalar(select(func.count(Instrument.id)).where(Instrument.organisation_id.is_not(None))) == 2
