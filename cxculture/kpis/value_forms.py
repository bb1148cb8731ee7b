"""Forms of the KPI values pages: one value by hand, a file upload, the import confirmation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional


class ValueForm(FlaskForm):
    """The choices (periods, KPIs, teams) are set by the view; the service checks everything again."""

    period = SelectField(_l("Quarter"), validators=[InputRequired(message=_l("Choose a quarter."))])
    kpi_id = SelectField(_l("KPI"), coerce=int, validators=[InputRequired(message=_l("Choose a KPI."))])
    email = StringField(_l("Person's e-mail"), validators=[Optional(), Length(max=254)])
    team_id = SelectField(_l("or team"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    value = StringField(_l("Value"), validators=[InputRequired(message=_l("Write the value.")), Length(max=30)])
    submit = SubmitField(_l("Save the value"))


class ValuesUploadForm(FlaskForm):
    kind = RadioField(_l("What the file holds"), default="values", choices=[
        SelectChoice("values", _l("KPI values, one per row")),
        SelectChoice("distributions", _l("Survey answers per score, for NPS, CSAT and CES")),
    ], validators=[InputRequired()])
    file = FileField(_l("File (CSV)"), validators=[
        FileRequired(message=_l("Choose a CSV file to upload.")),
        FileAllowed(["csv"], message=_l("The file must be a .csv file. In Excel, use \"Save as\" and choose CSV.")),
    ], render_kw={"accept": ".csv"})
    submit = SubmitField(_l("Upload and preview"))


class ConfirmForm(FlaskForm):
    """Confirms deleting a value: the id is in the address (a confirmed import is `imports.ConfirmImportForm`)."""

    submit = SubmitField(_l("Confirm import"))
