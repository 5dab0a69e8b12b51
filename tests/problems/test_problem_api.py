"""The problems API: raise, read, change the status, with the rules of the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from problems.models import Problem
from tests.problems.conftest import make_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("problem_rules")]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_raise_and_close_a_problem(officer, producing, department):
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    created = api(officer).post(
        "/api/v1/problems/",
        {"project": producing.pk, "title": "施工许可", "kind": "permits", "department": department.pk, "due_on": due},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["raised_by"], body["department_name"], body["level"]) == (
        "open",
        officer.pk,
        "自然资源和规划局",
        "",
    )
    url = f"/api/v1/problems/{body['id']}/change-status/"
    refused = api(officer).post(url, {"status": "solved"}, format="json")
    assert (refused.status_code, refused.json()["field"]) == (400, "resolution")
    done = api(officer).post(url, {"status": "solved", "resolution": "已发证"}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["closed_on"]) == ("solved", timezone.localdate().isoformat())


def test_read_only_for_another_team_and_hidden_when_confidential(other_officer, producing, secret, department):
    open_one = make_problem(producing, department)
    hidden = make_problem(secret, department)
    client = api(other_officer)
    listed = [row["id"] for row in client.get("/api/v1/problems/").json()["results"]]
    assert listed == [open_one.pk]
    assert client.get(f"/api/v1/problems/{hidden.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/problems/{hidden.pk}/change-status/", {"status": "open"}, format="json").status_code
        == 404
    )
    refused = client.post(f"/api/v1/problems/{open_one.pk}/change-status/", {"status": "in_progress"}, format="json")
    assert refused.status_code == 403
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    body = {"project": secret.pk, "title": "x", "kind": "other", "department": department.pk, "due_on": due}
    assert client.post("/api/v1/problems/", body, format="json").status_code == 400
    assert Problem.objects.count() == 2


def test_the_list_filters_like_the_page(officer, producing, department, power):
    make_problem(producing, department, title="用地", days_ago=100, due_in=-95)
    make_problem(producing, power, title="电力")
    client = api(officer)
    assert [row["title"] for row in client.get("/api/v1/problems/?age=red").json()["results"]] == ["用地"]
    assert [row["title"] for row in client.get(f"/api/v1/problems/?department={power.pk}").json()["results"]] == [
        "电力"
    ]
    assert client.get("/api/v1/problem-departments/").json()["count"] == 2
