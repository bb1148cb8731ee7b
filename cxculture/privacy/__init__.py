"""Privacy: each person's data exported (GDPR Art. 15, 20) or erased (Art. 17), and the privacy page.

A layer above the areas: it collects their privacy providers (`registry.PROVIDERS`, listed explicitly), builds the
export ZIP in the job queue through the downloads area, erases a person after a confirmation, and writes the
privacy page and the record of processing from the providers' declarations. Retention periods shown are the
defaults in `retention.py`.
"""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401  (routes register on bp)
