"""The roster import's upload form (the confirmation is `imports.ConfirmImportForm`)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Roster file (CSV)"),
        validators=[
            FileRequired(message=_l("Choose a CSV file to upload.")),
            FileAllowed(["csv"], message=_l("The file must be a .csv file. In Excel, use \"Save as\" and choose CSV.")),
        ],
        render_kw={"accept": ".csv"},
    )
    submit = SubmitField(_l("Upload and preview"))

