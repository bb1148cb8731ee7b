"""The audit trail: who changed what, when, in which organisation, with the values before and after.

A shared low layer: every area records its privileged changes here (`record`), in the same transaction as the
change, so a refused or rolled-back change leaves no record and an applied one always has its record. Records are
append-only: the app never updates or deletes one, except the trail's own retention (`expire_records`) and the
privacy area's erasure of a person (`forget_person`). It never records survey answers, nor anything that ties a
person to them: no area records "X answered the survey".
"""
from __future__ import annotations

from .models import AuditRecord
from .service import ACTIONS, SYSTEM, action_label, changes, expire_records, forget_person, record

__all__ = ["ACTIONS", "SYSTEM", "AuditRecord", "action_label", "changes", "expire_records", "forget_person", "record"]
