"""A retried create makes one record: web forms carry a token made when the form is
rendered, API POSTs an Idempotency-Key header; a retry answers as the first POST did."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from crm.models import Contact, Organisation, Visit
from projects.models import Project
from tests.factories import OrganisationFactory
from tests.web.test_crm_edits import organisation_data
from tests.web.test_visit_form import form_data as visit_data

pytestmark = pytest.mark.django_db


def token_of(page) -> str:
    match = re.search(r'name="idempotency_token" value="([0-9a-f]{32})"', page.content.decode())
    assert match, "the form carries no idempotency token"
    return match.group(1)


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def post_twice(client, url: str, data: dict):
    token = token_of(client.get(url))
    first = client.post(url, {**data, "idempotency_token": token})
    retry = client.post(url, {**data, "idempotency_token": token})
    return first, retry


# --- Web forms ------------------------------------------------------------------------------


def test_a_retried_visit_form_logs_one_visit_and_answers_as_the_first(client, officer):
    organisation = OrganisationFactory(name="村田（中国）投资有限公司")
    client.force_login(in_english(officer))
    first, retry = post_twice(client, reverse("crm:visit_create"), visit_data(organisation=organisation.pk))
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"] == reverse("crm:organisation_detail", args=[organisation.pk])
    assert Visit.objects.count() == 1
    page = client.get(retry["Location"]).content.decode()
    assert "not saved a second time" in page


def test_a_retried_organisation_form_makes_one_organisation(client, officer):
    client.force_login(officer)
    first, retry = post_twice(client, reverse("crm:organisation_create"), organisation_data())
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"]
    assert Organisation.objects.count() == 1


def test_a_retried_contact_form_makes_one_contact(client, officer):
    organisation = OrganisationFactory(owner=officer)
    client.force_login(officer)
    url = reverse("crm:contact_create", args=[organisation.pk])
    first, retry = post_twice(client, url, {"name": "田中", "is_active": "on"})
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"]
    assert Contact.objects.filter(organisation=organisation).count() == 1


def test_a_retried_project_form_makes_one_project(client, officer):
    investor = OrganisationFactory(owner=officer)
    client.force_login(officer)
    data = {
        "name": "村田新工厂",
        "investor": investor.pk,
        "kind": "new",
        "capital_origin": "foreign",
        "total_investment": "500000",
        "source_kind": "inquiry",
    }
    first, retry = post_twice(client, reverse("projects:project_create"), data)
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    assert retry.status_code == 302 and retry["Location"] == first["Location"]
    assert Project.objects.filter(name="村田新工厂").count() == 1


def test_a_new_form_is_a_new_record(client, officer):
    organisation = OrganisationFactory()
    client.force_login(officer)
    url = reverse("crm:visit_create")
    post_twice(client, url, visit_data(organisation=organisation.pk))
    post_twice(client, url, visit_data(organisation=organisation.pk))
    assert Visit.objects.count() == 2


def test_a_form_with_errors_keeps_its_token_and_saves_once_corrected(client, officer):
    organisation = OrganisationFactory()
    client.force_login(officer)
    url = reverse("crm:visit_create")
    token = token_of(client.get(url))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = client.post(url, {**visit_data(organisation=organisation.pk, date=tomorrow), "idempotency_token": token})
    assert refused.status_code == 200
    assert token_of(refused) == token
    saved = client.post(url, {**visit_data(organisation=organisation.pk), "idempotency_token": token})
    assert saved.status_code == 302
    assert Visit.objects.count() == 1


def test_a_form_sent_again_with_other_values_saves_nothing_more_and_says_so(client, officer):
    organisation = OrganisationFactory()
    client.force_login(in_english(officer))
    url = reverse("crm:visit_create")
    token = token_of(client.get(url))
    first = client.post(url, {**visit_data(organisation=organisation.pk), "idempotency_token": token})
    again = client.post(url, {**visit_data(organisation=organisation.pk, summary="改过"), "idempotency_token": token})
    assert again["Location"] == first["Location"]
    assert Visit.objects.count() == 1 and Visit.objects.get().summary != "改过"
    assert "was saved already" in client.get(again["Location"]).content.decode()


def test_edit_forms_carry_no_token(client, officer):
    organisation = OrganisationFactory(owner=officer)
    client.force_login(officer)
    page = client.get(reverse("crm:organisation_edit", args=[organisation.pk])).content.decode()
    assert "idempotency_token" not in page


# --- API ----------------------------------------------------------------------------------


@pytest.fixture
def api(officer):
    client = APIClient()
    client.force_login(officer)
    return client


def test_an_api_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(api, officer):
    organisation = OrganisationFactory(owner=officer)
    body = {
        "organisation": organisation.pk,
        "date": "2024-03-01",
        "kind": "outgoing",
        "summary": "扩产",
        "intention": "high",
    }
    key = str(uuid.uuid4())
    first = api.post("/api/v1/visits/", body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    retry = api.post("/api/v1/visits/", body, HTTP_IDEMPOTENCY_KEY=key)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["ETag"] == first["ETag"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1
    # Without a key, or with a new one, a POST is a new visit.
    assert api.post("/api/v1/visits/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())).status_code == 201
    assert Visit.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_with_422(api):
    key = "order-7"
    assert api.post("/api/v1/organisations/", {"name": "甲公司"}, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    response = api.post(
        "/api/v1/organisations/", {"name": "乙公司"}, HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] is None
    assert "different request" in response.json()["message"]
    assert list(Organisation.objects.values_list("name", flat=True)) == ["甲公司"]


def test_a_key_is_per_user(api, colleague):
    key = "shared-key"
    assert api.post("/api/v1/organisations/", {"name": "甲公司"}, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = APIClient()
    other.force_login(colleague)
    assert other.post("/api/v1/organisations/", {"name": "甲公司二"}, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert Organisation.objects.count() == 2


def test_a_failed_request_keeps_no_key_so_the_corrected_one_goes_through(api):
    key = "fix-and-retry"
    refused = api.post("/api/v1/organisations/", {"name": ""}, HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert api.post("/api/v1/organisations/", {"name": "甲公司"}, HTTP_IDEMPOTENCY_KEY=key).status_code == 201


def test_a_garbled_key_is_a_bad_request(api):
    response = api.post("/api/v1/organisations/", {"name": "甲公司"}, HTTP_IDEMPOTENCY_KEY="has space")
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert not Organisation.objects.exists()


def test_keys_expire_after_a_day(api, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api.post("/api/v1/organisations/", {"name": "甲公司"}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        api.force_login(officer)  # the session itself ended meanwhile
        assert api.post("/api/v1/organisations/", {"name": "乙公司"}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert IdempotencyKey.objects.count() == 1
    assert Organisation.objects.count() == 2


def test_the_schema_documents_the_header_on_posts(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    post = schema["paths"]["/api/v1/visits/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert "422" in post["responses"]
    get = schema["paths"]["/api/v1/visits/"]["get"]
    assert not any(p["name"] == "Idempotency-Key" for p in get.get("parameters", []))


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_make_one_record(postgres, officer):
    organisation = OrganisationFactory(owner=officer)
    body = {
        "organisation": organisation.pk,
        "date": "2024-03-01",
        "kind": "outgoing",
        "summary": "扩产",
        "intention": "high",
    }
    key = str(uuid.uuid4())
    barrier = threading.Barrier(8)
    answers: list = []

    def post() -> None:
        client = APIClient()
        client.force_login(officer)
        barrier.wait()
        try:
            response = client.post("/api/v1/visits/", body, HTTP_IDEMPOTENCY_KEY=key)
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Visit.objects.count() == 1
    assert [status for status, _body in answers] == [201] * 8
    assert len({body["id"] for _status, body in answers}) == 1
