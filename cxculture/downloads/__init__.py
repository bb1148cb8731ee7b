"""Files made in the background: PDFs and ZIPs that a person asks for and downloads when the job queue is done.

No PDF is rendered inside a web request. A page that offers a document asks `service.offer_html` (a document
whose HTML the request has already built: a certificate, a café summary) or `service.request` (a document an area's
builder makes in the worker: a team pack, a whole organisation's scorecards). A document already made from the same
inputs is served at once; otherwise a `Download` row records the request, the queue renders it
(`service.render`, run by the job "downloads.render"), and the person follows it on /downloads/<id>, which
refreshes itself until the file is ready. Files are kept in the database, so any host serves what any worker made,
for DOWNLOADS_KEEP_HOURS.
"""
from flask import Blueprint

bp = Blueprint("downloads", __name__)

from . import views  # noqa: E402,F401  (routes register on bp)
