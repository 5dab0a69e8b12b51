"""One import step judges every row against the date it began on (core.clock)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core import clock


def test_inside_one_day_every_row_is_judged_against_the_same_date(time_machine):
    time_machine.move_to("2025-03-31 23:59:59+08:00", tick=False)
    with clock.same_day() as day:
        time_machine.move_to("2025-04-01 00:00:01+08:00", tick=False)
        assert clock.today() == day == timezone.localdate() - dt.timedelta(days=1)
    assert clock.today() == timezone.localdate()
