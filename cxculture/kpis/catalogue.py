"""The shipped KPI catalogue (`catalogue.yaml`) and each organisation's own copy of it."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Organisation
from ..pillars import PILLARS
from .models import CATEGORIES, DIRECTIONS, EFFECTS, SURVEY_KINDS, UNITS, Behaviour, Kpi, KpiBehaviourLink

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")


class CatalogueError(ValueError):
    """The shipped catalogue file is broken: says which entry and field."""


def _bilingual(entry: dict, field: str, where: str) -> dict:
    value = entry.get(field)
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip()
                                              for lang in ("en", "it")):
        raise CatalogueError(f"{where}: {field} needs non-empty 'en' and 'it' texts")
    return value


def _choice(entry: dict, field: str, choices, where: str, required: bool = True):
    value = entry.get(field)
    if value is None and not required:
        return None
    if value not in choices:
        raise CatalogueError(f"{where}: {field} must be one of {', '.join(choices)}, not {value!r}")
    return value


@cache
def shipped_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    """The catalogue file, checked entry by entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kpis, behaviours = {}, {}
    for entry in data["kpis"]:
        where = f"{path.name}: kpi {entry.get('key')!r}"
        _bilingual(entry, "name", where), _bilingual(entry, "definition", where)
        _choice(entry, "category", CATEGORIES, where), _choice(entry, "unit", UNITS, where)
        _choice(entry, "better", DIRECTIONS, where), _choice(entry, "survey", SURVEY_KINDS, where, required=False)
        if entry["key"] in kpis:
            raise CatalogueError(f"{where}: key used twice")
        kpis[entry["key"]] = entry
    for entry in data["behaviours"]:
        where = f"{path.name}: behaviour {entry.get('key')!r}"
        _bilingual(entry, "name", where), _choice(entry, "pillar", PILLARS, where)
        if entry["key"] in behaviours:
            raise CatalogueError(f"{where}: key used twice")
        behaviours[entry["key"]] = entry
    for entry in data["links"]:
        where = f"{path.name}: link {entry.get('kpi')!r} → {entry.get('behaviour')!r}"
        if entry.get("kpi") not in kpis or entry.get("behaviour") not in behaviours:
            raise CatalogueError(f"{where}: unknown KPI or behaviour")
        _choice(entry, "effect", EFFECTS, where), _bilingual(entry, "rationale", where)
    return data


def ensure_catalogue(organisation: Organisation) -> None:
    """Copy the shipped KPIs, behaviours and links the organisation lacks (by key); never overwrites its edits."""
    data = shipped_catalogue()
    kpis = {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation.id))}
    behaviours = {b.key: b for b in db.session.scalars(
        select(Behaviour).where(Behaviour.organisation_id == organisation.id))}
    new_kpis, new_behaviours = set(), set()
    for entry in data["kpis"]:
        if entry["key"] not in kpis:
            kpis[entry["key"]] = Kpi(
                organisation_id=organisation.id, key=entry["key"],
                name_en=entry["name"]["en"], name_it=entry["name"]["it"],
                definition_en=entry["definition"]["en"], definition_it=entry["definition"]["it"],
                category=entry["category"], unit=entry["unit"], better=entry["better"],
                min_value=entry.get("min"), max_value=entry.get("max"), survey=entry.get("survey"))
            new_kpis.add(entry["key"])
            db.session.add(kpis[entry["key"]])
    for entry in data["behaviours"]:
        if entry["key"] not in behaviours:
            behaviours[entry["key"]] = Behaviour(
                organisation_id=organisation.id, key=entry["key"], pillar=entry["pillar"],
                name_en=entry["name"]["en"], name_it=entry["name"]["it"])
            new_behaviours.add(entry["key"])
            db.session.add(behaviours[entry["key"]])
    db.session.flush()
    for entry in data["links"]:
        # Links come with a new KPI or behaviour only: a link the organisation deleted stays deleted.
        if entry["kpi"] in new_kpis or entry["behaviour"] in new_behaviours:
            db.session.add(KpiBehaviourLink(
                kpi_id=kpis[entry["kpi"]].id, behaviour_id=behaviours[entry["behaviour"]].id,
                effect=entry["effect"], rationale_en=entry["rationale"]["en"],
                rationale_it=entry["rationale"]["it"]))
    db.session.flush()


def connect_signals() -> None:
    """New organisations get the shipped catalogue."""
    from ..orgs.signals import organisation_created

    organisation_created.connect(_on_organisation_created, weak=False)


def _on_organisation_created(organisation: Organisation, **_):
    ensure_catalogue(organisation)
