"""The forms leaders use to plan a café, edit its agenda and record what it decided.

Whether people, items and pillars belong to the café's organisation is the service's job (service.py): the
choices here are what the page offers, not what is accepted.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import EmailField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..assessments.action_forms import ClearDateField
from ..orgs.forms import LANGUAGE_LABELS, MultiCheckboxField, OptionalIdSelectField, PersonPickerField, optional_id
from ..params import form_id
from ..pillars import PILLAR_LABELS, PILLARS
from ..plaintext import PlainText
from .service import (
    MAX_DECISION_LENGTH,
    MAX_DURATION,
    MAX_EMAIL_LENGTH,
    MAX_LINK_LENGTH,
    MAX_PLACE_LENGTH,
    MAX_TITLE_LENGTH,
    MIN_DURATION,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def new_submission_key() -> str:
    return secrets.token_hex(16)


class ClearTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("This is not a time: write it as HH:MM, for example 09:30.")) from None


def _title_field(label):
    return StringField(label, filters=[_strip], validators=[
        DataRequired(_l("Write a title.")),
        Length(max=MAX_TITLE_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH)),
        PlainText()])


class CafeForm(FlaskForm):
    """Plan a café, or change its plan."""

    title = _title_field(_l("Title"))
    day = ClearDateField(_l("Date"), validators=[InputRequired(_l("Choose the date."))])
    time = ClearTimeField(_l("Start time"), validators=[InputRequired(_l("Write the start time."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=90, validators=[
        InputRequired(_l("Write how many minutes the café lasts.")),
        NumberRange(MIN_DURATION, MAX_DURATION, message=_l("Between %(min)s and %(max)s minutes.", min=MIN_DURATION,
                                                             max=MAX_DURATION))])
    location = StringField(_l("Place"), filters=[_strip], validators=[
        Length(max=MAX_PLACE_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_PLACE_LENGTH)),
        PlainText()])
    video_link = StringField(_l("Video link"), filters=[_strip], validators=[
        Length(max=MAX_LINK_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_LINK_LENGTH))])
    facilitator_id = OptionalIdSelectField(_l("Facilitator"), validators=[InputRequired(_l("Choose the facilitator."))])
    attendee_ids = MultiCheckboxField(_l("Attendees"), coerce=form_id, validate_choice=False)
    focus_pillars = MultiCheckboxField(
        _l("Focus pillars"), choices=[SelectChoice(p, PILLAR_LABELS[p]) for p in PILLARS], validate_choice=False
    )
    language = SelectField(
        _l("Language of the agenda and PDFs"),
        validate_choice=False,
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Plan the café"))

    def set_people(self, leaders) -> None:
        self.facilitator_id.choices = [SelectChoice("", _l("Choose a leader"))] + [
            SelectChoice(p.id, p.name) for p in leaders
        ]
        self.attendee_ids.choices = [SelectChoice(p.id, p.name) for p in leaders]


class AgendaItemForm(FlaskForm):
    """An agenda item's title, prompts and notes."""

    title = _title_field(_l("Title"))
    prompts = TextAreaField(_l("Discussion prompts"), render_kw={"rows": 6}, validators=[PlainText(multiline=True)])
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 6}, validators=[PlainText(multiline=True)])
    submission_key = HiddenField()
    submit = SubmitField(_l("Save the item"))


class DecisionForm(FlaskForm):
    text = TextAreaField(
        _l("Decision"),
        filters=[_strip],
        render_kw={"rows": 3},
        validators=[
            DataRequired(_l("Write what was decided.")),
            Length(max=MAX_DECISION_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_DECISION_LENGTH)),
            PlainText(multiline=True),
        ],
    )
    published = BooleanField(_l("Publish to every employee"))
    agenda_item_id = HiddenField(
        filters=[lambda v: optional_id(v) if v not in (None, "") and str(v).isdigit() else None]
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Record the decision"))


class CafeActionForm(FlaskForm):
    title = StringField(
        _l("What will be done"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Write what will be done.")),
            Length(max=MAX_TITLE_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH)),
            PlainText(),
        ],
    )
    pillar = SelectField(
        _l("Pillar"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose a pillar."))],
        choices=[SelectChoice("", _l("Choose a pillar"))] + [SelectChoice(p, PILLAR_LABELS[p]) for p in PILLARS],
    )
    owner_id = PersonPickerField(_l("Owner"), validators=[InputRequired(_l("Choose who owns this action."))])
    due_date = ClearDateField(_l("Due date"), validators=[InputRequired(_l("Choose a due date."))])
    agenda_item_id = HiddenField(
        filters=[lambda v: optional_id(v) if v not in (None, "") and str(v).isdigit() else None]
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Agree the action"))

    def set_owner_choices(self, people) -> None:
        self.owner_id.set_people(people)


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField(_l("Present"), coerce=form_id, validate_choice=False)
    submit = SubmitField(_l("Save attendance and mark the café as held"))


class InviteGuestForm(FlaskForm):
    """Invite a leader of another organisation by the e-mail address the host already knows."""

    email = EmailField(_l("E-mail address of the leader to invite"), filters=[_strip],
                       render_kw={"autocomplete": "off", "spellcheck": "false"},
                       validators=[DataRequired(_l("Write the e-mail address of the leader you want to invite.")),
                                   Length(max=MAX_EMAIL_LENGTH, message=_l(
                                       "An e-mail address has at most %(max)s characters.", max=MAX_EMAIL_LENGTH))])
    submit = SubmitField(_l("Invite"))


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def with_submission_key(form):
    if not form.submission_key.data:
        form.submission_key.data = new_submission_key()
    return form
