"""The form managers use to assign modules to people in their team.

Which people and modules may be chosen is the service's job (cxculture/modules/assignments.py): the choices
here are what the page offers, not what is accepted.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..orgs.forms import MultiCheckboxField, OptionalIdSelectField
from ..params import form_id


class AssignModuleForm(FlaskForm):
    people = MultiCheckboxField(_l("People"), coerce=form_id, validate_choice=False,
                                invalid_value_message=_l("Choose people from the list."),
                                validators=[InputRequired(_l("Choose at least one person."))])
    module_id = OptionalIdSelectField(_l("Module"), validators=[DataRequired(_l("Choose a module."))])
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Assign"))
