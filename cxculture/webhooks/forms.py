"""The subscription form: where to send, what it is, which events."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from ..orgs.forms import MultiCheckboxField
from .service import EVENTS, SubscriptionData


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SubscriptionForm(FlaskForm):
    """Lengths and choices are the service's to check, so every refusal reads the same."""

    url = StringField(_l("Address (URL)"), filters=[_strip])
    description = StringField(_l("What receives them"), filters=[_strip])
    events = MultiCheckboxField(_l("Events to send"), validate_choice=False,
                                choices=[SelectChoice(name, label) for name, label in EVENTS.items()])
    submit = SubmitField(_l("Save subscription"))

    def values(self) -> SubscriptionData:
        return SubscriptionData(url=self.url.data or "", description=self.description.data or "",
                                events=list(self.events.data or []))
