"""A mission's countries are ISO codes: anything else is a 400 in the user's language, never a 500."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["²", "XX", "1"])
def test_a_country_that_is_no_code_is_refused(code):
    from rest_framework.test import APIClient

    from core.models import User

    client = APIClient()
    client.force_authenticate(UserFactory(role=User.Role.ADMIN))
    body = {
        "title": "欧洲招商",
        "kind": "overseas",
        "region": "europe",
        "countries": ["DE", code],
        "start_date": "2026-03-01",
        "end_date": "2026-03-05",
    }
    response = client.post("/api/v1/missions/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "countries"


def test_country_codes_are_taken_in_either_case():
    from rest_framework.test import APIClient

    from core.models import User

    client = APIClient()
    client.force_authenticate(UserFactory(role=User.Role.ADMIN))
    body = {
        "title": "日韩招商",
        "kind": "overseas",
        "region": "japan_korea",
        "countries": ["jp", "KR"],
        "start_date": "2026-03-01",
        "end_date": "2026-03-05",
    }
    response = client.post("/api/v1/missions/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["countries"] == ["JP", "KR"]
