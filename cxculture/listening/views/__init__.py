"""Listening pages, under /listening. One module per room; each registers its routes on `bp`."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("listening", __name__, url_prefix="/listening")

# Each room's routes register on bp; one import per line.
from . import drivers  # noqa: E402,F401,I001
from . import journey  # noqa: E402,F401
from . import remarks  # noqa: E402,F401
from . import themes  # noqa: E402,F401
