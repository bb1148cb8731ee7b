"""Forms for campaigns, and the reading of the answer pages and the instrument editor from a posted form.

Whether a chosen team or instrument belongs to the organisation is the service's job (campaigns.py), so the
selects here do not validate their choices themselves.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..orgs.forms import optional_id
from ..orgs.models import MIN_ANONYMITY_THRESHOLD
from ..orgs.operations import MAX_ANONYMITY_THRESHOLD
from ..params import form_id
from ..plaintext import PlainText
from .instruments import InstrumentError, validate_instrument

MAX_STATEMENTS = 8
MIN_STATEMENTS = 3
MAX_TEXT_LENGTH = 500
LANGUAGES = ("en", "it")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[InputRequired(_l("Enter a title.")), Length(max=200), PlainText()])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(_l("Enter the opening date."))])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired(_l("Enter the closing date."))])
    team_ids = SelectMultipleField(_l("Teams invited"), coerce=form_id, validate_choice=False)
    threshold_override = IntegerField(
        _l("Anonymity threshold for this campaign"),
        validators=[Optional(), NumberRange(min=MIN_ANONYMITY_THRESHOLD,
                                            message=_l("The anonymity threshold can never be below %(min)s.")),
                    NumberRange(max=MAX_ANONYMITY_THRESHOLD,
                                message=_l("The anonymity threshold cannot be above %(max)s."))],
        render_kw={"min": MIN_ANONYMITY_THRESHOLD, "max": MAX_ANONYMITY_THRESHOLD, "step": 1},
    )
    instrument_id = SelectField(_l("Questionnaire"), coerce=optional_id, validate_choice=False)
    submit = SubmitField(_l("Save campaign"))

    def set_choices(self, team_paths: dict[int, str], instruments: list[tuple[int, str]]) -> None:
        self.team_ids.choices = sorted(team_paths.items(), key=lambda kv: kv[1])
        self.instrument_id.choices = instruments

    def values(self) -> dict:
        return {"title": self.title.data, "opens_on": self.opens_on.data, "closes_on": self.closes_on.data,
                "team_ids": list(self.team_ids.data or []), "threshold_override": self.threshold_override.data,
                "instrument_id": self.instrument_id.data}


class PulseSeriesForm(FlaskForm):
    """A new pulse series; the statements' choices, by pillar, come from the questionnaire (set_choices)."""

    title = StringField(_l("Title"), filters=[_strip],
                        validators=[InputRequired(_l("Enter a title.")), Length(max=180), PlainText()])
    item_keys = SelectMultipleField(_l("Statements to ask"), validate_choice=False,
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    cadence = SelectField(_l("How often"), validate_choice=False)
    starts_on = DateField(_l("First round opens on"), validators=[InputRequired(_l("Enter the day the first "
                                                                                   "round opens."))])
    round_days = IntegerField(_l("Days each round stays open"),
                              validators=[InputRequired(_l("Enter how many days each round stays open (at "
                                                           "least 1).")), NumberRange(min=1, max=366)],
                              render_kw={"min": 1, "max": 89, "step": 1})
    submit = SubmitField(_l("Create pulse series"))

    def values(self) -> dict:
        return {"title": self.title.data, "item_keys": list(self.item_keys.data or []), "cadence": self.cadence.data,
                "starts_on": self.starts_on.data, "round_days": self.round_days.data}


# Answer pages ------------------------------------------------------------------------------------------------

def item_field(key: str) -> str:
    """The name of a statement's radio group on an answer page."""
    return f"item-{key}"


def answers_from_form(formdata, items: list[dict]) -> dict[str, str]:
    """The statements of a page that were answered in the posted form (values unchecked: the service checks)."""
    return {item["key"]: formdata[item_field(item["key"])] for item in items if formdata.get(item_field(item["key"]))}


# Instrument editor -------------------------------------------------------------------------------------------

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class InstrumentEdit:
    """An instrument's content as being edited, with problems by field name ("" for the whole form)."""

    content: dict
    errors: dict[str, list] = field(default_factory=dict)

    def add_error(self, name: str, message) -> None:
        self.errors.setdefault(name, []).append(message)


def statement_field(pillar: str, index: int, part: str) -> str:
    return f"{pillar}-{index}-{part}"


def question_field(index: int, language: str) -> str:
    return f"question-{index}-{language}"


def read_instrument_form(formdata, base: dict) -> InstrumentEdit:
    """The edited content: `base` (the instrument being edited) with the posted statements and questions."""
    content = copy.deepcopy(base)
    edit = InstrumentEdit(content)
    used_keys = {item["key"] for p in base["pillars"] for item in p["items"]}
    for pillar in content["pillars"]:
        count = _int(formdata.get(f"{pillar['key']}-count"), len(pillar["items"]))
        items = []
        for index in range(min(count, MAX_STATEMENTS + 1)):
            key = (formdata.get(statement_field(pillar["key"], index, "key")) or "").strip()
            text = {lang: (formdata.get(statement_field(pillar["key"], index, lang)) or "").strip()
                    for lang in LANGUAGES}
            for lang in LANGUAGES:
                if len(text[lang]) > MAX_TEXT_LENGTH:
                    edit.add_error(statement_field(pillar["key"], index, lang),
                                   _l("Keep it to %(num)s characters.", num=MAX_TEXT_LENGTH))
            items.append({"key": key, "reverse": bool(formdata.get(statement_field(pillar["key"], index, "reverse"))),
                          "text": text})
        pillar["items"] = items
    for item in (i for p in content["pillars"] for i in p["items"]):
        if not _KEY.match(item["key"]):
            item["key"] = ""
    seen: set[str] = set()
    for pillar in content["pillars"]:
        for item in pillar["items"]:
            if not item["key"] or item["key"] in seen:
                item["key"] = _new_key(pillar["key"], used_keys | seen)
            seen.add(item["key"])
    for index, question in enumerate(content["open_questions"]):
        question["text"] = {lang: (formdata.get(question_field(index, lang)) or "").strip() for lang in LANGUAGES}
        for lang in LANGUAGES:
            if len(question["text"][lang]) > MAX_TEXT_LENGTH:
                edit.add_error(question_field(index, lang), _l("Keep it to %(num)s characters.", num=MAX_TEXT_LENGTH))
    return edit


def add_statement(edit: InstrumentEdit, pillar_key: str) -> bool:
    pillar = _pillar(edit.content, pillar_key)
    if pillar is None:
        return False
    if len(pillar["items"]) >= MAX_STATEMENTS:
        edit.add_error(f"{pillar_key}-items", _l("A pillar has at most %(num)s statements.", num=MAX_STATEMENTS))
        return False
    keys = {i["key"] for p in edit.content["pillars"] for i in p["items"]}
    pillar["items"].append({"key": _new_key(pillar_key, keys), "reverse": False, "text": {"en": "", "it": ""}})
    return True


def remove_statement(edit: InstrumentEdit, target: str) -> bool:
    pillar_key, _, index = target.rpartition(":")
    pillar = _pillar(edit.content, pillar_key)
    position = _int(index, -1)
    if pillar is None or not 0 <= position < len(pillar["items"]):
        return False
    if len(pillar["items"]) <= MIN_STATEMENTS:
        edit.add_error(f"{pillar_key}-items", _l("A pillar needs at least %(num)s statements.", num=MIN_STATEMENTS))
        return False
    del pillar["items"][position]
    return True


def check_instrument(edit: InstrumentEdit) -> dict | None:
    """The content validated by validate_instrument, or None with the problems put next to their fields."""
    if edit.errors:
        return None
    try:
        return validate_instrument(edit.content)
    except InstrumentError as error:
        for problem in error.problems:
            name, message = _place(problem)
            edit.add_error(name, message)
        return None


_ITEM_TEXT = re.compile(r"pillars\.(?P<pillar>[a-z]+)\.items\[(?P<index>\d+)\]\.text")
_QUESTION_TEXT = re.compile(r"open_questions\[(?P<index>\d+)\]\.text")
_PILLAR_ITEMS = re.compile(r"pillars\.(?P<pillar>[a-z]+)\.items:")


def _place(problem: str) -> tuple[str, object]:
    """The form field a validate_instrument problem belongs to, and the message to show there."""
    if match := _ITEM_TEXT.search(problem):
        name = statement_field(match["pillar"], int(match["index"]) - 1, "text")
        return name, _l("Write the statement in both English and Italian.")
    if match := _QUESTION_TEXT.search(problem):
        return f"question-{int(match['index']) - 1}", _l("Write the question in both English and Italian.")
    if match := _PILLAR_ITEMS.search(problem):
        name = f"{match['pillar']}-items"
        if "reverse" in problem:
            return name, _l("Mark at least one statement as reverse-worded (agreeing with it is a bad sign).")
        if "3 to 8" in problem:
            return name, _l("A pillar needs %(min)s to %(max)s statements.", min=MIN_STATEMENTS, max=MAX_STATEMENTS)
    return "", problem


def _pillar(content: dict, key: str) -> dict | None:
    return next((p for p in content["pillars"] if p["key"] == key), None)


def _new_key(pillar_key: str, taken: set[str]) -> str:
    number = 1
    while f"{pillar_key}-{number}" in taken:
        number += 1
    return f"{pillar_key}-{number}"


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
