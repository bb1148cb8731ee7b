"""The erasure confirmation form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import DataRequired


def optional_id(value):
    """A select's value as an id, or None for the blank choice (or anything that is not a number)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class EraseForm(FlaskForm):
    successor_id = SelectField(_l("Who takes over"), coerce=optional_id, validate_choice=False)
    confirm = BooleanField(_l("I understand that this cannot be undone."),
                           validators=[DataRequired(_l("Tick the box to confirm the erasure."))])
    submit = SubmitField(_l("Erase this person"))

    def set_choices(self, people) -> None:
        self.successor_id.choices = [("", _l("Nobody"))] + [(str(p.id), p.name) for p in people]
