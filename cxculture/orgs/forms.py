"""Forms and choice lists for organisations, teams, job roles and people.

The forms check what can be checked without the database; whether a chosen team, job role or manager
belongs to the organisation is the service's job (cxculture/orgs/operations.py), so the org-scoped selects
do not validate their choices themselves.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

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
