"""The administrator's single sign-on settings form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import Length

from .service import SettingsData


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SsoSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Let people sign in with the provider"))
    provider_name = StringField(_l("Provider name on the sign-in button"), filters=[_strip],
                                validators=[Length(max=100)])
    issuer = StringField(_l("Issuer (discovery URL)"), filters=[_strip], validators=[Length(max=600)])
    client_id = StringField(_l("Client id"), filters=[_strip], validators=[Length(max=255)])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=500)])
    email_claim = StringField(_l("Claim that holds the e-mail address"), filters=[_strip], default="email",
                              validators=[Length(max=100)])
    emails_verified = BooleanField(_l("The provider only gives out addresses it has verified (trust them even "
                                      "without email_verified)"))
    password_login = BooleanField(_l("People may still log in with a password"), default=True)
    create_people = BooleanField(_l("Create an account for someone the provider signs in but CX Culture does not "
                                    "know (as an employee, in no team)"))
    submit = SubmitField(_l("Save settings"))
    test = SubmitField(_l("Test the connection"))

    def values(self) -> SettingsData:
        return SettingsData(
            enabled=self.enabled.data, provider_name=self.provider_name.data or "", issuer=self.issuer.data or "",
            client_id=self.client_id.data or "", client_secret=self.client_secret.data or "",
            email_claim=self.email_claim.data or "", emails_verified=self.emails_verified.data,
            password_login=self.password_login.data, create_people=self.create_people.data)
