"""Each project page runs as many queries with 200 projects as with 10 (and so does My work)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import services
from tests.factories import (
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
    project_in_stage,
)

pytestmark = pytest.mark.django_db

STAGES = ["lead", "negotiating", "signed", "started", "completed", "producing", "on_hold"]


def _add_projects(officer, n: int) -> None:
    """n projects of the officer's team spread over the stages, some late, with
    several investors, officers, industries and parks (as the pages show them)."""
    today = timezone.localdate()
    colleagues = [officer, UserFactory(team=officer.team)]
    investors = [OrganisationFactory(owner=officer) for _ in range(3)]
    industries, parks = [IndustryFactory() for _ in range(2)], [ParkFactory() for _ in range(2)]
    mission = MissionFactory(owner=officer)
    for i in range(n):
        stage = STAGES[i % len(STAGES)]
        common = {
            "owner": colleagues[i % 2],
            "investor": investors[i % 3],
            "industry": industries[i % 2],
            "park": parks[i % 2],
            "source_mission": mission,
            "total_investment": Decimal(5000 + 1000 * i),
            "is_major": i % 5 == 0,
        }
        if stage == "lead":
            ProjectFactory(signed_planned=today - dt.timedelta(days=i % 100 + 1), **common)
        else:
            project_in_stage(stage, completed_planned=today + dt.timedelta(days=i % 40), **common)
        visit = VisitFactory(organisation=investors[i % 3], owner=officer, follow_up_on=today + dt.timedelta(days=3))
        visit.officers.add(officer)


def _queries(client, url: str) -> int:
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_project_page_runs_the_same_queries_with_10_and_200_projects(client, officer, reminder_rules):
    _add_projects(officer, 10)
    watched = ProjectFactory(owner=officer, signed_planned=timezone.localdate() + dt.timedelta(days=20))
    services.project_change_stage(project=watched, to_stage="negotiating", on=timezone.localdate(), by=officer)
    watched.total_investment = Decimal("9000")
    services.project_save(project=watched, by=officer)
    visit = VisitFactory(owner=officer)
    client.force_login(officer)
    urls = [
        "/",
        reverse("projects:project_list"),
        reverse("projects:project_list") + "?stage=signed&stage=started&is_major=true&overdue=any&sort=-investment",
        reverse("projects:project_list") + "?page=2",
        reverse("projects:board"),
        reverse("projects:board") + f"?team={officer.team_id}&overdue=any",
        reverse("projects:project_detail", args=[watched.pk]),
        reverse("projects:project_create") + f"?visit={visit.pk}",
        reverse("projects:project_update", args=[watched.pk]),
        reverse("projects:project_stage", args=[watched.pk]) + "?to=signed",
    ]
    few = {url: _queries(client, url) for url in urls}
    _add_projects(officer, 190)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    # And they stay small: nothing here runs a query per row.
    assert max(few.values()) < 30, few
