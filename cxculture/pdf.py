"""PDF rendering with WeasyPrint, allowed to read nothing but the app's own static files."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from flask import current_app
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

#: The address relative URLs in PDF templates resolve against; it is never fetched over the network.
BASE_URL = "http://cxculture.invalid/"


class RefusedURL(ValueError):
    """A PDF template asked for something other than a static file of the app."""


class StaticURLFetcher(URLFetcher):
    """Serves the app's static files (and data: URLs); refuses the file system, the network and everything else."""

    def __init__(self, static_folder: str, static_url_path: str):
        # Only data: may reach urllib; static files are read here, everything else is refused before.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.static_folder = static_folder
        self.prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.static_file_for(url)
        if path is None:
            raise RefusedURL(f"PDF templates may only use the app's static files, not {url!r}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    def static_file_for(self, url: str) -> Path | None:
        """The file of the static folder a URL under BASE_URL points to, or None."""
        base, parts = urlsplit(BASE_URL), urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(self.prefix):
            return None
        relative = unquote(parts.path[len(self.prefix):])
        joined = safe_join(self.static_folder, relative) if relative else None
        if joined is None or not Path(joined).is_file():
            return None
        return Path(joined)


def static_url_fetcher() -> StaticURLFetcher:
    """A fetcher for the current app's static folder."""
    return StaticURLFetcher(current_app.static_folder, current_app.static_url_path)


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML page; URLs such as url_for("static", ...) load the app's static files."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=static_url_fetcher()).write_pdf()
