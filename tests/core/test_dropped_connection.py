"""A database connection the server drops does not fail the next request.

With DB_CONN_MAX_AGE > 0 each web worker keeps its connection between requests. When
PostgreSQL drops it (restart, failover, an idle timeout), the next request must get a
fresh one instead of answering 500. The app runs under gunicorn in a child process,
so the real request cycle (request_started -> close_old_connections -> health check)
is what is tested, with the settings that DB_CONN_MAX_AGE=60 gives.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection

from core.models import User
from tests.factories import UserFactory
from tests.worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-enough-password-42"
APP_NAME = "crm-dropped-connection-test"

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(tmp_path, **extra_env):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_CONN"))}
    # libpq names the app's connections, so that only they are dropped (the suite's
    # live server keeps a connection of its own to the same database).
    env.update(
        DATABASE_URL=_database_url(),
        APP_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="true",
        PGAPPNAME=APP_NAME,
        **extra_env,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers=1", f"--bind=127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _drop_app_connections() -> int:
    """Terminate the server-side backends of the app under test (named by PGAPPNAME)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s",
            [APP_NAME],
        )
        return len(cursor.fetchall())


def _status(opener, request) -> int:
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _login_and_browse(base: str) -> tuple[int, int]:
    """Open the login page, drop the connection, log in; drop it again, open the home page.
    Return the status codes of the login POST and of the page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    _status(opener, urllib.request.Request(base + "/healthz"))  # the login page reads no table; this does
    assert _drop_app_connections() >= 1, "the app kept no connection open"
    form = urllib.parse.urlencode({"username": "zhang", "password": PASSWORD, "csrfmiddlewaretoken": token})
    login = _status(opener, urllib.request.Request(base + "/accounts/login/", data=form.encode(), method="POST"))
    _drop_app_connections()
    page = _status(opener, urllib.request.Request(base + "/"))
    return login, page


@pytest.fixture
def officer_with_password(postgres, team):
    # The child process hashes with the production hashers, not the tests' fast one.
    user = UserFactory(username="zhang", role=User.Role.OFFICER, team=team)
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def test_login_and_page_succeed_after_the_server_drops_kept_connections(officer_with_password, tmp_path):
    with gunicorn(tmp_path, DB_CONN_MAX_AGE="60") as base:
        login, page = _login_and_browse(base)
    assert login == 302
    assert page == 200


def test_without_health_checks_the_same_drop_fails_the_next_request(officer_with_password, tmp_path):
    """The control: this is the failure the health checks prevent."""
    with gunicorn(tmp_path, DB_CONN_MAX_AGE="60", DB_CONN_HEALTH_CHECKS="false") as base:
        login, _page = _login_and_browse(base)
    assert login == 500
