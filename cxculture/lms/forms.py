"""Forms for platform registrations, the LRS settings and the deep-linking picker."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from .registrations import RegistrationData, parse_deployment_ids


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[Length(max=120)])
    issuer = StringField(_l("Platform ID (issuer)"), filters=[_strip], validators=[Length(max=255)])
    client_id = StringField(_l("Client ID"), filters=[_strip], validators=[Length(max=255)])
    deployment_ids = TextAreaField(_l("Deployment IDs"), render_kw={"rows": 3})
    auth_login_url = StringField(_l("Authentication request URL"), filters=[_strip], validators=[Length(max=500)])
    auth_token_url = StringField(_l("Access token URL"), filters=[_strip], validators=[Length(max=500)])
    key_set_url = StringField(_l("Public keyset URL"), filters=[_strip], validators=[Length(max=500)])
    submit = SubmitField(_l("Save platform"))

    def values(self) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            issuer=self.issuer.data or "",
            client_id=self.client_id.data or "",
            deployment_ids=parse_deployment_ids(self.deployment_ids.data),
            auth_login_url=self.auth_login_url.data or "",
            auth_token_url=self.auth_token_url.data or "",
            key_set_url=self.key_set_url.data or "",
        )


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
