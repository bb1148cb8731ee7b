"""A download that runs away is stopped by the job worker's own process (Celery's time limit in a prefork worker,
as in production), its page says so, and the worker goes on making the next file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxculture import create_app
from cxculture.downloads.models import DONE, FAILED, QUEUED, Download
from cxculture.downloads.service import RENDER_JOB
from cxculture.extensions import db
from cxculture.util import utcnow
from tests.conftest import test_config as config_for_tests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: Thousands of pages: far longer to lay out than the limit below.
RUNAWAY = "<div style='break-after: page'>page</div>" * 20000
LIMIT = 3


def _wait_for(app, download_id: int, seconds: float) -> Download:
    deadline = time.monotonic() + seconds
    while True:
        with app.app_context():
            download = db.session.get(Download, download_id)
            db.session.expunge_all()
        if download.status in (DONE, FAILED) or time.monotonic() > deadline:
            return download
        time.sleep(0.2)


def test_a_runaway_render_is_stopped_by_the_worker_and_the_next_file_is_made(tmp_path, redis_url):
    database = f"sqlite:///{tmp_path / 'limit.db'}"
    app = create_app(config_for_tests(SQLALCHEMY_DATABASE_URI=database, SQLALCHEMY_ENGINE_OPTIONS={},
                                 BROKER_URL=redis_url, DOWNLOAD_TIME_LIMIT_SECONDS=LIMIT))
    with app.app_context():
        db.create_all()
        rows = [Download(organisation_id=1, requested_by_id=1, kind="html", title=title, filename="x.pdf",
                         html=html, status=QUEUED, created_at=utcnow())
                for title, html in (("runaway", RUNAWAY), ("small", "<p>small</p>"))]
        db.session.add_all(rows)
        db.session.commit()
        runaway, small = (row.id for row in rows)
    environment = {**os.environ, "CXCULTURE_DATABASE_URL": database, "CXCULTURE_BROKER_URL": redis_url,
                   "CXCULTURE_SECRET_KEY": "test", "CXCULTURE_DOWNLOAD_TIME_LIMIT_SECONDS": str(LIMIT)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wsgi:celery_app", "worker", "--pool", "prefork", "--concurrency",
         "1", "--without-heartbeat", "--without-mingle", "--without-gossip", "-Q", "cxculture", "-l", "WARNING"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        celery_app = app.extensions["celery"]
        started = time.monotonic()
        celery_app.send_task(RENDER_JOB, args=(runaway,))
        celery_app.send_task(RENDER_JOB, args=(small,))
        stopped = _wait_for(app, runaway, 60)
        assert (stopped.status, stopped.error, stopped.error_limit) == (FAILED, "timeout", LIMIT)
        assert time.monotonic() - started < 30
        assert _wait_for(app, small, 30).status == DONE  # the worker is still there
    finally:
        # A warm shutdown: the worker's main process lets its pool child finish what it holds. A SIGTERM to the
        # whole group would kill the child in the middle of acknowledging the last job (a WorkerLostError
        # traceback that says nothing about the render).
        os.kill(worker.pid, signal.SIGTERM)
        try:
            output = worker.communicate(timeout=30)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            output = worker.communicate(timeout=10)[0].decode(errors="replace")
    assert "Traceback" not in output or "SoftTimeLimitExceeded" in output, output
