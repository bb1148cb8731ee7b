"""A cmi5 package played in Chromium against a real LRS (Ralph). The test is the cmi5 LMS: it serves the AU and
its fetch URL and State API on loopback (Ralph has no State API) and passes the AU's statements on to Ralph,
then reads them back from Ralph: verbs in order, score, and the cmi5 context."""
from __future__ import annotations

import base64
import io
import json
import threading
import time
import uuid
import zipfile
from http import HTTPStatus
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.lms.test_xapi import RALPH_PASSWORD, RALPH_USER, Ralph
from tests.lms.test_xapi import ralph as lrs  # noqa: F401 (the Ralph LRS fixture, here named lrs)

from .conftest import LoopbackServer, QuietHandler, package_zip, serve_directory, unpack
from .play import answer_quiz, player_data, read_lessons

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("browser")]

CMI5 = "https://w3id.org/xapi/cmi5/"
CMI5_CATEGORY = CMI5 + "context/categories/cmi5"
MOVEON_CATEGORY = CMI5 + "context/categories/moveon"
SESSION_ID = CMI5 + "context/extensions/sessionid"
MASTERY_SCORE = CMI5 + "context/extensions/masteryscore"
VERB = "http://adlnet.gov/expapi/verbs/"
PUBLISHER = "https://lms.example.com/courses/cx-101"


