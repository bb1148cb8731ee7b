"""The pre-read brief and the summary: A4 PDFs in the café's language; a guest's brief has no host figures, and
no PDF or page names another organisation or shows one of its figures."""
from __future__ import annotations

import subprocess

import pytest

from tests.cafes.conftest import HOST_SECRETS
from tests.cafes.helpers import organisation_with_scores
from tests.conftest import get_file


def pdf_text(response, tmp_path) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "out.pdf"
    path.write_bytes(response.data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def network(make_organisation):
    """Four more organisations in the network, so that with Demo Retail there are the five the benchmark needs."""
    return [organisation_with_scores(make_organisation, name, score)
            for name, score in (("Northwind Traders", 2), ("Contoso Finance", 3), ("Fabrikam Tools", 4),
                                ("Litware Retail", 4))]


def _no_other_organisation(text: str, names) -> None:
    for name in names:
        assert name not in text, name


def test_host_brief_and_summary(client, login_as, network, cafe, tmp_path):
    from cxculture.cafes.service import record_attendance
    from cxculture.extensions import db

    login_as("leader")
    brief = pdf_text(get_file(client, f"/leadership/cafes/{cafe.id}/brief.pdf"), tmp_path)
    assert "Spring café" in brief and "pre-read brief" in brief.lower()
    assert "Weakest pillar: Listening" in brief and "≈ 3.0" in brief
    assert "Network, middle half" in brief  # the benchmark's chart, beside its table
    assert "Secret decision on budgets" not in brief  # the brief is for before the café
    record_attendance(cafe, {a.person_id for a in cafe.attendees})
    db.session.commit()
    summary = pdf_text(get_file(client, f"/leadership/cafes/{cafe.id}/summary.pdf"), tmp_path)
    assert "summary" in summary.lower()
    for text in ("Secret note about the contact centre", "Secret decision on budgets",
                 "Secret action on hiring", "Olivia Guest"):
        assert text in summary, text
    _no_other_organisation(brief + summary, ["Northwind", "Contoso", "Fabrikam", "Litware", "Demo Bank"])


def test_guest_brief_has_the_agenda_and_their_own_benchmark_only(client, login_as, network, cafe, tmp_path):
    login_as("leader", org="bank")
    brief = pdf_text(get_file(client, f"/leadership/cafes/{cafe.id}/brief.pdf"), tmp_path)
    assert "Spring café" in brief and "Your organisation in the benchmark network" in brief
    assert "≈ 3.0" in brief and "Network, middle half" in brief  # their own organisation against the network
    assert "Weakest pillar: Listening" in brief  # the title, without its figures
    for secret in HOST_SECRETS:
        assert secret not in brief, secret
    _no_other_organisation(brief, ["Northwind", "Contoso", "Fabrikam", "Litware"])
    assert "Score" not in brief and "Favourable" not in brief


def test_pages_name_no_other_organisation(client, login_as, cafe, network):
    login_as("leader")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    _no_other_organisation(page, ["Northwind", "Contoso", "Fabrikam", "Litware", "Demo Bank"])
    client.post("/logout")
    login_as("leader", org="bank")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    _no_other_organisation(page, ["Northwind", "Contoso", "Fabrikam", "Litware", "Demo Retail"])


def test_the_brief_follows_the_cafes_language(client, login_as, cafe, tmp_path):
    from cxculture.extensions import db

    cafe.language = "it"
    db.session.commit()
    login_as("leader")
    brief = pdf_text(get_file(client, f"/leadership/cafes/{cafe.id}/brief.pdf"), tmp_path)
    assert "documento preparatorio" in brief.lower() and "Ordine del giorno" in brief
    assert "Pilastro più debole" not in brief  # the agenda keeps the language it was drafted in
