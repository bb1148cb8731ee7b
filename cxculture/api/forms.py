"""The form an administrator fills to create an API token."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..orgs.forms import MultiCheckboxField
from ..plaintext import PlainText
from .tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(_l("Name the token after the system that will use it, such as "
                                                   "“Power BI”.")), Length(max=120), PlainText()])
    scopes = MultiCheckboxField(_l("What the token may do"),
                                choices=[SelectChoice(key, label) for key, label in SCOPES.items()],
                                validators=[DataRequired(_l("Choose at least one thing the token may do."))],
                                invalid_choice_message=_l("Choose from the list."))
    days = IntegerField(_l("Expires after (days)"), default=DEFAULT_DAYS,
                        validators=[InputRequired(_l("Say after how many days the token expires.")),
                                    NumberRange(1, MAX_DAYS, _l("A token lasts from 1 to %(max)s days.",
                                                                max=MAX_DAYS))])
    submit = SubmitField(_l("Create the token"))
