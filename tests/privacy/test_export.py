"""A person downloads their own data; an administrator exports someone of their organisation."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from cxculture.downloads.models import Download
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.privacy.registry import PROVIDERS
from tests.conftest import get_file, login


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_a_person_downloads_their_own_data_from_the_account_page(client, certified):
    page = client.get("/account")
    assert page.data.index(b'action="/account/export"') > page.data.index(b'<main')  # in the page, not its title
    archive = _archive(get_file(client, "/account/export", method="post"))
    assert sorted(archive.namelist()) == sorted([f"{p.AREA}.json" for p in PROVIDERS] + ["summary.html"])
    person = certified
    profile = json.loads(archive.read("profile.json"))
    assert profile["profile"]["email"] == person.email and profile["profile"]["name"] == person.name
    assert {p["permission"] for p in profile["permissions"]} == set(person.permissions)
    training = json.loads(archive.read("training.json"))
    assert [p["module"] for p in training["progress"]] == ["what-is-cx", "customer-journey", "listening-to-customers"]
    assert len(training["quiz_attempts"]) == 3 and training["quiz_attempts"][0]["answers"]
    assert [c["person_name"] for c in training["certificates"]] == [person.name]
    assessment = json.loads(archive.read("assessment.json"))
    assert "stored with no link to you" in assessment["about_your_answers"]
    summary = archive.read("summary.html").decode()
    assert person.name in summary and "stored with no link to you" in summary
    logins = json.loads(archive.read("logins.json"))
    assert len(logins["sessions"]) == 1


def test_the_summary_is_in_the_persons_language(client, demo):
    person = person_by_email("employee@retail.example.com")
    person.language = "it"
    db.session.commit()
    login(client, "employee@retail.example.com")
    archive = _archive(get_file(client, "/account/export", method="post"))
    summary = archive.read("summary.html").decode()
    assert '<html lang="it">' in summary
    assert "senza alcun legame con te" in summary


def test_an_administrator_exports_a_person_and_gets_the_file_on_their_own_page(client, demo):
    login(client, "admin@bank.example.com")
    admin = person_by_email("admin@bank.example.com")
    employee = person_by_email("employee@bank.example.com")
    page = client.get(f"/admin/people/{employee.id}/edit")
    assert f'action="/admin/people/{employee.id}/export"'.encode() in page.data
    archive = _archive(get_file(client, f"/admin/people/{employee.id}/export", method="post"))
    assert json.loads(archive.read("profile.json"))["profile"]["email"] == employee.email
    download = db.session.scalar(select(Download).order_by(Download.id.desc()))
    assert download.requested_by_id == admin.id
    assert client.get("/downloads").data.count(b"Personal data of") == 1


@pytest.mark.parametrize("account", ["employee", "manager", "hr", "leader"])
def test_only_administrators_export_someone_else(client, demo, account):
    login(client, f"{account}@retail.example.com")
    other = person_by_email("admin@retail.example.com")
    assert client.post(f"/admin/people/{other.id}/export").status_code == 403
    assert db.session.scalar(select(Download.id)) is None


def test_an_administrator_cannot_export_someone_of_another_organisation(client, demo):
    login(client, "admin@retail.example.com")
    other = person_by_email("employee@bank.example.com")
    assert client.post(f"/admin/people/{other.id}/export").status_code == 404
