"""The retention settings form and the audit trail's filter form.

The retention form takes text: the service (retention.py) says per field what is wrong with a value, in words that
name its unit and bounds. The filter form is read from the query string (no CSRF: it changes nothing); the audit
service checks it (audit/service.py `parse_filter`).
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from ..audit import ACTIONS, SYSTEM, action_label
from .retention import BOUNDS

RETENTION_LABELS = {
    "survey_comment_months": _l("Survey comments, months after their campaign closes"),
    "kpi_value_years": _l("KPI values and kept scorecard files, years"),
    "deactivated_person_months": _l("People who left, months after they were deactivated"),
    "delivered_outbox_days": _l("Delivered xAPI statements and grade passbacks, days"),
    "audit_record_months": _l("Audit trail records, months"),
}


def _number_field(name: str) -> StringField:
    bounds = BOUNDS[name]
    return StringField(RETENTION_LABELS[name],
                       render_kw={"inputmode": "numeric", "size": 5, "min": bounds.minimum, "max": bounds.maximum})


class RetentionForm(FlaskForm):
    survey_comment_months = _number_field("survey_comment_months")
    kpi_value_years = _number_field("kpi_value_years")
    deactivated_person_months = _number_field("deactivated_person_months")
    delivered_outbox_days = _number_field("delivered_outbox_days")
    audit_record_months = _number_field("audit_record_months")
    submit = SubmitField(_l("Save retention settings"))

    def values(self) -> dict[str, str]:
        return {name: self[name].data for name in BOUNDS}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    person = SelectField(_l("Who"), validate_choice=False)
    date_from = StringField(_l("From (YYYY-MM-DD)"), render_kw={"placeholder": "2026-01-31", "size": 10})
    date_to = StringField(_l("To (YYYY-MM-DD)"), render_kw={"placeholder": "2026-12-31", "size": 10})
    submit = SubmitField(_l("Show"), name=None)

    def set_choices(self, actors: list[tuple[int, str]]) -> None:
        self.action.choices = [SelectChoice("", _l("Any action")), *sorted(
            (SelectChoice(key, action_label(key)) for key in ACTIONS), key=lambda choice: choice.label.lower())]
        self.person.choices = [SelectChoice("", _l("Anyone")), SelectChoice(SYSTEM, _l("The system (jobs, commands)")),
                               *(SelectChoice(str(actor_id), label) for actor_id, label in actors)]
