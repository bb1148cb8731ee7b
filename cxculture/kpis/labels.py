"""What the KPI area's codes (categories, units, directions, effects, surveys) are called on pages and in PDFs."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "customer_outcome": _l("Customer outcome"),
    "behaviour": _l("Customer-centric behaviour"),
    "efficiency": _l("Efficiency"),
    "financial": _l("Financial"),
}
UNIT_LABELS = {
    "percent": _l("percent"),
    "points": _l("points"),
    "score": _l("score"),
    "seconds": _l("seconds"),
    "minutes": _l("minutes"),
    "hours": _l("hours"),
    "days": _l("days"),
    "count": _l("count"),
    "euro": _l("euro"),
}
#: Short unit suffixes printed after a number.
UNIT_SUFFIXES = {"percent": "%", "points": "pt", "score": "", "seconds": "s", "minutes": "min", "hours": "h",
                 "days": _l("days"), "count": "", "euro": "€"}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
EFFECT_LABELS = {"supports": _l("Supports"), "conflicts": _l("Works against")}
SURVEY_LABELS = {"nps": _l("NPS answers (0–10)"), "csat": _l("CSAT answers (1–5)"), "ces": _l("CES answers (1–7)")}
