"""The project list's date-range, signed and mission-region filters (the reports link
every number to the list narrowed by them), on the web list and the API alike."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import MissionFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 15)


def names(client, query: str) -> set[str]:
    answer = client.get(f"/api/v1/projects/?{query}&page_size=200")
    assert answer.status_code == 200, answer.content
    return {row["name"] for row in answer.json()["results"]}


@pytest.fixture
def pipeline(officer):
    japan = MissionFactory(owner=officer, region="japan_korea")
    europe = MissionFactory(owner=officer, region="europe")
    return {
        "started in March": ProjectFactory(
            owner=officer,
            name="三月开工",
            signed_on=DAY - dt.timedelta(days=60),
            started_on=DAY,
            stage="started",
            signed_amount=1000,
            source_mission=japan,
        ),
        "started in April": ProjectFactory(
            owner=officer,
            name="四月开工",
            signed_on=DAY - dt.timedelta(days=30),
            started_on=DAY + dt.timedelta(days=20),
            stage="started",
            signed_amount=1000,
            source_mission=europe,
        ),
        "planned in March": ProjectFactory(
            owner=officer, name="三月计划开工", stage="negotiating", started_planned=DAY + dt.timedelta(days=2)
        ),
    }


def test_a_stage_reached_in_a_range(client, officer, pipeline):
    client.force_login(officer)
    assert names(client, "started_after=2025-03-01&started_before=2025-03-31") == {"三月开工"}
    assert names(client, "started_after=2025-03-01") == {"三月开工", "四月开工"}


def test_a_planned_date_in_a_range(client, officer, pipeline):
    client.force_login(officer)
    assert names(client, "started_planned_after=2025-03-01&started_planned_before=2025-03-31") == {"三月计划开工"}


def test_signed_at_any_time_and_not_yet(client, officer, pipeline):
    client.force_login(officer)
    assert names(client, "is_signed=true") == {"三月开工", "四月开工"}
    assert names(client, "is_signed=false") == {"三月计划开工"}


def test_the_region_of_the_mission_a_project_came_from(client, officer, pipeline):
    client.force_login(officer)
    assert names(client, "mission_region=japan_korea") == {"三月开工"}
    assert names(client, "mission_region=japan_korea&mission_region=europe") == {"三月开工", "四月开工"}


def test_the_web_list_counts_the_same(client, officer, pipeline):
    client.force_login(officer)
    page = client.get(reverse("projects:project_list") + "?started_after=2025-03-01&started_before=2025-03-31")
    assert page.status_code == 200
    assert page.context["result"].count == 1


def test_projects_with_no_park_or_industry(client, officer, pipeline):
    from tests.factories import IndustryFactory, ParkFactory

    ProjectFactory(owner=officer, name="有园区有产业", park=ParkFactory(), industry=IndustryFactory())
    client.force_login(officer)
    without = {"三月开工", "四月开工", "三月计划开工"}  # the pipeline's projects have neither
    assert names(client, "unset=park") == without
    assert names(client, "unset=park&unset=industry") == without
    assert "有园区有产业" in names(client, "")
