"""/api/v1/funds/: the same rules and the same visibility as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from funds.models import FundsEntry
from tests.funds.conftest import JUNE, MAY, entry

URL = "/api/v1/funds/"


@pytest.fixture(autouse=True)
def clean_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_an_officer_records_funds_and_reads_them_back(signed, officer):
    response = api(officer).post(
        URL, {"project": signed.pk, "month": "2024-05", "kind": "loan", "amount": "2500.50"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["month"], body["kind"], body["amount"], body["project_name"]) == (
        "2024-05-01",
        "loan",
        "2500.50",
        "村田新工厂",
    )
    assert api(officer).get(f"{URL}{body['id']}/").json()["amount"] == "2500.50"


def test_a_future_month_is_a_400_with_the_rule_in_words(signed, officer):
    client = api(officer)
    body = {"project": signed.pk, "month": "2024-08-01", "amount": "1"}
    response = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["field"] == "month"
    assert response.json()["message"] == "不能登记尚未开始的月份的到位资金。"
    english = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "not begun" in english.json()["message"]
    assert not FundsEntry.objects.exists()


def test_a_day_inside_the_month_is_refused(signed, officer):
    response = api(officer).post(URL, {"project": signed.pk, "month": "2024-05-15", "amount": "1"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "month"


def test_a_confidential_projects_funds_are_hidden_from_another_team(secret, signed, officer, other_officer, manager):
    hidden = entry(secret, MAY, 100)
    entry(signed, MAY, 200)
    assert [row["project_name"] for row in api(other_officer).get(URL).json()["results"]] == ["村田新工厂"]
    assert api(other_officer).get(f"{URL}{hidden.pk}/").status_code == 404
    assert api(other_officer).patch(f"{URL}{hidden.pk}/", {"amount": "1"}, format="json").status_code == 404
    # Recording funds on it reads as a project that does not exist.
    response = api(other_officer).post(URL, {"project": secret.pk, "month": "2024-05", "amount": "1"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "project"
    assert len(api(officer).get(URL).json()["results"]) == 2
    assert len(api(manager).get(URL).json()["results"]) == 2


def test_another_team_reads_but_may_not_change(signed, other_officer):
    saved = entry(signed, MAY, 100)
    assert api(other_officer).get(f"{URL}{saved.pk}/").status_code == 200
    assert api(other_officer).patch(f"{URL}{saved.pk}/", {"amount": "1"}, format="json").status_code == 403
    assert api(other_officer).delete(f"{URL}{saved.pk}/").status_code == 403
    response = api(other_officer).post(URL, {"project": signed.pk, "month": "2024-06", "amount": "1"}, format="json")
    assert response.status_code == 403
    saved.refresh_from_db()
    assert saved.amount == Decimal(100)


def test_the_team_corrects_and_removes_an_entry(signed, officer):
    saved = entry(signed, MAY, 100)
    response = api(officer).patch(f"{URL}{saved.pk}/", {"amount": "120", "note": "补录"}, format="json")
    assert response.status_code == 200, response.json()
    saved.refresh_from_db()
    assert (saved.amount, saved.note) == (Decimal(120), "补录")
    assert api(officer).delete(f"{URL}{saved.pk}/").status_code == 204
    assert not FundsEntry.objects.exists()


def test_the_list_filters_by_project_and_month(signed, foreign, officer):
    entry(signed, MAY, 1)
    entry(signed, JUNE, 2)
    entry(foreign, MAY, 3)
    client = api(officer)
    by_project = client.get(URL, {"project": signed.pk}).json()["results"]
    assert sorted(row["amount"] for row in by_project) == ["1.00", "2.00"]
    by_month = client.get(URL, {"month": "2024-05"}).json()["results"]
    assert sorted(row["amount"] for row in by_month) == ["1.00", "3.00"]
    both = client.get(URL, {"month": "2024-05-01", "project": foreign.pk}).json()["results"]
    assert [row["amount"] for row in both] == ["3.00"]


def test_the_list_costs_the_same_queries_for_more_entries(signed, foreign, officer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(officer)
    entry(signed, MAY, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for month in range(1, 5):
        entry(foreign, MAY.replace(month=month), month)
        entry(signed, MAY.replace(month=month), month, kind="loan")
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(URL).json()["results"]) == 9
