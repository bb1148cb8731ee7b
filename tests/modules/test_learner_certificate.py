"""The path certificate: issued when the role path is complete, a PDF for its owner, a public verification page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.models import Certificate
from cxculture.pdf import RefusedURL, render_pdf, static_url_fetcher
from tests.conftest import get_file, login
from tests.modules.conftest import RIGHT_ANSWERS
from tests.modules.learner_helpers import complete_module

FRONT_LINE_PATH = ("what-is-cx", "customer-journey", "listening-to-customers")


def certificate_of(person) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.person_id == person.id))


@pytest.fixture
def certified(client, trained, login_as):
    """The bank's employee, logged in, with their front-line path completed through the pages."""
    person = login_as("employee", org="bank")
    for slug in FRONT_LINE_PATH[:-1]:
        complete_module(client, slug, RIGHT_ANSWERS)
        assert certificate_of(person) is None
    response = complete_module(client, FRONT_LINE_PATH[-1], RIGHT_ANSWERS)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your certificate is ready" in result
    return person


def test_completing_the_path_issues_one_certificate(client, certified):
    certificate = certificate_of(certified)
    assert certificate.person_name == "Employee Demo Bank" and certificate.role_name_en == "Front line"
    assert [m["slug"] for m in certificate.modules] == list(FRONT_LINE_PATH)
    home = client.get("/home/employee").get_data(as_text=True)
    assert "3 of 3 required modules completed" in home
    assert f'href="/learn/certificates/{certificate.code}.pdf"' in home
    assert f'href="/verify/{certificate.code}"' in home
    assert db.session.scalars(select(Certificate).where(Certificate.person_id == certified.id)).all() == [certificate]


def test_certificate_pdf_is_for_its_owner_only(client, certified):
    code = certificate_of(certified).code
    response = get_file(client, f"/learn/certificates/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert get_file(client, f"/learn/certificates/{code.lower()}.pdf").status_code == 200
    for email in ("manager@bank.example.com", "hr@bank.example.com", "employee@retail.example.com"):
        client.post("/logout")
        login(client, email)
        assert client.get(f"/learn/certificates/{code}.pdf").status_code == 404, email
    client.post("/logout")
    assert client.get(f"/learn/certificates/{code}.pdf").status_code == 302  # to the login page


def test_verification_page_is_public_and_shows_only_the_essentials(client, certified):
    certificate = certificate_of(certified)
    client.post("/logout")
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Valid certificate" in body
    for shown in ("Employee Demo Bank", "Demo Bank", "Front line", certificate.code):
        assert shown in body
    assert "employee@bank.example.com" not in body and "Title of what-is-cx" not in body


@pytest.mark.parametrize("code", ["000000000000", "not-a-code", "x" * 200])
def test_unknown_certificate_code_is_not_valid(client, trained, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "Not a valid certificate" in response.get_data(as_text=True)


def test_no_certificate_before_the_path_is_complete(client, trained, login_as):
    person = login_as("employee", org="bank")
    complete_module(client, "what-is-cx", RIGHT_ANSWERS)
    assert certificate_of(person) is None
    assert "Download your certificate" not in client.get("/home/employee").get_data(as_text=True)


def test_pdf_fetcher_serves_static_files_only(app):
    with app.app_context():
        fetcher = static_url_fetcher()
    served = fetcher.fetch("http://cxculture.invalid/static/css/certificate.css")
    assert b"@page" in served.read() and served.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("file:///etc/passwd", "http://example.com/static/css/app.css",
                "https://cxculture.invalid/static/css/app.css", "http://cxculture.invalid/static/../config.py",
                "http://cxculture.invalid/static/%2e%2e/config.py", "http://cxculture.invalid/etc/passwd",
                "http://cxculture.invalid/static/css/missing.css", "ftp://cxculture.invalid/static/css/app.css"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_render_pdf_ignores_outside_resources(app):
    with app.test_request_context():
        pdf = render_pdf('<link rel="stylesheet" href="file:///etc/passwd"><img src="http://example.com/x.png">'
                         '<link rel="stylesheet" href="/static/css/certificate.css"><p>Hello</p>')
    assert pdf.startswith(b"%PDF")
