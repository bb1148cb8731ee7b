"""A SCORM 1.2 package played in Chromium inside a real SCORM runtime (scorm-again's Scorm12API in the host page,
the SCO in a frame, as an LMS shows it): lessons, the quiz, then the status and score the LMS reads."""
from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest
from playwright.sync_api import expect

from .conftest import package_zip, serve_directory, unpack
from .play import answer_quiz, player_data, read_lessons

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser")]

#: The LMS page: scorm-again's API on window (where the SCO's findAPI walk finds it), the SCO in a frame.
#: A saved attempt (location.hash, JSON) is loaded as an LMS does when a learner comes back.
HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>LMS</title><script src="scorm12.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  if (location.hash.length > 1) {
    window.API.loadFromJSON(JSON.parse(decodeURIComponent(location.hash.slice(1))));
  }
</script></head>
<body style="margin:0">
<iframe id="sco" title="course" src="package/index.html" style="border:0;width:100%;height:100vh"></iframe>
</body></html>
"""


@pytest.fixture
def lms(tmp_path, scorm_again):
    """Returns a callable: lms(zip bytes) serves the host page, the runtime and the unpacked package; gives the URL."""
    servers = []

    def _serve(package: bytes) -> str:
        unpack(package, tmp_path / "package")
        shutil.copy(scorm_again, tmp_path / "scorm12.js")
        (tmp_path / "host.html").write_text(HOST_PAGE)
        server = serve_directory(tmp_path).__enter__()
        servers.append(server)
        return f"{server.url}/host.html"

    yield _serve
    for server in servers:
        server.__exit__(None, None, None)


def _cmi(page) -> dict:
    return page.evaluate("""() => ({
        status: window.API.cmi.core.lesson_status, raw: window.API.cmi.core.score.raw,
        min: window.API.cmi.core.score.min, max: window.API.cmi.core.score.max,
        location: window.API.cmi.core.lesson_location, suspend: window.API.cmi.suspend_data,
        initialized: window.API.isInitialized(),
        terminated: window.API.isTerminated()})""")


def test_a_learner_who_answers_right_passes_and_the_lms_reads_passed_and_the_score(
        client, login_as, trained, lms, tab):
    package = package_zip(client, login_as, "scorm12")
    data = player_data(zipfile.ZipFile(io.BytesIO(package)))
    tab.goto(lms(package))
    player = tab.frame_locator("#sco")
    expect(player.get_by_role("heading", name="what-is-cx lesson 1")).to_be_visible()
    assert _cmi(tab)["status"] == "incomplete" and _cmi(tab)["initialized"]

    read_lessons(player, 3, "Next lesson →", "Mark as read and go to the quiz")
    assert _cmi(tab)["status"] == "incomplete"  # read, not yet passed
    asked = answer_quiz(player, data, submit_label="Submit my answers")
    assert asked == 5
    expect(player.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    cmi = _cmi(tab)
    assert (cmi["status"], cmi["raw"], cmi["min"], cmi["max"]) == ("passed", "100", "0", "100")
    assert json.loads(cmi["suspend"])["passed"] is True

    player.get_by_role("button", name="Exit").click()
    expect(player.get_by_role("heading", name="Your progress is saved")).to_be_visible()
    cmi = _cmi(tab)
    assert cmi["terminated"] and cmi["status"] == "passed"


def test_a_learner_who_answers_wrong_fails_then_passes_on_a_second_try_in_italian(
        client, login_as, trained, lms, tab):
    package = package_zip(client, login_as, "scorm12", "it")
    data = player_data(zipfile.ZipFile(io.BytesIO(package)))
    tab.goto(lms(package))
    player = tab.frame_locator("#sco")
    read_lessons(player, 3, "Lezione successiva →", "Segna come letta e vai al quiz")
    answer_quiz(player, data, submit_label="Invia le mie risposte", wrong=5)
    expect(player.get_by_role("heading", name="Non superato: 0%")).to_be_visible()
    expect(player.get_by_text("Sbagliata").first).to_be_visible()
    cmi = _cmi(tab)
    assert (cmi["status"], cmi["raw"], cmi["max"]) == ("failed", "0", "100")

    player.get_by_role("button", name="Riprova").click()
    answer_quiz(player, data, submit_label="Invia le mie risposte")
    expect(player.get_by_role("heading", name="Superato: 100%")).to_be_visible()
    cmi = _cmi(tab)
    assert (cmi["status"], cmi["raw"]) == ("passed", "100")


def test_a_quiz_with_an_unanswered_question_is_not_scored(client, login_as, trained, lms, tab):
    package = package_zip(client, login_as, "scorm12")
    tab.goto(lms(package))
    player = tab.frame_locator("#sco")
    read_lessons(player, 3, "Next lesson →", "Mark as read and go to the quiz")
    player.get_by_role("button", name="Submit my answers").click()
    expect(player.get_by_role("alert")).to_contain_text("answer every question")
    expect(player.get_by_text("Choose an answer.").first).to_be_visible()
    cmi = _cmi(tab)
    assert cmi["status"] == "incomplete" and cmi["raw"] == ""


def test_a_learner_who_leaves_midway_resumes_where_they_were(client, login_as, trained, lms, tab):
    package = package_zip(client, login_as, "scorm12")
    url = lms(package)
    tab.goto(url)
    player = tab.frame_locator("#sco")
    read_lessons(player, 2, "Next lesson →", "Next lesson →")  # two of three lessons read
    expect(player.get_by_role("heading", name="what-is-cx lesson 3")).to_be_visible()
    tab.evaluate("() => window.API.LMSFinish('')")  # the LMS window closes: the SCO's data stays with the LMS
    saved = tab.evaluate("() => ({core: {lesson_location: window.API.cmi.core.lesson_location, "
                         "lesson_status: window.API.cmi.core.lesson_status, entry: 'resume'}, "
                         "suspend_data: window.API.cmi.suspend_data})")
    assert saved["core"]["lesson_location"] == "2" and saved["core"]["lesson_status"] == "incomplete"

    tab.goto("about:blank")
    tab.goto(f"{url}#{json.dumps(saved)}")
    player = tab.frame_locator("#sco")
    expect(player.get_by_role("heading", name="what-is-cx lesson 3")).to_be_visible()
    expect(player.locator(".cx-toc .is-done")).to_have_count(2)
    assert _cmi(tab)["status"] == "incomplete"


def test_the_lms_mastery_score_wins_over_the_pass_mark(client, login_as, trained, lms, tab):
    package = package_zip(client, login_as, "scorm12")
    data = player_data(zipfile.ZipFile(io.BytesIO(package)))
    tab.goto(f"{lms(package)}#{json.dumps({'student_data': {'mastery_score': '100'}})}")
    player = tab.frame_locator("#sco")
    read_lessons(player, 3, "Next lesson →", "Mark as read and go to the quiz")
    expect(player.get_by_text("You pass with 100% or more")).to_be_visible()
    answer_quiz(player, data, submit_label="Submit my answers", wrong=1)
    expect(player.get_by_role("heading", name="Not passed: 80%")).to_be_visible()
    cmi = _cmi(tab)
    assert (cmi["status"], cmi["raw"]) == ("failed", "80")
