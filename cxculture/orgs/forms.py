"""Forms and choice lists for organisations, teams, job roles and people."""
from flask_babel import lazy_gettext as _l

from .models import Permission

PERMISSION_LABELS = {
    Permission.EMPLOYEE.value: _l("Employee"),
    Permission.MANAGER.value: _l("Manager"),
    Permission.LEADER.value: _l("Leadership"),
    Permission.HR.value: _l("HR"),
    Permission.ADMIN.value: _l("Administrator"),
}
LANGUAGE_LABELS = {"en": "English", "it": "Italiano"}
