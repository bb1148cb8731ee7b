"""The shipped instrument (instruments/*.yaml), its validation, and organisations' own copies."""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from ..extensions import db
from ..pillars import PILLARS
from .models import Campaign, Instrument

INSTRUMENTS_PATH = Path(__file__).parent / "instruments"
LANGUAGES = ("en", "it")


class InstrumentError(ValueError):
    """An instrument file or edit with problems; `problems` lists "where: why" strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def validate_instrument(data: dict, source: str = "instrument") -> dict:
    """The instrument's content if it is complete and consistent; raises InstrumentError listing every problem."""
    problems = []

    def bilingual(where, value):
        if not isinstance(value, dict) or any(not str(value.get(lang) or "").strip() for lang in LANGUAGES):
            problems.append(f"{source}: {where}: needs a non-empty 'en' and 'it' text")

    bilingual("title", data.get("title"))
    bilingual("intro", data.get("intro"))
    scale = data.get("scale") or {}
    for point in range(1, 6):
        # YAML gives integer keys; JSON, once stored, string ones.
        bilingual(f"scale.{point}", scale.get(point) or scale.get(str(point)))
    if "dont_know" in data:  # the "don't know / not applicable" answer, offered when the instrument has it
        bilingual("dont_know", data.get("dont_know"))
    pillars = data.get("pillars") or []
    if [p.get("key") for p in pillars] != list(PILLARS):
        problems.append(f"{source}: pillars: must be, in order: {', '.join(PILLARS)}")
    keys = set()
    for pillar in pillars:
        where = f"pillars.{pillar.get('key')}"
        bilingual(f"{where}.title", pillar.get("title"))
        bilingual(f"{where}.description", pillar.get("description"))
        items = pillar.get("items") or []
        if not 3 <= len(items) <= 8:
            problems.append(f"{source}: {where}.items: needs 3 to 8 statements")
        if not any(item.get("reverse") is True for item in items):
            problems.append(f"{source}: {where}.items: needs at least one reverse-worded statement")
        for index, item in enumerate(items, start=1):
            key = item.get("key")
            if not key or key in keys:
                problems.append(f"{source}: {where}.items[{index}].key: missing or used twice")
            keys.add(key)
            if not isinstance(item.get("reverse"), bool):
                problems.append(f"{source}: {where}.items[{index}].reverse: must be true or false")
            bilingual(f"{where}.items[{index}].text", item.get("text"))
    questions = data.get("open_questions") or []
    for index, question in enumerate(questions, start=1):
        if not question.get("key") or question["key"] in keys:
            problems.append(f"{source}: open_questions[{index}].key: missing or used twice")
        keys.add(question.get("key"))
        bilingual(f"open_questions[{index}].text", question.get("text"))
    if problems:
        raise InstrumentError(problems)
    content = {field: data[field] for field in ("title", "intro", "scale", "pillars", "open_questions")}
    if "dont_know" in data:
        content["dont_know"] = data["dont_know"]
    return content


def scale_texts(instrument: Instrument, language: str) -> list[tuple[int, str]]:
    """The five points of the agreement scale with their labels in `language`."""
    scale = instrument.content["scale"]
    points = []
    for point in range(1, 6):
        text = scale.get(point) or scale.get(str(point))
        points.append((point, text.get(language) or text["en"]))
    return points


def dont_know_text(instrument: Instrument, language: str) -> str | None:
    """The label of the "don't know / not applicable" answer, or None when the instrument does not offer it
    (version 1 of the shipped instrument and the copies made of it)."""
    text = instrument.content.get("dont_know")
    return (text.get(language) or text["en"]) if text else None


def shipped_instrument_files() -> list[Path]:
    return sorted(INSTRUMENTS_PATH.glob("*.yaml"))


def sync_shipped_instruments() -> list[Instrument]:
    """Store each shipped instrument version not stored yet; returns them all, by key and version (oldest first)."""
    current = []
    for path in shipped_instrument_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        content = validate_instrument(data, source=path.name)
        stored = db.session.scalar(select(Instrument).where(
            Instrument.organisation_id.is_(None), Instrument.key == data["key"],
            Instrument.version == data["version"]))
        if stored is None:
            stored = Instrument(organisation_id=None, key=data["key"], version=data["version"], content=content)
            db.session.add(stored)
        current.append(stored)
    db.session.flush()
    return sorted(current, key=lambda instrument: (instrument.key, instrument.version))


def instruments_for(organisation_id: int) -> list[Instrument]:
    """The newest version of each instrument an organisation may use: the shipped ones and its own copies."""
    rows = db.session.scalars(select(Instrument).where(
        (Instrument.organisation_id == organisation_id) | Instrument.organisation_id.is_(None))
        .order_by(Instrument.organisation_id.is_(None), Instrument.key, Instrument.version.desc()))
    newest = {}
    for row in rows:
        newest.setdefault((row.organisation_id, row.key), row)
    return list(newest.values())


def copy_instrument(organisation_id: int, source: Instrument, key: str) -> Instrument:
    """An organisation's own editable copy of an instrument."""
    copy = Instrument(organisation_id=organisation_id, key=key, version=1, content=source.content,
                      based_on_id=source.id)
    db.session.add(copy)
    db.session.flush()
    return copy


def copy_into(own: Instrument, source: Instrument) -> Instrument:
    """A newer shipped version (`source`) as the next version of the organisation's own copy `own` (its newest):
    the earlier versions, and the campaigns that use them, stay as they are."""
    newer = Instrument(organisation_id=own.organisation_id, key=own.key, version=own.version + 1,
                       content=source.content, based_on_id=source.id)
    db.session.add(newer)
    db.session.flush()
    return newer


def copied_from(organisation_id: int) -> set[int]:
    """The instruments the organisation's own versions were copied or derived from."""
    return set(db.session.scalars(select(Instrument.based_on_id).where(
        Instrument.organisation_id == organisation_id, Instrument.based_on_id.is_not(None))))


def edit_instrument(instrument: Instrument, content: dict) -> Instrument:
    """Change an organisation's instrument: in place while no campaign uses it, else as a new version."""
    if instrument.organisation_id is None:
        raise InstrumentError(["the shipped instrument cannot be edited: copy it first"])
    content = validate_instrument(content)
    used = db.session.scalar(select(func.count(Campaign.id)).where(Campaign.instrument_id == instrument.id))
    if not used:
        instrument.content = content
        db.session.flush()
        return instrument
    newer = Instrument(organisation_id=instrument.organisation_id, key=instrument.key,
                       version=instrument.version + 1, content=content, based_on_id=instrument.id)
    db.session.add(newer)
    db.session.flush()
    return newer
