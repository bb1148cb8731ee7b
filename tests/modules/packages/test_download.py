"""Administrators download a module as a SCORM 1.2 or cmi5 ZIP from the module library page."""
from __future__ import annotations

import io
import json
import re
import zipfile
from xml.etree import ElementTree

import pytest

from tests.conftest import get_file, pdf_text, run_queued_downloads

SCORM_CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
CMI5 = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
URL = "/admin/training/library/what-is-cx/package"


def _zip(client, package_format: str, language: str = "en") -> zipfile.ZipFile:
    """Ask for a package as an administrator does: the job queue makes it (PDF worksheets), then it is fetched."""
    asked = client.get(URL, query_string={"format": package_format, "language": language})
    assert asked.status_code == 303 and re.search(r"/downloads/\d+$", asked.headers["Location"])
    response = get_file(client, URL, query_string={"format": package_format, "language": language})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert f"what-is-cx-v1-{language}-{package_format}.zip" in disposition
    return zipfile.ZipFile(io.BytesIO(response.data))


def _player_json(html: str, element_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found, f"no #{element_id} in the player page"
    return json.loads(found.group(1))


@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_download_packages(client, login_as, trained, account):
    login_as(account, org="bank")
    assert client.get(URL, query_string={"format": "scorm12", "language": "en"}).status_code == 403


def test_signed_out_visitors_are_sent_to_log_in(client, trained):
    response = client.get(URL, query_string={"format": "scorm12", "language": "en"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_module_page_offers_both_formats(client, login_as, trained):
    login_as("admin", org="bank")
    body = client.get("/admin/training/library/what-is-cx").get_data(as_text=True)
    assert "Download as SCORM 1.2" in body and "Download as cmi5" in body
    assert 'name="format" value="scorm12"' in body and 'name="format" value="cmi5"' in body
    assert "right answers are in the file" in body
    assert '<option value="en" selected>' in body


def test_the_module_page_offers_the_packages_in_italian(client, login_as, trained):
    login_as("admin", org="retail")  # an Italian organisation
    body = client.get("/admin/training/library/what-is-cx").get_data(as_text=True)
    assert "Scarica come SCORM 1.2" in body and "Scarica come cmi5" in body
    assert '<option value="it" selected>' in body


def test_a_scorm_package_has_a_scorm_1_2_manifest_with_one_sco_and_the_pass_mark(client, login_as, trained):
    login_as("admin", org="bank")
    archive = _zip(client, "scorm12")
    manifest = ElementTree.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.find(f"{SCORM_CP}metadata/{SCORM_CP}schemaversion").text == "1.2"
    assert manifest.find(f"{SCORM_CP}metadata/{SCORM_CP}schema").text == "ADL SCORM"
    items = manifest.findall(f".//{SCORM_CP}item")
    assert len(items) == 1
    assert items[0].find(f"{ADLCP}masteryscore").text == "80"
    assert items[0].find(f"{SCORM_CP}title").text == "Title of what-is-cx"
    resources = manifest.findall(f".//{SCORM_CP}resource")
    assert len(resources) == 1 and resources[0].get(f"{ADLCP}scormtype") == "sco"
    assert resources[0].get("href") == "index.html"
    listed = {f.get("href") for f in resources[0].findall(f"{SCORM_CP}file")}
    assert listed == set(archive.namelist()) - {"imsmanifest.xml"}
    assert "cmi5.xml" not in archive.namelist()


def test_a_cmi5_package_has_one_au_that_moves_on_when_completed_and_passed(client, login_as, trained):
    login_as("admin", org="bank")
    archive = _zip(client, "cmi5")
    course = ElementTree.fromstring(archive.read("cmi5.xml"))
    assert course.tag == f"{CMI5}courseStructure"
    aus = course.findall(f"{CMI5}au")
    assert len(aus) == 1
    au = aus[0]
    assert au.get("moveOn") == "CompletedAndPassed" and au.get("masteryScore") == "0.80"
    assert au.find(f"{CMI5}url").text == "index.html"
    assert au.find(f"{CMI5}title/{CMI5}langstring").text == "Title of what-is-cx"
    course_id = course.find(f"{CMI5}course").get("id")
    assert au.get("id").startswith(course_id) and au.get("id") != course_id
    data = _player_json(archive.read("index.html").decode(), "cx-package")
    assert data["format"] == "cmi5" and data["activityId"] == au.get("id")
    assert "imsmanifest.xml" not in archive.namelist()


@pytest.mark.parametrize("package_format", ["scorm12", "cmi5"])
def test_the_player_is_self_contained_and_carries_the_lessons_and_quiz(client, login_as, trained, package_format):
    login_as("admin", org="bank")
    archive = _zip(client, package_format)
    html = archive.read("index.html").decode()
    for name in ("index.html", "player.js", "player.css"):
        text = archive.read(name).decode()
        # Nothing from the internet: many LMSs and their learners' machines have none.
        assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text), name
        assert "@import" not in text and "url(http" not in text, name
    assert '<script src="player.js"></script>' in html and 'href="player.css"' in html
    for number in (1, 2, 3):
        assert f"what-is-cx lesson {number}" in html
    data = _player_json(html, "cx-package")
    assert data["passMark"] == 80 and data["lessons"] == ["lesson-1", "lesson-2", "lesson-3"]
    assert [q["id"] for q in data["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert all(q["right"] for q in data["questions"])
    assert html.count('class="cx-card cx-question"') == 5


def test_an_italian_package_speaks_italian(client, login_as, trained):
    login_as("admin", org="bank")  # an English page, an Italian package
    archive = _zip(client, "scorm12", "it")
    html = archive.read("index.html").decode()
    assert '<html lang="it">' in html
    assert "Titolo di what-is-cx" in html and "what-is-cx lezione 1" in html
    assert "Lezione 1 di 3" in html and "Invia le mie risposte" in html
    words = _player_json(html, "cx-words")
    assert words["questionOf"] == "Domanda {number} di {total}"
    assert "{score}" in words["passed"] and words["passed"] != "Passed: {score}%"
    manifest = archive.read("imsmanifest.xml").decode()
    assert "<title>Titolo di what-is-cx</title>" in manifest


def test_the_worksheets_travel_as_pdfs_linked_from_their_lesson(client, login_as, trained, tmp_path):
    login_as("admin", org="bank")
    archive = _zip(client, "scorm12", "it")
    assert archive.read("worksheets/journey-sheet.pdf").startswith(b"%PDF")
    assert "Scheda del percorso di what-is-cx" in pdf_text(archive.read("worksheets/journey-sheet.pdf"), tmp_path)
    html = archive.read("index.html").decode()
    lesson_2 = html[html.index('data-lesson="1"'):html.index('data-lesson="2"')]
    assert 'href="worksheets/journey-sheet.pdf"' in lesson_2 and "Scheda di lavoro per questa lezione" in lesson_2
    assert '<file href="worksheets/journey-sheet.pdf"/>' in archive.read("imsmanifest.xml").decode()


@pytest.mark.parametrize("query, message", [
    ({"format": "scorm2004", "language": "en"}, "choose SCORM 1.2 or cmi5 as the format"),
    ({"language": "en"}, "choose SCORM 1.2 or cmi5 as the format"),
    ({"format": "scorm12", "language": "de"}, "choose English or Italian as the language of the package"),
    ({"format": "cmi5"}, "choose English or Italian as the language of the package"),
])
def test_a_bad_request_says_what_is_wrong_and_gives_no_file(client, login_as, trained, query, message):
    login_as("admin", org="bank")
    response = client.get(URL, query_string=query)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/training/library/what-is-cx#packages")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in body


def test_an_unknown_module_is_not_found(client, login_as, trained):
    login_as("admin", org="bank")
    response = client.get("/admin/training/library/no-such-module/package",
                          query_string={"format": "scorm12", "language": "en"})
    assert response.status_code == 404


def test_a_package_is_its_requester_s_file_only(client, login_as, trained):
    login_as("admin", org="bank")
    asked = client.get(URL, query_string={"format": "cmi5", "language": "en"})
    run_queued_downloads()
    download = asked.headers["Location"]
    assert client.get(f"{download}/file").status_code == 200
    client.post("/logout")
    login_as("admin", org="retail")  # another organisation's administrator
    assert client.get(download).status_code == 404
    assert client.get(f"{download}/file").status_code == 404
