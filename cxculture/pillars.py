"""The six culture pillars: the spine every area hangs on."""
from flask_babel import lazy_gettext as _l

PILLARS = ("vision", "listening", "communication", "rewards", "hiring", "improvement")

PILLAR_LABELS = {
    "vision": _l("Vision"),
    "listening": _l("Listening"),
    "communication": _l("Communication"),
    "rewards": _l("Rewards"),
    "hiring": _l("Hiring"),
    "improvement": _l("Improvement"),
}
