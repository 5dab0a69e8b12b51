"""The agreements API: the same services and visibility as the pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from agreements.models import Agreement
from tests.agreements.helpers import make_agreement, signed_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_an_agreement_is_recorded_changed_and_its_figures_entered_through_the_api(officer, frozen_today):
    project = signed_project(officer)
    client = api(officer)
    body = {
        "project": project.pk,
        "signed_on": "2023-12-01",
        "land_mu": "50.00",
        "fixed_asset_investment": "40000.00",
        "annual_output": "90000.00",
        "due_year": 2023,
    }
    created = client.post("/api/v1/agreements/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["investment_intensity"] == "800.00"
    assert sorted(check["kind"] for check in data["checks"]) == ["investment", "output"]
    assert {check["status"] for check in data["checks"]} == {"late"}

    stale = client.patch(
        f"/api/v1/agreements/{data['id']}/", {"annual_tax": "4000.00"}, format="json", HTTP_IF_MATCH='"7"'
    )
    assert stale.status_code == 412
    changed = client.patch(
        f"/api/v1/agreements/{data['id']}/", {"annual_tax": "4000.00"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    tax = next(check for check in changed.json()["checks"] if check["kind"] == "tax")

    recorded = client.post(f"/api/v1/promise-checks/{tax['id']}/record/", {"actual": "3000"}, format="json")
    assert recorded.status_code == 200
    assert (recorded.json()["status"], recorded.json()["ratio"]) == ("not_met", "75.0")
    missed = client.get("/api/v1/promise-checks/", {"status": ["late", "not_met"]}).json()
    assert sorted(row["kind"] for row in missed["results"]) == ["investment", "output", "tax"]


def test_bad_input_is_a_400_in_the_users_words_and_nothing_is_kept(officer, frozen_today):
    project = signed_project(officer)
    body = {
        "project": project.pk,
        "signed_on": "2023-12-01",
        "land_mu": "0",
        "fixed_asset_investment": "1",
        "due_year": 2024,
    }
    answer = api(officer).post("/api/v1/agreements/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    assert answer.json()["field"] == "land_mu"
    assert not Agreement.objects.exists()


def test_a_confidential_projects_agreement_is_hidden_from_the_api(officer, other_officer, frozen_today):
    secret_project = signed_project(officer, is_confidential=True)
    secret = make_agreement(secret_project, officer, due_year=2023)
    check = secret.checks.first()
    client = api(other_officer)
    assert client.get(f"/api/v1/agreements/{secret.pk}/").status_code == 404
    assert client.get(f"/api/v1/promise-checks/{check.pk}/").status_code == 404
    assert client.post(f"/api/v1/promise-checks/{check.pk}/record/", {"actual": "1"}, format="json").status_code == 404
    assert client.get("/api/v1/agreements/").json()["count"] == 0
    assert client.get("/api/v1/promise-checks/").json()["count"] == 0
    # Naming the hidden project reads like an id nobody has.
    body = {
        "project": secret_project.pk,
        "signed_on": "2023-12-01",
        "land_mu": "5",
        "fixed_asset_investment": "1",
        "due_year": 2024,
    }
    answer = client.post("/api/v1/agreements/", body, format="json")
    assert answer.status_code == 400 and answer.json()["field"] == "project"


def test_another_team_reads_but_cannot_change(officer, other_officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer, due_year=2023)
    client = api(other_officer)
    assert client.get(f"/api/v1/agreements/{agreement.pk}/").status_code == 200
    assert client.patch(f"/api/v1/agreements/{agreement.pk}/", {"jobs": 5}, format="json").status_code == 403
    check = agreement.checks.first()
    assert client.post(f"/api/v1/promise-checks/{check.pk}/record/", {"actual": "1"}, format="json").status_code == 403
