"""Playing content packages for real: the SCORM 1.2 runtime scorm-again (from npm, test-only), a loopback HTTP
server for the unpacked package, and Chromium driven by Playwright."""
from __future__ import annotations

import functools
import io
import shutil
import subprocess
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import POLL_SECONDS, get_file
from tests.e2e.conftest import TIMEOUT_MS

#: package.json and package-lock.json pin the runtime; node_modules is made by `npm ci` (gitignored).
RUNTIME = Path(__file__).parent / "runtime"
SCORM12_JS = RUNTIME / "node_modules" / "scorm-again" / "dist" / "scorm12.min.js"


@pytest.fixture(scope="session")
def scorm_again() -> Path:
    """scorm-again's SCORM 1.2 API, installed from package-lock.json the first time (from npm's cache when it can)."""
    if not SCORM12_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is not installed; the content-package tests need it to install scorm-again "
                        "(sudo apt-get install -y npm).", pytrace=False)
        command = [npm, "ci", "--no-audit", "--no-fund"]
        if subprocess.run([*command, "--offline"], cwd=RUNTIME, capture_output=True).returncode != 0:
            done = subprocess.run(command, cwd=RUNTIME, capture_output=True, text=True)
            if done.returncode != 0:
                pytest.fail(f"`npm ci` in {RUNTIME} failed:\n{done.stderr}", pytrace=False)
    return SCORM12_JS


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class LoopbackServer:
    """An HTTP server on 127.0.0.1 and a free port, in a thread; `handler` is a request handler class."""

    def __init__(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                       daemon=True)

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_directory(root: Path, handler=QuietHandler) -> LoopbackServer:
    return LoopbackServer(functools.partial(handler, directory=str(root)))


def unpack(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
    return into


@pytest.fixture
def chromium(browser):
    """The session's headless Chromium (tests/conftest.py): one Playwright per process, shared with tests/e2e."""
    return browser


def package_zip(client, login_as, package_format: str, language: str = "en") -> bytes:
    """The fixture library's what-is-cx as an administrator downloads it (made by the job queue)."""
    login_as("admin", org="bank")
    response = get_file(client, "/admin/training/library/what-is-cx/package",
                        query_string={"format": package_format, "language": language})
    assert response.status_code == 200
    return response.data


@pytest.fixture
def tab(chromium):
    """A fresh browser context's page; closed after the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
