"""The forms of the listening pages: logging a remark, closing it, and editing the journey.

What is accepted is the services' job (journey.py, remarks.py): the choices here are what the page offers.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..cafes.forms import ButtonForm, with_submission_key
from ..orgs.forms import MultiCheckboxField, OptionalIdSelectField
from ..params import form_id
from ..plaintext import PlainText
from .remarks import CHANNEL_LABELS, CHANNELS, FEELING_LABELS, FEELINGS

__all__ = ["ButtonForm", "CloseRemarkForm", "RemarkForm", "StageForm", "TouchpointForm", "with_submission_key"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _touchpoint_choices(stages, language: str) -> dict:
    """Touchpoints grouped by stage (an <optgroup> each), after a blank first choice."""
    choices = {"": [SelectChoice("", _l("Choose where it happened"))]}
    for stage in stages:
        choices[stage.name(language)] = [SelectChoice(t.id, t.name(language)) for t in stage.touchpoints]
    return choices


class RemarkForm(FlaskForm):
    """What a customer told you: quick to fill in on a phone."""

    touchpoint_id = OptionalIdSelectField(_l("Where did it happen?"))
    channel = RadioField(_l("How did the customer get in touch?"), validate_choice=False,
                         choices=[SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS])
    customer_words = TextAreaField(_l("What did the customer tell you, or what did you see go wrong?"),
                                   filters=[_strip], render_kw={"rows": 4},
                                   validators=[PlainText(multiline=True)])
    feeling = RadioField(_l("How did the customer feel?"), validate_choice=False,
                         choices=[SelectChoice(f, FEELING_LABELS[f]) for f in FEELINGS])
    idea = TextAreaField(_l("Your idea to fix it (optional)"), filters=[_strip], render_kw={"rows": 2},
                         validators=[PlainText(multiline=True)])
    submission_key = HiddenField()
    submit = SubmitField(_l("Send to the team that owns it"))

    def set_touchpoints(self, stages, language: str) -> None:
        self.touchpoint_id.choices = _touchpoint_choices(stages, language)


class CloseRemarkForm(FlaskForm):
    outcome = TextAreaField(_l("What was done"), filters=[_strip], render_kw={"rows": 3},
                            validators=[PlainText(multiline=True)])
    submit = SubmitField(_l("Close the remark"))


class StageForm(FlaskForm):
    """A stage's name in both languages (one is enough: the other falls back to it)."""

    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[PlainText()])
    name_it = StringField(_l("Name in Italian"), filters=[_strip], validators=[PlainText()])
    submit = SubmitField(_l("Add the stage"))


class TouchpointForm(FlaskForm):
    name_en = StringField(_l("Name in English"), filters=[_strip], validators=[PlainText()])
    name_it = StringField(_l("Name in Italian"), filters=[_strip], validators=[PlainText()])
    stage_id = OptionalIdSelectField(_l("Stage"))
    owner_team_id = OptionalIdSelectField(_l("Owner team"))
    kpi_ids = MultiCheckboxField(_l("KPIs that measure it"), coerce=form_id, validate_choice=False)
    submit = SubmitField(_l("Save the touchpoint"))

    def set_choices(self, stages, teams, kpis, language: str) -> None:
        self.stage_id.choices = [SelectChoice(s.id, s.name(language)) for s in stages]
        self.owner_team_id.choices = [SelectChoice("", _l("No owner yet: leaders answer"))] + [
            SelectChoice(t.id, t.path) for t in teams]
        self.kpi_ids.choices = [SelectChoice(k.id, k.name(language)) for k in kpis]
