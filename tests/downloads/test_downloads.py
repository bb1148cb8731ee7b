"""Files made in the background: asked for on a page, made by the job queue, downloaded by the person who asked
for them (and nobody else), kept for a while, and never made twice for a double click or a repeated message."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.downloads import service
from cxculture.downloads.models import DONE, FAILED, QUEUED, RUNNING, Download, DownloadFile
from cxculture.extensions import db
from cxculture.jobs.housekeeping import sweep_expired
from cxculture.util import utcnow
from tests.conftest import login, run_queued_downloads
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person

SCORECARD = "/scorecards/{id}.pdf?period=2026-Q2"


@pytest.fixture
def card(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    return who


def _downloads() -> list[Download]:
    return list(db.session.scalars(select(Download).order_by(Download.id)))


def test_a_pdf_is_asked_for_made_by_the_queue_and_downloaded(client, card):
    login(client, "employee@bank.example.com")
    asked = client.get(SCORECARD.format(id=card.id))
    assert asked.status_code == 303  # no PDF is rendered inside the request
    page_url = asked.headers["Location"]
    download = _downloads()[0]
    assert page_url.endswith(f"/downloads/{download.id}") and download.status == QUEUED

    waiting = client.get(page_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in waiting and "Waiting to start" in waiting
    assert "<progress" in waiting
    assert client.get(f"{page_url}/file").status_code == 303  # not made yet: back to its page

    assert run_queued_downloads() == [download.id]
    ready = client.get(page_url).get_data(as_text=True)
    assert "Your file is ready" in ready and "http-equiv" not in ready
    pdf = client.get(f"{page_url}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert f'filename="scorecard-2026-Q2-{card.id}.pdf"' in pdf.headers["Content-Disposition"]
    assert "Scorecard 2026-Q2" in client.get("/downloads").get_data(as_text=True)


def test_only_the_person_who_asked_sees_the_file(client, card):
    login(client, "manager@bank.example.com")
    url = client.get(SCORECARD.format(id=card.id)).headers["Location"]
    run_queued_downloads()
    for email in ("employee@bank.example.com", "hr@bank.example.com", "hr@retail.example.com"):
        client.post("/logout")
        login(client, email)
        assert client.get(url).status_code == 404, email
        assert client.get(f"{url}/file").status_code == 404, email
        assert "Scorecard 2026-Q2" not in client.get("/downloads").get_data(as_text=True)
    client.post("/logout")
    assert client.get(f"{url}/file").status_code == 302  # to the login page


def test_a_double_click_asks_once(client, card):
    login(client, "manager@bank.example.com")
    first = client.get("/team/scorecards.pdf?period=2026-Q2").headers["Location"]
    second = client.get("/team/scorecards.pdf?period=2026-Q2").headers["Location"]
    assert first == second and len(_downloads()) == 1


def test_a_repeated_message_makes_nothing_twice(client, card):
    login(client, "employee@bank.example.com")
    client.get(SCORECARD.format(id=card.id))
    download_id = _downloads()[0].id
    assert service.render(download_id) == DONE
    assert service.render(download_id) is None  # the repeat finds it made
    assert db.session.scalar(select(func.count()).select_from(DownloadFile)) == 1


def test_a_lost_message_is_made_by_the_periodic_round_and_a_stopped_one_says_so(client, card, app):
    login(client, "manager@bank.example.com")
    client.get(SCORECARD.format(id=card.id))
    client.get("/team/scorecards.pdf?period=2026-Q2")
    lost, stopped = _downloads()
    lost.created_at = utcnow() - timedelta(seconds=service.LOST_MESSAGE_SECONDS + 1)
    stopped.status, stopped.started_at = RUNNING, utcnow() - timedelta(
        seconds=app.config["DOWNLOAD_TIME_LIMIT_SECONDS"] + 61)
    db.session.commit()

    assert service.render_due() == {"stopped": 1, "started": 1}
    db.session.expire_all()
    assert (lost.status, stopped.status, stopped.error) == (DONE, FAILED, "timeout")
    page = client.get(f"/downloads/{stopped.id}").get_data(as_text=True)
    assert "Not made" in page and "took longer than 900 seconds" in page and "http-equiv" not in page


def test_files_past_their_time_are_swept(client, card):
    login(client, "employee@bank.example.com")
    client.get(SCORECARD.format(id=card.id))
    run_queued_downloads()
    download = _downloads()[0]
    download_id = download.id
    assert sweep_expired()["download"] == 0
    download.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert sweep_expired()["download"] == 1
    assert _downloads() == [] and db.session.scalar(select(func.count()).select_from(DownloadFile)) == 0
    assert client.get(f"/downloads/{download_id}").status_code == 404


@pytest.mark.parametrize("url", ["/downloads/0", "/downloads/99999999/file", "/downloads/abc"])
def test_unknown_downloads_are_not_found(client, card, url):
    login(client, "employee@bank.example.com")
    assert client.get(url).status_code == 404


def test_an_empty_list_says_what_it_is_for(client, card):
    login(client, "employee@bank.example.com")
    page = client.get("/downloads").get_data(as_text=True)
    assert "You have not asked for any file yet" in page
