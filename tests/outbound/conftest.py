from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from outbound.models import Channel
from tests.outbound.robots import SECRET, Robots

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def robots():
    with Robots() as server:
        yield server


@pytest.fixture
def channel_for(robots, db):
    """A stored channel of the given platform pointing at the stand-in server."""

    def make(platform: str, **fields) -> Channel:
        values = {
            "name": f"{platform} group",
            "platform": platform,
            "url": robots.url(platform),
            "secret": SECRET,
            "language": "en",
            **fields,
        }
        return Channel.objects.create(**values)

    return make


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
