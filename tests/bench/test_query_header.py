"""The benchmark's view into the server: the query-count header and the floor page."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import QueryCountHeaderMiddleware
from core.models import User
from core.views import bench_floor

pytestmark = pytest.mark.django_db


def test_the_header_counts_the_queries_a_request_ran():
    def view(request):
        User.objects.count()
        User.objects.exists()
        return HttpResponse("ok")

    response = QueryCountHeaderMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def test_the_floor_page_needs_a_login(officer):
    request = RequestFactory().get("/bench/floor")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert bench_floor(request).status_code == 302
    request.user = officer
    assert bench_floor(request).content == f"ok {officer.pk}".encode()


def test_the_header_gives_the_cpu_time_the_request_took():
    def view(request):
        sum(n * n for n in range(200_000))  # some milliseconds of Python
        return HttpResponse("ok")

    response = QueryCountHeaderMiddleware(view)(RequestFactory().get("/"))
    assert float(response["X-CPU-Time"]) > 0

    idle = QueryCountHeaderMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert float(idle["X-CPU-Time"]) < float(response["X-CPU-Time"])


def middleware_first(bench_headers: str) -> str:
    """The first middleware of the settings as a server started with BENCH_HEADERS reads them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "import django; django.setup(); from django.conf import settings; print(settings.MIDDLEWARE[0])"
    env = {**os.environ, "BENCH_HEADERS": bench_headers, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_only_bench_headers_puts_the_headers_on_answers(client, settings):
    assert middleware_first("true") == "core.middleware.QueryCountHeaderMiddleware"
    assert middleware_first("false") != "core.middleware.QueryCountHeaderMiddleware"
    # This test's settings are the default ones: no header on an answer.
    assert not settings.BENCH_HEADERS
    from django.test import Client
    from django.urls import reverse

    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "X-CPU-Time" not in response.headers and "X-Query-Count" not in response.headers
    # The same page through the middleware BENCH_HEADERS adds (a new client loads it).
    settings.MIDDLEWARE = ["core.middleware.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]
    response = Client().get(reverse("login"))
    assert float(response.headers["X-CPU-Time"]) > 0 and int(response.headers["X-Query-Count"]) >= 0
