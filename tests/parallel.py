"""Runs the suite on several processes (pytest-xdist) without them meeting.

Loaded with `-p tests.parallel` (pyproject's addopts), before Django reads its settings,
so that each xdist worker (gw0, gw1, ...) gets a var folder of its own (the file broker,
the SQLite test database, the import progress cache) and, on Redis, a broker database of
its own: a Celery worker started by one test process never takes a task that another
enqueued. PostgreSQL test databases get their _gw0, _gw1 suffix from pytest-django.

A test marked `serial` would disturb the others (it stops the shared Redis server): a
run with workers (-n) leaves it out, and `--serial-only` runs just those, in one
process; `make test` does both, one after the other.
"""

from __future__ import annotations

import os
import re

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _number = int(_worker.removeprefix("gw"))
    os.environ["APP_VAR_DIR"] = os.path.join(os.environ.get("APP_VAR_DIR", "var"), _worker)
    _redis = re.fullmatch(r"(rediss?://[^/]*/)(\d+)", os.environ.get("CELERY_BROKER_URL", ""))
    if _redis:
        # Downwards from the run's database (15, 14, ...), which stays the first worker's.
        os.environ["CELERY_BROKER_URL"] = f"{_redis[1]}{max(int(_redis[2]) - _number, 0)}"


def pytest_addoption(parser):
    parser.addoption("--serial-only", action="store_true", help="run only the tests marked serial")


def pytest_collection_modifyitems(config, items):
    only_serial = config.getoption("--serial-only")
    with_workers = bool(getattr(config.option, "numprocesses", None)) or _worker is not None
    if not only_serial and not with_workers:
        return
    keep, drop = [], []
    for item in items:
        serial = item.get_closest_marker("serial") is not None
        (keep if serial == only_serial else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
