"""Login, password and e-mail preference forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..mail import OPTIONAL_TOPICS
from ..orgs.forms import MultiCheckboxField
from .passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH, max=200, message=_l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField(_l("Set password and log in"))


class MailPreferencesForm(FlaskForm):
    """The optional e-mails a person wants: every topic left unticked is turned off."""

    wanted = MultiCheckboxField(_l("E-mails you receive"),
                                choices=[SelectChoice(key, label) for key, label in OPTIONAL_TOPICS.items()])
    submit = SubmitField(_l("Save e-mail choices"))
