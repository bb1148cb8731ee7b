"""Quarters, the periods KPIs are reported and rewarded in: "2026-Q3"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


class InvalidPeriod(ValueError):
    """Not a quarter written like 2026-Q3."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match((text or "").strip().upper())
        if not match or int(match[1]) < 1:  # year 0 has no dates: "0000-Q1" was a server error in an import
            raise InvalidPeriod(text)
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter."""
        return date(self.year, 3 * self.quarter, 31 if self.quarter in (1, 4) else 30)

    def previous(self) -> Period:
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)

    def is_closed(self, today: date | None = None) -> bool:
        """Values are reported once a quarter is over."""
        return self.end < (today or date.today())


def is_period(text: str) -> bool:
    return bool(_PERIOD.match((text or "").strip().upper()))


def last_closed_period(today: date | None = None) -> Period:
    return Period.containing(today or date.today()).previous()


def recent_periods(count: int = 8, today: date | None = None) -> list[Period]:
    """The current quarter and the ones before it, newest first (for pickers)."""
    period = Period.containing(today or date.today())
    periods = []
    for _ in range(count):
        periods.append(period)
        period = period.previous()
    return periods
