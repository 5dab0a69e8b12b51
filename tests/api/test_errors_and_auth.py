"""Errors are JSON {code, message, field} in the request's language; tokens and sessions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import if_match
from tests.factories import ProjectFactory


def test_an_error_is_json_in_chinese_by_default(officer, other_officer, client_for):
    hidden = ProjectFactory(owner=other_officer, is_confidential=True)
    response = client_for(officer).get(f"/api/v1/projects/{hidden.pk}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。", "field": None}


def test_accept_language_asks_for_english(officer, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(officer).delete(
        f"/api/v1/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", **if_match(1)
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Only a manager of the project's team or an admin can delete a project.",
        "field": None,
    }


def test_a_domain_error_in_chinese_names_its_field(officer, client_for):
    project = ProjectFactory(owner=officer)
    response = client_for(officer).post(
        f"/api/v1/projects/{project.pk}/change-stage/",
        {"to_stage": "dropped", "on": "2000-01-01", "reason": "对方放弃"},
        **if_match(1),
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("date_before_previous", "on")
    assert "线索" in body["message"]


def test_a_validation_error_keeps_the_details(officer, client_for):
    response = client_for(officer).post("/api/v1/projects/", {"name": "缺投资方"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "required"
    assert body["field"] in body["errors"]
    assert body["message"] == "This field is required."


def test_not_logged_in_is_a_401(db):
    response = APIClient().get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"] == "身份认证信息未提供。"


def test_a_token_works_until_it_is_revoked(officer, client_for):
    project = ProjectFactory(owner=officer)
    session = client_for(officer)
    key = session.post("/api/v1/auth/token/").json()["key"]
    assert session.get("/api/v1/auth/token/").status_code == 200

    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert with_token.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    # A token needs no CSRF token: it is not a cookie the browser sends by itself.
    assert with_token.patch(f"/api/v1/projects/{project.pk}/", {"jobs": 5}, **if_match(1)).status_code == 200

    assert with_token.delete("/api/v1/auth/token/").status_code == 204
    response = with_token.get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert session.get("/api/v1/auth/token/").status_code == 404


def test_a_new_token_replaces_the_old_one(officer, client_for):
    session = client_for(officer)
    first = session.post("/api/v1/auth/token/").json()["key"]
    second = session.post("/api/v1/auth/token/").json()["key"]
    assert first != second
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/v1/projects/").status_code == 401


def test_a_session_write_needs_the_csrf_token(officer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post("/api/v1/organisations/", {"name": "无CSRF公司"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["message"]


@pytest.fixture
def tight_throttle():
    from rest_framework.throttling import UserRateThrottle

    old = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**old, "user": "3/minute"}
    yield
    UserRateThrottle.THROTTLE_RATES = old


def test_requests_are_throttled_per_user(officer, colleague, client_for, tight_throttle):
    client = client_for(officer)
    statuses = [client.get("/api/v1/parks/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/parks/").json()["code"] == "throttled"
    assert client_for(colleague).get("/api/v1/parks/").status_code == 200


def test_an_unknown_api_path_answers_json_not_a_web_page(client, officer):
    client.force_login(officer)
    for path in ["/api/v1/projects/abc/", "/api/v1/no-such-thing/", "/api/v2/"]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
