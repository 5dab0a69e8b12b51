"""A list costs the same number of queries for 3 rows as for 9."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.notifications import Message, notify
from projects.models import Replan, StageChange
from tests.factories import (
    ContactFactory,
    MissionFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
)


def _make(resource: str, owner, n: int) -> None:
    for _ in range(n):
        if resource == "projects":
            project = ProjectFactory(owner=owner)
            StageChange.objects.create(
                project=project, from_stage="lead", to_stage="negotiating", reached_on=project.lead_on, changed_by=owner
            )
            Replan.objects.create(
                project=project,
                stage="signed",
                old_date="2030-01-01",
                new_date="2030-02-01",
                reason="r",
                changed_by=owner,
            )
        elif resource == "organisations":
            organisation = OrganisationFactory(owner=owner)
            organisation.qualifications.create(kind="high_tech", year=2023)
        elif resource == "contacts":
            ContactFactory(organisation=OrganisationFactory(owner=owner))
        elif resource == "missions":
            mission = MissionFactory(owner=owner)
            mission.participants.add(owner, UserFactory(team=owner.team))
        elif resource == "visits":
            visit = VisitFactory(owner=owner)
            visit.officers.add(owner)
            visit.contacts.add(ContactFactory(organisation=visit.organisation))
        elif resource == "notifications":
            notify([Message(recipient=owner, key=f"k{UserFactory().pk}", title="提醒")])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "resource,urls",
    [
        ("projects", ["/api/v1/projects/", "/api/v1/stage-changes/", "/api/v1/replans/"]),
        ("organisations", ["/api/v1/organisations/"]),
        ("contacts", ["/api/v1/contacts/"]),
        ("missions", ["/api/v1/missions/"]),
        ("visits", ["/api/v1/visits/"]),
        ("notifications", ["/api/v1/notifications/"]),
    ],
)
def test_list_queries_do_not_grow_with_rows(resource, urls, officer, client_for):
    client = client_for(officer)
    _make(resource, officer, 3)
    few = [_queries(client, url) for url in urls]
    _make(resource, officer, 6)
    assert client.get(urls[0]).json()["count"] == 9
    assert [_queries(client, url) for url in urls] == few


def test_a_list_past_the_count_bound_says_its_count_is_not_exact_and_pages_on(client_for, officer, monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination, "COUNT_BOUND", 3)
    _make("visits", officer, 5)
    client = client_for(officer)
    first = client.get("/api/v1/visits/?page_size=2").json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (4, False, 2)
    assert first["next"].endswith("page=2&page_size=2")
    # The last page is counted to its end: the count is exact there.
    last = client.get("/api/v1/visits/?page_size=2&page=3").json()
    assert (last["count"], last["count_exact"], len(last["results"]), last["next"]) == (5, True, 1, None)
    assert client.get("/api/v1/visits/?page_size=2&page=4").status_code == 404
    # A page of 50 counts at least two pages' worth: five visits are counted exactly.
    whole = client.get("/api/v1/visits/").json()
    assert (whole["count"], whole["count_exact"]) == (5, True)
