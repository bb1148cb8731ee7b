"""PDF rendering with WeasyPrint, allowed to read nothing but the app's own static files.

Renders run in the job queue's workers (cxculture/downloads), never inside a web request."""
from __future__ import annotations

import mimetypes
import signal
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from flask import current_app
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

#: The address relative URLs in PDF templates resolve against; it is never fetched over the network.
BASE_URL = "http://cxculture.invalid/"


#: Limits of one render; the app's PDF_MAX_HTML_BYTES, PDF_MAX_PAGES and PDF_TIMEOUT_SECONDS override them.
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_PAGES = 600
TIMEOUT_SECONDS = 60.0
#: How often a render past its time is asked again to stop, until it does.
STOP_REPEAT_SECONDS = 0.1


class RefusedURL(ValueError):
    """A PDF template asked for something other than a static file of the app."""


class PdfRenderError(RuntimeError):
    """A render refused or stopped: code "too-large" (HTML), "too-many-pages" or "timeout"; `limit` is the limit."""

    def __init__(self, code: str, limit: float, detail: str = ""):
        super().__init__(f"PDF render stopped ({code}, limit {limit}){': ' + detail if detail else ''}")
        self.code = code
        self.limit = limit


class _RenderStopped(BaseException):
    """Raised by the timer signal in a render that ran past its time (a BaseException, so that no
    `except Exception` in WeasyPrint's layout swallows it)."""


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


#: Font configurations ready for reuse: a new one per render leaks memory in Pango (~0.2 MB a render, which a
#: bulk run of thousands of PDFs turns into a leak), and one must not serve two renders at once.
_font_configs: list[FontConfiguration] = []
_font_configs_lock = threading.Lock()


def _take_font_config() -> FontConfiguration:
    with _font_configs_lock:
        if _font_configs:
            return _font_configs.pop()
    return FontConfiguration()


def _give_back_font_config(config: FontConfiguration) -> None:
    with _font_configs_lock:
        _font_configs.append(config)


def _limit(name: str, default: float, given: float | None) -> float:
    if given is not None:
        return given
    return current_app.config.get(name, default)


def render_document(html: str, *, timeout: float | None = None, max_pages: int | None = None) -> Document:
    """Lay out an HTML page (URLs such as url_for("static", ...) load the app's static files) within the limits.

    HTML over PDF_MAX_HTML_BYTES is refused before WeasyPrint sees it, a layout of more than PDF_MAX_PAGES pages
    is refused, and a layout running longer than PDF_TIMEOUT_SECONDS is stopped (in the main thread of a process,
    where a job worker runs its tasks; the job queue's own time limit, enforced by the worker's parent process,
    bounds everything else).
    """
    max_bytes = int(_limit("PDF_MAX_HTML_BYTES", MAX_HTML_BYTES, None))
    timeout = float(_limit("PDF_TIMEOUT_SECONDS", TIMEOUT_SECONDS, timeout))
    max_pages = int(_limit("PDF_MAX_PAGES", MAX_PAGES, max_pages))
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        raise PdfRenderError("too-large", max_bytes, f"{size} bytes of HTML")
    fetcher = static_url_fetcher()
    font_config = _take_font_config()
    with _deadline(timeout):
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            font_config=font_config)
    _give_back_font_config(font_config)
    if len(document.pages) > max_pages:
        raise PdfRenderError("too-many-pages", max_pages, f"{len(document.pages)} pages")
    return document


def write_pdf(documents: Sequence[Document], target=None, *, timeout: float | None = None) -> bytes | None:
    """One PDF of the pages of `documents`, in order (each keeps its own page numbers); with `target` (a path or a
    binary file) written there and None returned, so that large packs are never held in memory twice."""
    timeout = float(_limit("PDF_TIMEOUT_SECONDS", TIMEOUT_SECONDS, timeout))
    first = documents[0]
    combined = first if len(documents) == 1 else first.copy([page for doc in documents for page in doc.pages])
    with _deadline(timeout):
        return combined.write_pdf(target)


def render_pdf(html: str, *, timeout: float | None = None, max_pages: int | None = None,
               target=None) -> bytes | None:
    """The PDF of an HTML page, within the limits of `render_document`."""
    return write_pdf([render_document(html, timeout=timeout, max_pages=max_pages)], target, timeout=timeout)


@contextmanager
def _deadline(seconds: float):
    """Stop the block with PdfRenderError("timeout") after `seconds`, by a timer signal to this process.

    The stop is asked again every STOP_REPEAT_SECONDS until it lands: one raised while a garbage-collection
    callback or a `__del__` runs is ignored by Python there. Only the main thread receives signals: elsewhere
    (a test's thread) the block runs unbounded, and the job queue's hard time limit is what stops a runaway render.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    running = True

    def stop(signum, frame):
        if running:
            raise _RenderStopped

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, STOP_REPEAT_SECONDS)
    try:
        yield
    except _RenderStopped:
        raise PdfRenderError("timeout", seconds) from None
    finally:
        running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
