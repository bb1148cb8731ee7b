"""A real HTTP receiver on loopback (the standard library's threading HTTP server) that records every request
and answers with the statuses a test asks for; and helpers to subscribe and deliver."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cxculture.extensions import db
from tests.conftest import POLL_SECONDS


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    #: Statuses to answer with, in order; 200 once they are used up.
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def receiver():
    """A receiver at http://127.0.0.1:<port>/hook; stopped after the test."""
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def subscribe():
    """Returns a callable: subscribe(organisation, url, events) -> (subscription, secret), committed."""
    from cxculture.webhooks.service import SubscriptionData, create_subscription

    def _subscribe(organisation, url, events=("module.completed",), description=""):
        subscription, secret = create_subscription(organisation.id, SubscriptionData(url, description, list(events)))
        db.session.commit()
        return subscription, secret

    return _subscribe
