"""Forms of the administrators' training pages (paths and library)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField

from ..orgs.forms import OptionalIdSelectField


class AddModuleForm(FlaskForm):
    """Add a library module to a job role's path; the service checks the module and the date."""

    module_id = OptionalIdSelectField(_l("Module"))
    required = BooleanField(_l("Required (counts toward the certificate)"), default=True)
    due_date = StringField(_l("Due date (optional)"), render_kw={"type": "date", "min": "2000-01-01"})
    submit = SubmitField(_l("Add module"))
