"""Forms for platform registrations, the LRS settings and the deep-linking picker."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..orgs.forms import PERMISSION_LABELS
from ..orgs.models import Permission
from .registrations import RegistrationData, parse_deployment_ids
from .roles import CONTEXT, DEFAULT_MAPPINGS, INSTITUTION, RoleMappingData

#: Empty lines offered under a registration's role table, to add to it.
BLANK_MAPPING_ROWS = 3


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RoleMappingForm(Form):
    """One line of the role table (a subform: the registration form carries the CSRF token)."""

    kind = SelectField(_l("Kind of role"), choices=[SelectChoice(CONTEXT, _l("Course role")),
                                                   SelectChoice(INSTITUTION, _l("Institution role"))],
                       validate_choice=False)
    role = StringField(_l("LTI role"), filters=[_strip], validators=[Length(max=255)])
    permission = SelectField(_l("Permission in CX Culture"),
                             choices=[SelectChoice(name, label) for name, label in PERMISSION_LABELS.items()],
                             validate_choice=False)


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[Length(max=120)])
    issuer = StringField(_l("Platform ID (issuer)"), filters=[_strip], validators=[Length(max=255)])
    client_id = StringField(_l("Client ID"), filters=[_strip], validators=[Length(max=255)])
    deployment_ids = TextAreaField(_l("Deployment IDs"), render_kw={"rows": 3})
    auth_login_url = StringField(_l("Authentication request URL"), filters=[_strip], validators=[Length(max=500)])
    auth_token_url = StringField(_l("Access token URL"), filters=[_strip], validators=[Length(max=500)])
    key_set_url = StringField(_l("Public keyset URL"), filters=[_strip], validators=[Length(max=500)])
    emails_verified = BooleanField(_l("This platform's e-mail addresses are verified"))
    role_mappings = FieldList(FormField(RoleMappingForm), min_entries=0, max_entries=60)
    submit = SubmitField(_l("Save platform"))

    def show_role_mappings(self, rows) -> None:
        """Fill the role table with `rows` (kind, role, permission) and the blank lines to add more."""
        while self.role_mappings.entries:
            self.role_mappings.pop_entry()
        for kind, role, permission in rows:
            self.role_mappings.append_entry({"kind": kind, "role": role, "permission": permission})
        for _ in range(BLANK_MAPPING_ROWS):
            self.role_mappings.append_entry({"kind": CONTEXT, "role": "", "permission": Permission.EMPLOYEE.value})

    def show_default_role_mappings(self) -> None:
        self.show_role_mappings(DEFAULT_MAPPINGS)

    def values(self) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            issuer=self.issuer.data or "",
            client_id=self.client_id.data or "",
            deployment_ids=parse_deployment_ids(self.deployment_ids.data),
            auth_login_url=self.auth_login_url.data or "",
            auth_token_url=self.auth_token_url.data or "",
            key_set_url=self.key_set_url.data or "",
            emails_verified=bool(self.emails_verified.data),
            # No line at all (not even the empty ones the page offers): the table was not sent, so it stays.
            role_mappings=[RoleMappingData(entry.form.kind.data or "", entry.form.role.data or "",
                                           entry.form.permission.data or "") for entry in self.role_mappings.entries]
            or None,
        )

    def show_row_errors(self, errors: dict) -> dict:
        """Put the refusal's messages about table lines (`role_mappings-<line>-<field>`) beside their fields;
        returns the others."""
        others = {}
        for name, message in errors.items():
            prefix, _, rest = (name or "").partition("-")
            index, _, field = rest.partition("-")
            if prefix == "role_mappings" and index.isdigit() and int(index) < len(self.role_mappings.entries):
                subfield = self.role_mappings.entries[int(index)].form[field]
                subfield.errors = [*subfield.errors, message]
            else:
                others[name] = message
        self.role_mappings.errors = [entry.errors for entry in self.role_mappings.entries]
        if not any(self.role_mappings.errors):
            self.role_mappings.errors = []
        return others


class LrsForm(FlaskForm):
    enabled = BooleanField(_l("Send xAPI statements to the LRS"))
    endpoint = StringField(_l("LRS endpoint"), filters=[_strip], validators=[Length(max=500)])
    key = StringField(_l("Key (user name)"), filters=[_strip], validators=[Length(max=255)])
    secret = PasswordField(_l("Secret"), validators=[Length(max=255)])
    actor_mode = RadioField(
        _l("How people are named in statements"),
        choices=[
            SelectChoice(
                "pseudonymous", _l("A stable pseudonym (recommended): the LRS never learns who the person is")
            ),
            SelectChoice("email", _l("Their e-mail address")),
        ],
        default="pseudonymous",
    )
    submit = SubmitField(_l("Save LRS settings"))


class PickContentForm(FlaskForm):
    choice = RadioField(_l("What to place in the course"), validate_choice=False)
    submit = SubmitField(_l("Place in the course"))


class LinkAccountForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in and link"))
