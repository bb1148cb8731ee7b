"""The demo: Demo Retail (Italian) and Demo Bank (English), three more organisations of the benchmark network,
and each area's demo data loaded in order.

Every area keeps its demo data beside it: orgs/demo.py (organisations and people), modules/demo.py (the library
and training progress), assessments/demo.py (self-assessment campaigns), kpis/demo.py (reward plans and KPI
values), cafes/demo.py (training cafés), listening/demo.py (the customer journey and staff's remarks). Each
loader is idempotent, so running the demo twice changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assessments.demo import _COMMENTS, DemoAssessmentsReport, load_demo_assessments
from .cafes.demo import DemoCafesReport, load_demo_cafes
from .kpis.demo import DemoKpisReport, load_demo_kpis
from .listening.demo import DemoListeningReport, load_demo_listening
from .modules.demo import DemoTrainingReport, load_demo_training
from .orgs.demo import DEMO_PASSWORD, load_demo, load_demo_network
from .orgs.models import Organisation

__all__ = ["DEMO_PASSWORD", "_COMMENTS", "DemoReport", "load_all_demo", "load_demo", "load_demo_assessments",
           "load_demo_training"]


@dataclass
class DemoReport:
    organisations: list[Organisation]
    training: DemoTrainingReport
    assessments: DemoAssessmentsReport
    kpis: DemoKpisReport
    cafes: DemoCafesReport
    listening: DemoListeningReport


def load_all_demo(library_path: Path | None = None) -> DemoReport:
    """People (and the benchmark network's), then training, self-assessments, KPI data, cafés and customer remarks
    (each needs what the ones before loaded).

    Raises LibraryError when the module library has problems: the people are written (flushed) by then, so the
    caller rolls back.
    """
    organisations = load_demo()
    network = load_demo_network()
    training = load_demo_training(library_path)
    assessments = load_demo_assessments()
    kpis = load_demo_kpis(organisations)
    cafes = load_demo_cafes()
    listening = load_demo_listening()
    return DemoReport(organisations + network, training, assessments, kpis, cafes, listening)
