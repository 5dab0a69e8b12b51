"""A real Celery worker process for tests, on the broker and database of the run.

The worker is a separate process, so tests that use it need committed data
(`transactional_db`) and the test database must be one it can open (a file for
SQLite, see settings; the test database on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

from django.db import connection


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    raise RuntimeError(f"no worker support for {connection.vendor}")


@contextmanager
def celery_worker() -> Iterator[str]:
    """Start a worker on a queue of its own; yield the queue name; stop it after."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
        ],
        env=env,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until(condition: Callable[[], bool], *, seconds: float = 60) -> bool:
    """Poll until condition() is true or the deadline passes (a bound, not a speed check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


# --- Worker and beat processes that a test can kill (reminders, issue 4) ------------------


def celery_env(queue: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a test's Celery process: the test database, and `queue` as
    the default queue, so tasks that tasks (or beat) enqueue stay on the test's queue."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(extra or {}),
    }


class CeleryProcess:
    """A `celery worker` or `celery beat` in a process group of its own, so kill() and
    stop() also reach the children it starts (an embedded beat, pool processes)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", *self.args], env=self.env, start_new_session=True
        )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as when the machine runs out of memory: nothing gets to clean up."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=20)

    def stop(self, timeout: float = 20) -> None:
        if not self.alive:
            self.kill()  # reaps what is left of the group
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
        self.kill()


@contextmanager
def worker_process(
    *,
    queue: str | None = None,
    app: str = "config",
    beat: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[CeleryProcess]:
    """Start a worker (with beat embedded if asked) on `queue` (new if None); stop it after.

    The yielded object has `.queue`, `.kill()` (SIGKILL) and `.stop()`.
    """
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    folder = tempfile.mkdtemp(prefix="celery-test-")
    args = ["-A", app, "worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h"]
    if beat:
        args += ["--beat", "--schedule", os.path.join(folder, "beat-schedule")]
    worker = CeleryProcess(args, celery_env(queue, env))
    worker.queue = queue
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def beat_process(*, queue: str, env: dict[str, str] | None = None) -> Iterator[CeleryProcess]:
    """A stand-alone `celery beat` sending the schedule's tasks to `queue`."""
    folder = tempfile.mkdtemp(prefix="celery-beat-")
    args = ["-A", "config", "beat", "--loglevel=WARNING", "--max-interval", "1"]
    args += ["--schedule", os.path.join(folder, "beat-schedule")]
    beat = CeleryProcess(args, celery_env(queue, env)).start()
    try:
        yield beat
    finally:
        beat.stop()
        shutil.rmtree(folder, ignore_errors=True)
