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
