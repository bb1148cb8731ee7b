"""The forms leaders use to create and follow up action items.

Whether the owner and the campaign belong to the organisation is the service's job (actions.py): the choices
here are what the page offers, not what is accepted.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..orgs.forms import OptionalIdSelectField, PersonPickerField, optional_id
from ..pillars import PILLAR_LABELS, PILLARS
from ..plaintext import PlainText
from .actions import MAX_NOTE_LENGTH, MAX_TITLE_LENGTH, STATUSES

STATUS_LABELS = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}


class ClearDateField(DateField):
    """A date field whose parse error says what a valid date looks like."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("This is not a date: pick one in the calendar or write it as YYYY-MM-DD.")) from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _status_choices():
    return [SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES]


def _optional_hidden_id(value):
    return optional_id(value) if value not in (None, "") and str(value).isdigit() else None


class ActionFollowUpForm(FlaskForm):
    """What a leader changes while an action is followed up: status, owner, due date, whether staff see it."""

    status = SelectField(_l("Status"), choices=_status_choices(), validate_choice=False,
                         validators=[DataRequired(_l("Choose a status."))])
    owner_id = PersonPickerField(_l("Owner"), validators=[InputRequired(_l("Choose who owns this action."))])
    due_date = ClearDateField(_l("Due date"), validators=[InputRequired(_l("Choose a due date."))])
    shared = BooleanField(_l("Show it to everyone on “You said, we did”"))
    submit = SubmitField(_l("Save"))

    def set_owner_choices(self, people) -> None:
        self.owner_id.set_people(people)


class ActionUpdateForm(FlaskForm):
    """A progress update by a leader or the owner: what was done or found, and the status it leaves the action in."""

    note = TextAreaField(_l("What was done or found"), filters=[_strip], validators=[
        Optional(), Length(max=MAX_NOTE_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_NOTE_LENGTH)),
        PlainText()], render_kw={"rows": 3, "maxlength": MAX_NOTE_LENGTH})
    status = SelectField(_l("Status after this update"), choices=_status_choices(), validate_choice=False,
                         validators=[DataRequired(_l("Choose a status."))])
    submit = SubmitField(_l("Add the update"))


class ActionForm(ActionFollowUpForm):
    """A new action item."""

    title = StringField(_l("What will be done"), filters=[_strip], validators=[
        DataRequired(_l("Write what will be done.")),
        Length(max=MAX_TITLE_LENGTH, message=_l("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH)),
        PlainText()])
    pillar = SelectField(
        _l("Pillar"),
        choices=[SelectChoice("", _l("Choose a pillar"))] + [SelectChoice(p, PILLAR_LABELS[p]) for p in PILLARS],
        validate_choice=False,
        validators=[DataRequired(_l("Choose a pillar."))],
    )
    campaign_id = OptionalIdSelectField(_l("From the campaign (optional)"))
    #: What in the campaign's results it answers: carried from the link the leader followed.
    item_key = HiddenField(filters=[lambda value: (value or "").strip() or None])
    team_id = HiddenField(filters=[_optional_hidden_id])
    #: What in listening it answers (action_sources): carried from the link the leader followed.
    touchpoint_id = HiddenField(filters=[_optional_hidden_id])
    theme_key = HiddenField(filters=[lambda value: (value or "").strip() or None])
    driver_outcome = HiddenField(filters=[lambda value: (value or "").strip() or None])
    submit = SubmitField(_l("Create action"))

    def set_campaign_choices(self, campaigns) -> None:
        self.campaign_id.choices = [SelectChoice("", _l("None"))] + [SelectChoice(c.id, c.title) for c in campaigns]
