"""Webhooks: an organisation's own systems are told when something happens (a module completed, a certificate
issued, a campaign closed, an action item overdue, a customer remark closed), by a signed HTTP POST.

Administrators subscribe an address to the events they choose (views.py, service.py); the area listens to the
events in cxculture/events.py (subscribers.py) and writes one delivery row per subscription in the event's own
transaction; the job queue sends them, retries and logs them (delivery.py), signed as Standard Webhooks says
(signing.py). No other area imports this package.

Privacy: a delivery carries ids and the names of things (a module, a campaign, an action item, a touchpoint),
never a person's name or e-mail, a survey answer or comment, or what a customer said; its body is dropped once it
is delivered or given up, and the delivery log (event type and id, attempts, status codes, times) is deleted after
30 days. A subscription holds no personal data, so the area has no privacy provider. Its signing secret is kept as
it is (each delivery is signed with it), shown once when made or rotated, and never again.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The administrators' blueprint and the subscribers to the areas' events."""
    from .subscribers import connect_signals
    from .views import bp

    app.register_blueprint(bp)
    connect_signals()
