"""The provisioning page's form: the safety stop's share."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange


class SafetyStopForm(FlaskForm):
    safety_share = IntegerField(
        _l("Hold deactivations and e-mail changes beyond this share of active people a day (%)"),
        validators=[InputRequired(_l("Enter a percentage from 1 to 100.")),
                    NumberRange(1, 100, _l("Enter a percentage from 1 to 100."))],
    )
    submit = SubmitField(_l("Save the safety stop"))
