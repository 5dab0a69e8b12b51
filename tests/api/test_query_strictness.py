"""Query strings and bodies that do not fit the schema answer 400 JSON, not a quiet default
or a server error (found by schemathesis, .ci/schemathesis)."""

from __future__ import annotations

import pytest

from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "page=1&page=2",
        "page=0",
        "page=abc",
        "page_size=abc",
        "page_size=0",
        "page_size=201",
        "page_size=10&page_size=20",
        "organisation=1&organisation=2",
        "is_active=maybe",
        "owner=99999999999999999999999",
        "ordering=name&ordering=id",
    ],
)
def test_contacts_list_refuses_a_query_the_schema_does_not_allow(client_for, officer, query):
    response = client_for(officer).get(f"/api/v1/contacts/?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] and body["message"]


@pytest.mark.parametrize(
    "query",
    ["signed_year=0", "signed_year=100000", "team=99999999999999999999", "is_major=1", "stage=lead&stage=signed"],
)
def test_projects_list_query_values(client_for, officer, query):
    response = client_for(officer).get(f"/api/v1/projects/?{query}")
    expected = 200 if query.startswith("stage=") else 400  # multiple-choice filters repeat
    assert response.status_code == expected, response.content


def test_notifications_unread_must_be_a_boolean(client_for, officer):
    client = client_for(officer)
    assert client.get("/api/v1/notifications/?unread=true").status_code == 200
    assert client.get("/api/v1/notifications/?unread=yes").status_code == 400
    assert client.get("/api/v1/notifications/?page=2").status_code == 404


def test_a_page_past_the_end_is_a_json_404(client_for, officer):
    response = client_for(officer).get("/api/v1/contacts/?page=9")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_path_answers_json_404_to_any_method(client_for, officer):
    response = client_for(officer).post("/api/v1/projects/0.5/change-stage/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_form_bodies_are_refused(client_for, admin_user):
    response = client_for(admin_user).post("/api/v1/parks/", {"name": "园区"}, format="multipart")
    assert response.status_code == 415


def test_team_name_is_null_without_a_team_even_in_a_partial_update(client_for, admin_user):
    organisation = OrganisationFactory(owner=admin_user, team=None)
    client = client_for(admin_user)
    response = client.patch(
        f"/api/v1/organisations/{organisation.pk}/",
        {"city": "无锡"},
        format="json",
        HTTP_IF_MATCH=f'"{organisation.version}"',
    )
    assert response.status_code == 200, response.content
    assert response.json()["team_name"] is None


def test_held_stage_is_blank_when_not_on_hold(client_for, officer):
    project = ProjectFactory(owner=officer)
    assert client_for(officer).get(f"/api/v1/projects/{project.pk}/").json()["held_stage"] == ""


@pytest.mark.parametrize("query", ["date_before=", "kind=", "organisation="])
def test_an_empty_filter_value_is_refused(client_for, officer, query):
    assert client_for(officer).get(f"/api/v1/visits/?{query}").status_code == 400


def test_q_may_be_empty(client_for, officer):
    assert client_for(officer).get("/api/v1/visits/?q=").status_code == 200


def test_an_empty_if_match_is_refused(client_for, officer):
    organisation = OrganisationFactory(owner=officer)
    response = client_for(officer).patch(
        f"/api/v1/organisations/{organisation.pk}/", {"city": "无锡"}, format="json", HTTP_IF_MATCH=""
    )
    assert response.status_code == 400
    assert response.json()["field"] == "If-Match"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "园区", "name_en": 0}, "name_en"),
        ({"name": "园区", "is_active": 0}, "is_active"),
        ({"name": 5}, "name"),
    ],
)
def test_body_values_must_have_their_json_type(client_for, admin_user, body, field):
    response = client_for(admin_user).post("/api/v1/parks/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_mark_read_refuses_ids_beyond_the_database(client_for, officer):
    response = client_for(officer).post("/api/v1/notifications/mark-read/", {"ids": [2**70]}, format="json")
    assert response.status_code == 400


def test_max_length_counts_the_whitespace_sent(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/v1/parks/", {"name": "园区", "address": "\x0b" + "a" * 300}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "address"
