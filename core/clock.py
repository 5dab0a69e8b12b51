"""Today's date, read once for a long piece of work instead of once per record.

`timezone.localdate()` looks up the active time zone in a thread-local store on each
call: about 25 µs, which an import of 10,000 rows paid some 90,000 times (every date
cell and every stage move asks whether a date is in the future). Inside
`same_day()` the services and the import share the date read when it began, so a long
import also judges every row against the same "today"; elsewhere `today()` is
`timezone.localdate()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_today: ContextVar[dt.date | None] = ContextVar("core_clock_today", default=None)


def today() -> dt.date:
    """The local date: the one fixed by `same_day()` if inside it, else the current one."""
    return _today.get() or timezone.localdate()


@contextlib.contextmanager
def same_day() -> Iterator[dt.date]:
    """Fix today's date for the work inside (one import step)."""
    token = _today.set(timezone.localdate())
    try:
        yield _today.get()
    finally:
        _today.reset(token)
