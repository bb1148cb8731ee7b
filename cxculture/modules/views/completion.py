"""The chart of required modules completed month by month that the administrator's and managers' training pages
share (drawn here, counted in reports.completion_by_month)."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from ...charts import share_over_time
from ...i18n import current_language
from ..reports import MonthCompletion


def completion_chart(months: list[MonthCompletion], chart_id: str) -> Markup | None:
    """The share of required modules completed by the end of each month as a line; None with nothing to draw."""
    if not months:
        return None
    return share_over_time([format_date(m.month, "MMM") for m in months], [m.percent for m in months],
                           _("Required modules completed, month by month"),
                           [format_date(m.month, "MMMM yyyy") for m in months], current_language(), chart_id)
