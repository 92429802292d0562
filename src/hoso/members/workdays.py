"""Working days for the transfer deadlines (60 and 30 working days).

Saturdays and Sundays are not working days; public holidays are data: the
setting `MEMBERS_HOLIDAYS` (a list of ISO dates, from `HOSO_MEMBERS_HOLIDAYS`).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _holidays(spec: tuple[str, ...]) -> frozenset[date]:
    return frozenset(date.fromisoformat(item) for item in spec if item)


def holidays() -> frozenset[date]:
    return _holidays(tuple(getattr(settings, "MEMBERS_HOLIDAYS", ()) or ()))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (`start` itself not counted)."""
    day = start
    remaining = count
    off = holidays()
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            remaining -= 1
    return day


def add_months(day: date, months: int) -> date:
    """Same day `months` later (the last day of the month when it is short)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def age_on(born: date, on: date) -> int:
    """Full years of age on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
