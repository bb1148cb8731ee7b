"""Forms of the administrators' training pages (paths and library)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired

from ..orgs.forms import OptionalIdSelectField


class AddModuleForm(FlaskForm):
    """Add a library module to a job role's path; the service checks the module and the date."""

    module_id = OptionalIdSelectField(_l("Module"))
    required = BooleanField(_l("Required (counts toward the certificate)"), default=True)
    due_date = StringField(_l("Due date (optional)"), render_kw={"type": "date", "min": "2000-01-01"})
    submit = SubmitField(_l("Add module"))


class TrainingSettingsForm(FlaskForm):
    """The organisation's training settings; the service checks the value."""

    key_after_failures = IntegerField(
        _l("Show the full answer key after this many failed attempts"),
        validators=[InputRequired(_l("Enter a whole number from 0 (never) to 20."))],
        render_kw={"min": 0, "max": 20, "step": 1},
    )
    submit = SubmitField(_l("Save settings"))
