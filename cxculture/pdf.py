"""PDF rendering with WeasyPrint, allowed to read nothing but the app's own static files."""
from __future__ import annotations

import ctypes
import mimetypes
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from flask import current_app
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

#: The address relative URLs in PDF templates resolve against; it is never fetched over the network.
BASE_URL = "http://cxculture.invalid/"


#: Limits of one render; the app's PDF_MAX_HTML_BYTES, PDF_MAX_PAGES and PDF_TIMEOUT_SECONDS override them.
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_PAGES = 600
TIMEOUT_SECONDS = 60.0
#: How long a stopped render may take to unwind before the caller stops waiting for it.
STOP_GRACE_SECONDS = 2.0


class RefusedURL(ValueError):
    """A PDF template asked for something other than a static file of the app."""


class PdfRenderError(RuntimeError):
    """A render refused or stopped: code "too-large" (HTML), "too-many-pages" or "timeout"; `limit` is the limit."""

    def __init__(self, code: str, limit: float, detail: str = ""):
        super().__init__(f"PDF render stopped ({code}, limit {limit}){': ' + detail if detail else ''}")
        self.code = code
        self.limit = limit


class _RenderStopped(BaseException):
    """Raised inside a render thread that ran past its time (a BaseException, so that no `except Exception` in
    WeasyPrint's layout swallows it)."""


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


def render_pdf(html: str, *, timeout: float | None = None, max_pages: int | None = None,
               target=None) -> bytes | None:
    """The PDF of an HTML page; URLs such as url_for("static", ...) load the app's static files.

    A render that would run away is stopped with PdfRenderError: HTML over PDF_MAX_HTML_BYTES is refused before
    WeasyPrint sees it, a layout of more than PDF_MAX_PAGES pages is not written, and a render running longer than
    PDF_TIMEOUT_SECONDS is interrupted. With `target` (a path or a binary file) the PDF is written there and None
    is returned, so that large packs are never held in memory twice.
    """
    max_bytes = int(_limit("PDF_MAX_HTML_BYTES", MAX_HTML_BYTES, None))
    timeout = float(_limit("PDF_TIMEOUT_SECONDS", TIMEOUT_SECONDS, timeout))
    max_pages = int(_limit("PDF_MAX_PAGES", MAX_PAGES, max_pages))
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        raise PdfRenderError("too-large", max_bytes, f"{size} bytes of HTML")
    fetcher = static_url_fetcher()
    outcome: dict = {}
    finished = threading.Event()

    def work():
        font_config = _take_font_config()
        try:
            try:
                document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
                    font_config=font_config)
                if len(document.pages) > max_pages:
                    raise PdfRenderError("too-many-pages", max_pages, f"{len(document.pages)} pages")
                outcome["pdf"] = document.write_pdf(target)
                _give_back_font_config(font_config)
            except _RenderStopped:
                finished.set()  # its font configuration is dropped, not reused
                outcome["error"] = PdfRenderError("timeout", timeout)
            except BaseException as error:
                finished.set()
                outcome["error"] = error
                _give_back_font_config(font_config)
            finally:
                finished.set()
        except _RenderStopped:  # a second stop that landed while the first was being handled
            finished.set()
            outcome.setdefault("error", PdfRenderError("timeout", timeout))

    thread = threading.Thread(target=work, name="pdf-render", daemon=True)
    thread.start()
    if not finished.wait(timeout):
        # Asked again until it lands: a stop raised inside a garbage-collection callback is swallowed there.
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while not finished.is_set() and time.monotonic() < deadline:
            _stop(thread)
            finished.wait(0.05)
        _stop(thread, cancel=True)
        thread.join(STOP_GRACE_SECONDS)
        if "pdf" not in outcome:
            raise PdfRenderError("timeout", timeout)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["pdf"]


def _stop(thread: threading.Thread, cancel: bool = False) -> None:
    """Raise _RenderStopped inside `thread` at its next Python instruction (or cancel one still pending).

    WeasyPrint lays pages out in Python, so a runaway layout is interrupted within milliseconds; a single call
    into a C library finishes first, which the HTML size limit keeps short.
    """
    exception = None if cancel else ctypes.py_object(_RenderStopped)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), exception)
