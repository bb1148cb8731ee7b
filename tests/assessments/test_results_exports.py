"""Results CSV and PDF: aggregates only, the same suppression as the page."""
from __future__ import annotations

import csv
import io
import re
import subprocess

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, respond_many, retail_campaign, teams
from tests.conftest import get_file


def read_csv(response):
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_aggregates_and_hidden_rows_without_numbers(client, login_as, retail):
    campaign = retail_campaign(retail)
    login_as("leader")
    response = client.get(f"/assessments/{campaign.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = read_csv(response)
    torino = [r for r in rows if r["Group"] == "Vendite/Torino Store"]
    roma = [r for r in rows if r["Group"] == "Vendite/Roma Store"]
    assert len(torino) == 6 and len(roma) == 6
    for row in torino + roma:
        assert row["Hidden"] and not any(row[c] for c in ("Score (1-5)", "Favourable %", "Respondents"))
    milano = [r for r in rows if r["Group"] == "Vendite/Milano Store" and r["Section"] == "Teams"]
    assert milano[1]["Pillar"] == "Listening" and milano[1]["Score (1-5)"] == "2.00"
    assert milano[1]["Respondents"] == "9" and not milano[1]["Hidden"]
    overview = [r for r in rows if r["Section"] == "Overview"]
    assert len(overview) == 6 and overview[0]["Reliability n"] == "36"
    assert {r["Section"] for r in rows} >= {"Overview", "Teams", "Job roles", "Leadership vs everyone else",
                                           "Statements"}
    assert "Comments" not in {r["Section"] for r in rows}


def test_csv_cells_are_formula_safe(client, login_as, retail):
    from cxculture.orgs.models import Team

    campaign = make_campaign(retail)
    evil = Team(organisation_id=retail.id, name="=HYPERLINK(\"x\")")
    db.session.add(evil)
    db.session.commit()
    respond_many(campaign, 6, team=evil)
    respond_many(campaign, 6, team=teams(retail)["Vendite/Milano Store"])
    login_as("leader")
    rows = read_csv(client.get(f"/assessments/{campaign.id}/results.csv"))
    assert any(r["Group"] == "'=HYPERLINK(\"x\")" for r in rows)


def test_csv_below_threshold_has_no_numbers(client, login_as, retail):
    campaign = make_campaign(retail)
    respond_many(campaign, 3, team=teams(retail)["Vendite/Milano Store"])
    login_as("leader")
    rows = read_csv(client.get(f"/assessments/{campaign.id}/results.csv"))
    assert rows and all(r["Hidden"] and not r["Score (1-5)"] and not r["Respondents"] for r in rows)
    assert not any("Milano" in value for r in rows for value in r.values())


def test_manager_csv_holds_only_their_teams(client, login_as, retail):
    campaign = retail_campaign(retail)
    login_as("manager")
    rows = read_csv(client.get(f"/assessments/{campaign.id}/results.csv"))
    groups = {r["Group"] for r in rows if r["Section"] == "Teams"}
    assert groups == {"Vendite/Milano Store"}
    assert not any(r["Section"] in ("Job roles", "Leadership vs everyone else") for r in rows)


def test_pdf_html_suppresses_like_the_page(app, retail):
    from cxculture.assessments.results.report import campaign_results
    from cxculture.assessments.views.results import render_results_pdf_html

    campaign = retail_campaign(retail)
    with app.test_request_context():
        html = render_results_pdf_html(campaign_results(campaign, person_by_email("leader@retail.example.com")),
                                       "Demo Retail")
    torino = html.split("Torino Store", 1)[1].split("</tr>", 1)[0]
    assert "not enough answers" in torino and not any(ch.isdigit() for ch in torino.replace('colspan="7"', ""))
    # The radar, the pillar bars and the leadership gap; a bar per statement and the three swatches of their key.
    statements = len(campaign.instrument.items)
    assert html.count("<svg") == 3 + statements + 3 and "size: A4" in html and "app.css" not in html
    assert len(re.findall(r'<svg [^>]*id="pdf-item-\d+"', html)) == statements


def test_pdf_download(client, login_as, retail, tmp_path):
    campaign = retail_campaign(retail)
    login_as("leader")
    response = get_file(client, f"/assessments/{campaign.id}/results.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "results.pdf"
    path.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Culture 2025" in text and "not enough answers" in text and "Teams heatmap" in text
    torino_line = next(line for line in text.splitlines() if "Torino Store" in line)
    assert "not enough answers" in torino_line and not any(ch.isdigit() for ch in torino_line)