class Cmi5Lms:
    """The LMS side of one cmi5 launch: a one-use fetch URL, LMS.LaunchData in a State API, statements to Ralph."""

    def __init__(self, root, ralph: Ralph):
        self.root, self.ralph = root, ralph
        self.token = base64.b64encode(f"{RALPH_USER}:{RALPH_PASSWORD}".encode()).decode()
        self.registration, self.session_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "learner-7"}}
        self.fetches = 0
        self.states: dict[str, str] = {}
        self.posted: list[str] = []  # statement ids in the order the AU sent them
        self.lock = threading.Lock()
        self.server: LoopbackServer | None = None

    def launch_url(self, activity_id: str) -> str:
        base = self.server.url
        self.states["LMS.LaunchData"] = json.dumps({
            "contextTemplate": {"contextActivities": {"grouping": [{"id": PUBLISHER, "objectType": "Activity"}]},
                                "extensions": {SESSION_ID: self.session_id}},
            "launchMode": "Normal", "moveOn": "CompletedAndPassed", "masteryScore": 0.8,
            "returnURL": f"{base}/returned.html"})
        return f"{base}/package/index.html?" + urlencode({
            "endpoint": f"{base}/lrs/", "fetch": f"{base}/fetch", "actor": json.dumps(self.actor),
            "registration": self.registration, "activityId": activity_id})

    def handler(self):
        lms = self

        class Handler(QuietHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(lms.root), **kwargs)

            def _reply(self, status: int, body: bytes = b"", content_type: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Basic {lms.token}":
                    self._reply(HTTPStatus.UNAUTHORIZED)
                    return False
                return True

            def _state_id(self) -> str | None:
                query = parse_qs(urlsplit(self.path).query)
                right = (query.get("registration") == [lms.registration]
                         and json.loads(query.get("agent", ["{}"])[0]) == lms.actor)
                return query["stateId"][0] if right and "stateId" in query else None

            def do_GET(self):  # noqa: N802 (http.server's hook name)
                if self.path.startswith("/lrs/activities/state"):
                    if self._authorised():
                        state = lms.states.get(self._state_id())
                        if state is None:
                            self._reply(HTTPStatus.NOT_FOUND)
                        else:
                            self._reply(HTTPStatus.OK, state.encode())
                    return
                if self.path.startswith("/returned.html"):
                    self._reply(HTTPStatus.OK, b"<!doctype html><title>LMS</title><h1>Back in the course</h1>",
                                "text/html")
                    return
                super().do_GET()

            def do_PUT(self):  # noqa: N802
                if self.path.startswith("/lrs/activities/state") and self._authorised():
                    lms.states[self._state_id()] = self._body().decode()
                    self._reply(HTTPStatus.NO_CONTENT)

            def do_POST(self):  # noqa: N802
                if self.path == "/fetch":  # cmi5: the fetch URL gives the token once
                    with lms.lock:
                        lms.fetches += 1
                        first = lms.fetches == 1
                    body = {"auth-token": lms.token} if first else {"error-code": "1",
                                                                    "error-text": "already fetched"}
                    self._reply(HTTPStatus.OK, json.dumps(body).encode())
                elif self.path == "/lrs/statements" and self._authorised():
                    body = self._body()
                    answer = requests.post(f"{lms.ralph.url}/statements", data=body, timeout=30, headers={
                        "Authorization": self.headers["Authorization"], "Content-Type": "application/json",
                        "X-Experience-API-Version": self.headers.get("X-Experience-API-Version", "")})
                    if answer.ok:
                        lms.posted.append(json.loads(body)["id"])
                    self._reply(answer.status_code, answer.content)

        return Handler

    def statements(self, count: int) -> list[dict]:
        """This launch's statements as Ralph stores them, in the order the AU sent them, once `count` are sent."""
        deadline = time.monotonic() + 10
        while len(self.posted) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        stored = {s["id"]: s for s in self.ralph.statements()
                  if s.get("context", {}).get("registration") == self.registration}
        assert set(stored) == set(self.posted)
        return [stored[i] for i in self.posted]


@pytest.fixture
def cmi5_lms(tmp_path, request):
    """Returns a callable: cmi5_lms(zip bytes) unpacks the package, starts the LMS and returns it."""
    ralph = request.getfixturevalue("lrs")  # tests/lms's Ralph, one per module
    started = []

    def _start(package: bytes) -> Cmi5Lms:
        unpack(package, tmp_path / "package")
        lms = Cmi5Lms(tmp_path, ralph)
        lms.server = LoopbackServer(lms.handler()).__enter__()
        started.append(lms)
        return lms

    yield _start
    for lms in started:
        lms.server.__exit__(None, None, None)


def test_a_learner_fails_twice_then_passes_and_the_lrs_gets_the_cmi5_statements(
        client, login_as, trained, cmi5_lms, tab):
    package = package_zip(client, login_as, "cmi5")
    data = player_data(zipfile.ZipFile(io.BytesIO(package)))
    lms = cmi5_lms(package)
    tab.goto(lms.launch_url(data["activityId"]))
    expect(tab.get_by_role("heading", name="what-is-cx lesson 1")).to_be_visible()
    read_lessons(tab, 3, "Next lesson →", "Mark as read and go to the quiz")
    answer_quiz(tab, data, submit_label="Submit my answers", wrong=5)
    expect(tab.get_by_role("heading", name="Not passed: 0%")).to_be_visible()
    tab.get_by_role("button", name="Try again").click()
    answer_quiz(tab, data, submit_label="Submit my answers", wrong=2)  # failed again: no second "failed"
    expect(tab.get_by_role("heading", name="Not passed: 60%")).to_be_visible()
    tab.get_by_role("button", name="Try again").click()
    answer_quiz(tab, data, submit_label="Submit my answers")
    expect(tab.get_by_role("heading", name="Passed: 100%")).to_be_visible()
    tab.get_by_role("button", name="Exit").click()
    expect(tab.get_by_role("heading", name="Back in the course")).to_be_visible()  # the LMS's returnURL

    statements = lms.statements(5)
    assert [s["verb"]["id"] for s in statements] == [
        VERB + "initialized", VERB + "completed", VERB + "failed", VERB + "passed", VERB + "terminated"]
    assert lms.fetches == 1
    for statement in statements:
        assert statement["actor"]["account"] == lms.actor["account"]
        assert statement["object"]["id"] == data["activityId"]
        context = statement["context"]
        assert context["registration"] == lms.registration
        assert context["extensions"][SESSION_ID] == lms.session_id
        assert {"id": PUBLISHER, "objectType": "Activity"} in context["contextActivities"]["grouping"]
        assert CMI5_CATEGORY in [c["id"] for c in context["contextActivities"]["category"]]
    _initialized, completed, failed, passed, terminated = statements
    assert completed["result"]["completion"] is True
    assert failed["result"]["score"]["scaled"] == 0 and failed["result"]["success"] is False
    assert passed["result"]["score"]["scaled"] == 1 and passed["result"]["success"] is True
    for statement in (completed, failed, passed):
        assert MOVEON_CATEGORY in [c["id"] for c in statement["context"]["contextActivities"]["category"]]
    for statement in (failed, passed):
        assert statement["context"]["extensions"][MASTERY_SCORE] == 0.8
    assert terminated["result"]["duration"].startswith("PT")
    saved = json.loads(lms.states["cxculture.package-progress"])
    assert saved["passed"] is True and saved["read"] == [0, 1, 2] and saved["failedSent"] is True


def test_an_italian_package_keeps_the_lms_mastery_score(client, login_as, trained, cmi5_lms, tab):
    package = package_zip(client, login_as, "cmi5", "it")
    data = player_data(zipfile.ZipFile(io.BytesIO(package)))
    lms = cmi5_lms(package)
    launch = lms.launch_url(data["activityId"])
    launch_data = json.loads(lms.states["LMS.LaunchData"])
    launch_data["masteryScore"] = 1.0  # the LMS's mastery score wins over the package's pass mark
    lms.states["LMS.LaunchData"] = json.dumps(launch_data)
    tab.goto(launch)
    read_lessons(tab, 3, "Lezione successiva →", "Segna come letta e vai al quiz")
    expect(tab.get_by_text("Superi il quiz con almeno il 100%")).to_be_visible()
    answer_quiz(tab, data, submit_label="Invia le mie risposte", wrong=1)  # 80%: the package's pass mark
    expect(tab.get_by_role("heading", name="Non superato: 80%")).to_be_visible()
    failed = lms.statements(3)[-1]
    assert failed["verb"]["id"] == VERB + "failed"
    assert failed["result"]["score"]["scaled"] == 0.8 and failed["context"]["extensions"][MASTERY_SCORE] == 1.0


def test_a_package_opened_outside_an_lms_says_nothing_is_recorded(client, login_as, trained, tmp_path, tab):
    unpack(package_zip(client, login_as, "cmi5"), tmp_path / "package")
    with serve_directory(tmp_path) as server:
        tab.goto(f"{server.url}/package/index.html")
        expect(tab.get_by_role("alert")).to_contain_text("your progress and score are not recorded")
        expect(tab.get_by_role("heading", name="what-is-cx lesson 1")).to_be_visible()  # still readable
