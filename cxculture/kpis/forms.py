"""The forms HR uses for the KPI catalogue and reward plans.

They parse what the browser sends; the rules (keys, ranges, weights, targets on the right side) are
`catalogue_changes.py`'s and `plan_changes.py`'s, so that a script or a test meets the same checks as a page.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..orgs.forms import OptionalIdSelectField
from ..pillars import PILLAR_LABELS, PILLARS
from ..plaintext import PlainText
from .labels import CATEGORY_LABELS, DIRECTION_LABELS, EFFECT_LABELS, SURVEY_LABELS, UNIT_LABELS
from .models import CATEGORIES, DIRECTIONS, EFFECTS, SURVEY_KINDS, UNITS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NumberField(StringField):
    """A number written either way ("12.5" or "12,5"); empty is None; anything else is a clear error."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        text = (self.raw or "").strip().replace("\u2212", "-").replace(" ", "")
        if not text:
            self.data = None
            return
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            self.data = float(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write a number, such as 12.5 (not “%(text)s”).", text=self.raw.strip())) from None
        if self.data != self.data or self.data in (float("inf"), float("-inf")):
            self.data = None
            raise ValueError(_l("Write a number, such as 12.5 (not “%(text)s”).", text=self.raw.strip()))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:g}"


def _choices(keys, labels, blank=None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(key, labels[key]) for key in keys]


def _select(label, keys, labels, blank=None, **kwargs) -> SelectField:
    return SelectField(label, choices=_choices(keys, labels, blank), validate_choice=False, **kwargs)


class KpiForm(FlaskForm):
    """A KPI: its key (only when created), names and definitions in both languages, category, unit, range."""

    key = StringField(_l("Key"), filters=[_strip])
    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[PlainText()])
    name_it = StringField(_l("Name in Italian"), filters=[_strip], validators=[PlainText()])
    definition_en = TextAreaField(_l("Definition in English"), filters=[_strip], validators=[PlainText(multiline=True)])
    definition_it = TextAreaField(_l("Definition in Italian"), filters=[_strip], validators=[PlainText(multiline=True)])
    category = _select(_l("Category"), CATEGORIES, CATEGORY_LABELS, _l("Choose a category"))
    unit = _select(_l("Unit"), UNITS, UNIT_LABELS, _l("Choose a unit"))
    better = _select(_l("Better direction"), DIRECTIONS, DIRECTION_LABELS, _l("Choose"))
    min_value = NumberField(_l("Lowest valid value"))
    max_value = NumberField(_l("Highest valid value"))
    survey = _select(_l("Computed from survey answers"), SURVEY_KINDS, SURVEY_LABELS, _l("No: values are entered"))
    submit = SubmitField(_l("Save KPI"))

    def values(self) -> dict:
        return {name: self[name].data for name in (
            "key", "name_en", "name_it", "definition_en", "definition_it", "category", "unit", "better",
            "min_value", "max_value", "survey")}


class BehaviourForm(FlaskForm):
    key = StringField(_l("Key"), filters=[_strip])
    name_en = StringField(_l("Behaviour in English"), filters=[_strip], validators=[PlainText()])
    name_it = StringField(_l("Behaviour in Italian"), filters=[_strip], validators=[PlainText()])
    pillar = _select(_l("Pillar"), PILLARS, PILLAR_LABELS, _l("Choose a pillar"))
    submit = SubmitField(_l("Save behaviour"))

    def values(self) -> dict:
        return {name: self[name].data for name in ("key", "name_en", "name_it", "pillar")}


class LinkForm(FlaskForm):
    behaviour_id = OptionalIdSelectField(_l("Behaviour"))
    effect = _select(_l("Rewarding this KPI"), EFFECTS, EFFECT_LABELS, _l("Choose"))
    rationale_en = StringField(_l("Why, in English"), filters=[_strip], validators=[PlainText()])
    rationale_it = StringField(_l("Why, in Italian"), filters=[_strip], validators=[PlainText()])
    submit = SubmitField(_l("Save link"))

    def set_behaviour_choices(self, behaviours, language: str) -> None:
        self.behaviour_id.choices = [SelectChoice("", _l("Choose a behaviour"))] + [
            SelectChoice(b.id, f"{PILLAR_LABELS[b.pillar]} · {b.name(language)}") for b in behaviours]

    def values(self) -> dict:
        return {name: self[name].data for name in ("behaviour_id", "effect", "rationale_en", "rationale_it")}


class PlanForm(FlaskForm):
    job_role_id = OptionalIdSelectField(_l("Job role"))
    period = SelectField(_l("Quarter"), validate_choice=False)
    copy_previous = BooleanField(_l("Copy the components of this job role's previous plan"))
    submit = SubmitField(_l("Create plan"))

    def set_choices(self, roles, periods, language: str) -> None:
        self.job_role_id.choices = [SelectChoice("", _l("Choose a job role"))] + [
            SelectChoice(r.id, r.name(language)) for r in roles]
        self.period.choices = [SelectChoice(str(p), str(p)) for p in periods]


class ComponentForm(FlaskForm):
    kpi_id = OptionalIdSelectField(_l("KPI"))
    weight = NumberField(_l("Weight (%)"))
    target = NumberField(_l("Target"))
    threshold = NumberField(_l("Threshold"))
    submit = SubmitField(_l("Add to the plan"))

    def set_kpi_choices(self, kpis, language: str) -> None:
        self.kpi_id.choices = [SelectChoice("", _l("Choose a KPI"))] + [
            SelectChoice(k.id, f"{k.name(language)} · {CATEGORY_LABELS[k.category]}") for k in kpis]

    def values(self) -> dict:
        return {name: self[name].data for name in ("kpi_id", "weight", "target", "threshold")}


class ConfirmForm(FlaskForm):
    """A button that changes something (deactivate, remove, delete): only its CSRF token is checked."""

    submit = SubmitField(_l("Confirm"))
