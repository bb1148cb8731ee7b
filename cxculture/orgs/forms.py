"""Forms and choice lists for organisations, teams, job roles and people.

The forms check what can be checked without the database; whether a chosen team, job role or manager
belongs to the organisation is the service's job (cxculture/orgs/operations.py), so the org-scoped selects
do not validate their choices themselves.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..params import form_id
from ..plaintext import PlainText
from .models import DEFAULT_ANONYMITY_THRESHOLD, MIN_ANONYMITY_THRESHOLD, Permission
from .operations import MAX_ANONYMITY_THRESHOLD, threshold_problem

PERMISSION_LABELS = {
    Permission.EMPLOYEE.value: _l("Employee"),
    Permission.MANAGER.value: _l("Manager"),
    Permission.LEADER.value: _l("Leadership"),
    Permission.HR.value: _l("HR"),
    Permission.ADMIN.value: _l("Administrator"),
}
LANGUAGE_LABELS = {"en": "English", "it": "Italiano"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def optional_id(value):
    """A select's value as an id, or None for the blank choice."""
    if value is None or value == "":
        return None
    return form_id(value)


class OptionalIdSelectField(SelectField):
    """A select of rows of the organisation, with a blank first choice; the service checks the id."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", optional_id)
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("invalid_value_message", _l("Choose from the list."))
        super().__init__(label, validators, **kwargs)


class PersonPickerInput(TextInput):
    """A text box with the people it suggests as a datalist: browsers offer them as one types, without any
    JavaScript, and a screen reader announces them as a combobox."""

    def __call__(self, field, **kwargs):
        options = field.id + "-people"
        kwargs.setdefault("list", options)
        kwargs.setdefault("autocomplete", "off")
        suggestions = "".join(f'<option value="{escape(person_label(p))}"></option>' for p in field.people)
        return Markup(super().__call__(field, **kwargs) + Markup(f'<datalist id="{escape(options)}">')
                      + Markup(suggestions) + Markup("</datalist>"))


def person_label(person) -> str:
    """How a person is suggested and shown in a picker: name and e-mail address (two people may share a name)."""
    return f"{person.name} ({person.email})"


def match_people(people, text: str) -> list:
    """Who `text` names among `people`: an id, an e-mail address, the picker's "Name (email)", the whole name,
    or else a part of the name or address. More than one match means the text is not enough to choose."""
    text = " ".join(text.split())
    if text.isdigit():
        return [p for p in people if p.id == int(text)]
    wanted = text.casefold()
    if wanted.endswith(")") and "(" in wanted:
        wanted = wanted[wanted.rindex("(") + 1:-1].strip()
    for exact in (lambda p: p.email.casefold() == wanted, lambda p: p.name.casefold() == wanted):
        found = [p for p in people if exact(p)]
        if found:
            return found
    return [p for p in people if wanted in p.name.casefold() or wanted in p.email.casefold()]


class PersonPickerField(StringField):
    """One person among many (an action's owner among hundreds): typed, with suggestions, rather than picked from
    a list too long to read. `data` is the chosen person's id, None when left blank; `set_people()` says who may
    be suggested and chosen (the service still checks the id)."""

    widget = PersonPickerInput()
    #: Suggestions shown when a text matches several people.
    SHOWN_MATCHES = 5

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.people: list = []
        self.text: str | None = None

    def set_people(self, people) -> None:
        self.people = list(people)

    def process_data(self, value):
        self.data = value

    def process_formdata(self, valuelist):
        self.text = (valuelist[0] if valuelist else "").strip()
        self.data = None

    def pre_validate(self, form):
        if not self.text:
            return
        found = match_people(self.people, self.text)
        if len(found) == 1:
            self.data = found[0].id
            return
        if not found:
            raise ValidationError(_l("Nobody of your organisation matches “%(text)s”. Type part of the name or the "
                                     "e-mail address and choose from the suggestions.", text=self.text))
        names = ", ".join(person_label(p) for p in found[:self.SHOWN_MATCHES])
        raise ValidationError(_l("“%(text)s” matches %(count)s people, among them %(names)s. Type more of the name, "
                                 "or the e-mail address.", text=self.text, count=len(found), names=names))

    def _value(self):
        if self.text is not None:
            return self.text
        chosen = next((p for p in self.people if p.id == self.data), None)
        return person_label(chosen) if chosen else ""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(_l("Enter the organisation's name.")),
                                                                 Length(max=200), PlainText()])
    default_language = SelectField(
        _l("Default language"), choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        invalid_choice_message=_l("Choose English or Italian."),
    )
    anonymity_threshold = IntegerField(
        _l("Anonymity threshold"), default=DEFAULT_ANONYMITY_THRESHOLD,
        validators=[InputRequired(_l("Enter the anonymity threshold as a whole number."))],
        render_kw={"min": MIN_ANONYMITY_THRESHOLD, "max": MAX_ANONYMITY_THRESHOLD, "step": 1},
    )
    benchmark_opt_in = BooleanField(_l("Take part in the anonymous benchmark"))
    submit = SubmitField(_l("Save settings"))

    def validate_anonymity_threshold(self, field):
        problem = threshold_problem(field.data)
        if problem:
            raise ValidationError(problem)


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(_l("Enter the team's name.")), Length(max=120), PlainText()])
    parent_id = OptionalIdSelectField(_l("Part of"))
    submit = SubmitField(_l("Save team"))

    def set_parent_choices(self, paths: dict[int, str], exclude: set[int] = frozenset()) -> None:
        """`paths` is team id -> path; `exclude` the teams that cannot be a parent (the team and its sub-teams)."""
        self.parent_id.choices = [SelectChoice("", _l("— none: a top-level team —"))] + [
            SelectChoice(team_id, path)
            for team_id, path in sorted(paths.items(), key=lambda item: item[1].lower())
            if team_id not in exclude
        ]


class JobRoleNamesForm(FlaskForm):
    name_en = StringField(_l("Name in English"), filters=[_strip],
                          validators=[DataRequired(_l("Enter the name.")), Length(max=120), PlainText()])
    name_it = StringField(_l("Name in Italian"), filters=[_strip],
                          validators=[DataRequired(_l("Enter the name.")), Length(max=120), PlainText()])
    submit = SubmitField(_l("Save job role"))


class JobRoleForm(JobRoleNamesForm):
    key = StringField(
        _l("Key"), filters=[_strip],
        validators=[
            DataRequired(_l("Enter a key.")),
            Length(max=64),
            Regexp(r"^[a-z0-9_]+$",
                   message=_l("Use only lower-case letters, digits and underscores (at most 64), like front_line.")),
        ],
    )


class PersonForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), filters=[_strip, _lower],
        validators=[DataRequired(_l("Enter the e-mail address.")), Length(max=254),
                    Email(_l("Enter a valid e-mail address, like name@example.com."))],
    )
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(_l("Enter the person's name.")), Length(max=200), PlainText()])
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("", _l("Organisation default"))]
        + [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        invalid_choice_message=_l("Choose English, Italian or the organisation's default."),
    )
    job_role_id = OptionalIdSelectField(_l("Job role"))
    team_id = OptionalIdSelectField(_l("Team"))
    manager_id = OptionalIdSelectField(_l("Manager"))
    permissions = MultiCheckboxField(
        _l("Permissions"), choices=[SelectChoice(name, label) for name, label in PERMISSION_LABELS.items()],
        default=[Permission.EMPLOYEE.value],
        invalid_choice_message=_l("Choose permissions from the list."),
    )
    active = BooleanField(_l("Active (can log in)"), default=True)
    submit = SubmitField(_l("Save person"))

    def validate_permissions(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one permission."))

    def set_choices(self, job_roles, paths: dict[int, str], managers, language: str) -> None:
        """Fill the selects with the organisation's rows only."""
        self.job_role_id.choices = [SelectChoice("", _l("— no job role —"))] + [
            SelectChoice(role.id, role.name(language))
            for role in sorted(job_roles, key=lambda role: role.name(language).lower())
        ]
        self.team_id.choices = [SelectChoice("", _l("— no team —"))] + [
            SelectChoice(team_id, path) for team_id, path in sorted(paths.items(), key=lambda item: item[1].lower())
        ]
        self.manager_id.choices = [SelectChoice("", _l("— no manager —"))] + [
            SelectChoice(p.id, f"{p.name} ({p.email})" if p.active else f"{p.name} ({p.email}) · {_l('deactivated')}")
            for p in managers
        ]
