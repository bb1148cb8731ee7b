"""Events from the areas -> webhook deliveries, queued in the event's own transaction.

Payloads carry ids, and the names a receiver needs to show what happened (a module's slug, a campaign's, an
action's or a café's title, a touchpoint's name); never a person's name or e-mail, never a survey answer or
comment, never what a customer said or what was done about it. A campaign carries only its overall turnout, as its
page shows it; a café how many were present.
"""
from __future__ import annotations

from .. import events
from ..assessments.campaigns import campaign_turnout
from .delivery import queue_event


def _person(person) -> dict | None:
    """A person by id; None for one erased at their request (nothing more about them is sent)."""
    return None if person.erased_at is not None else {"id": person.id}


def on_module_completed(person, module_version, via=None, **_):
    if (who := _person(person)) is not None:
        queue_event(person.organisation_id, "module.completed", {
            "person": who, "module": {"slug": module_version.module.slug, "version": module_version.version},
            "via": via})


def on_certificate_issued(person, certificate, **_):
    if (who := _person(person)) is not None:
        queue_event(person.organisation_id, "certificate.issued", {
            "person": who, "certificate": {"id": certificate.id, "code": certificate.code,
                                           "job_role_id": certificate.job_role_id}})


def on_campaign_closed(campaign, **_):
    queue_event(campaign.organisation_id, "campaign.closed", {
        "campaign": {"id": campaign.id, "title": campaign.title, "kind": campaign.kind},
        "turnout_percent": campaign_turnout(campaign, {}).percent})


def on_action_overdue(action, **_):
    queue_event(action.organisation_id, "action.overdue", {
        "action": {"id": action.id, "title": action.title, "pillar": action.pillar,
                   "due_date": action.due_date.isoformat() if action.due_date else None,
                   "status": action.status, "owner_id": action.owner_id}})


def on_remark_closed(remark, **_):
    queue_event(remark.organisation_id, "remark.closed", {
        "remark": {"id": remark.id, "closed_at": remark.closed_at.isoformat(timespec="seconds") + "Z"},
        "touchpoint": {"id": remark.touchpoint_id, "name": remark.touchpoint.name("en")}})


def on_cafe_held(cafe, **_):
    queue_event(cafe.organisation_id, "cafe.held", {
        "cafe": {"id": cafe.id, "title": cafe.title, "starts_at": cafe.starts_at.isoformat(timespec="minutes"),
                 "focus_pillars": list(cafe.focus_pillars or [])},
        "present": sum(1 for attendee in cafe.attendees if attendee.present)})


def connect_signals() -> None:
    """Subscribe once (strong references: repeated app creation does not duplicate)."""
    events.module_completed.connect(on_module_completed, weak=False)
    events.certificate_issued.connect(on_certificate_issued, weak=False)
    events.campaign_closed.connect(on_campaign_closed, weak=False)
    events.action_overdue.connect(on_action_overdue, weak=False)
    events.remark_closed.connect(on_remark_closed, weak=False)
    events.cafe_held.connect(on_cafe_held, weak=False)
