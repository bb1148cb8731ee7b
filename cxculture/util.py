"""Small helpers shared by every area."""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from datetime import UTC, datetime


def slugify(text: str) -> str:
    """A name as a file name's part: ASCII letters and digits joined by hyphens ("Niccolò Rossi" -> "niccolo-rossi")."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def utcnow() -> datetime:
    """The current time in UTC, naive, as every DateTime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class PageCache:
    """A small thread-safe least-recently-used map, for rendered pages that never change once made (the caller's
    key must change whenever the page would). A None key is never kept."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if key is None:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        if key is None:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
