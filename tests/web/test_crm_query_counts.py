"""Every crm page runs as many queries for 200 rows as for 10."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Qualification
from projects.models import StageChange
from tests.factories import (
    ContactFactory,
    MissionFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubs(officer):
    """An organisation and a mission that gather a row of everything below."""
    today = timezone.localdate()
    organisation = OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    mission = MissionFactory(
        title="日韩招商周",
        owner=officer,
        leader=officer,
        start_date=today - dt.timedelta(days=20),
        end_date=today - dt.timedelta(days=1),
    )
    visit = VisitFactory(organisation=organisation, owner=officer, mission=mission, date=mission.end_date)
    visit.officers.add(officer)
    return {"organisation": organisation, "mission": mission, "visit": visit}


def grow(hubs, officer, n: int) -> None:
    """n more rows on every list and on both hubs' pages."""
    organisation, mission = hubs["organisation"], hubs["mission"]
    for _ in range(n):
        colleague = UserFactory(team=officer.team)
        other = OrganisationFactory(owner=officer)
        Qualification.objects.create(organisation=other, kind="high_tech", year=2023)
        ContactFactory(organisation=other)
        contact = ContactFactory(organisation=organisation)
        MissionFactory(owner=colleague).participants.add(colleague)
        mission.participants.add(colleague)
        visit = VisitFactory(organisation=organisation, owner=officer, mission=mission, date=mission.start_date)
        visit.officers.add(officer, colleague)
        visit.contacts.add(contact)
        VisitFactory(organisation=other, owner=colleague, follow_up_on=timezone.localdate()).officers.add(colleague)
        project = ProjectFactory(owner=officer, investor=organisation, source_mission=mission)
        StageChange.objects.create(
            project=project, from_stage="lead", to_stage="negotiating", reached_on=project.lead_on, changed_by=officer
        )


def _pages(hubs) -> list[str]:
    organisation, mission, visit = hubs["organisation"], hubs["mission"], hubs["visit"]
    return [
        "/crm/organisations/",
        "/crm/organisations/?qualification=high_tech&has_active_project=false",
        f"/crm/organisations/{organisation.pk}/",
        f"/crm/organisations/{organisation.pk}/edit/",
        "/crm/contacts/",
        "/crm/missions/",
        "/crm/missions/?status=done",
        f"/crm/missions/{mission.pk}/",
        "/crm/visits/",
        "/crm/visits/?follow_up_open=true",
        "/crm/visits/new/",
        f"/crm/visits/new/?organisation={organisation.pk}&mission={mission.pk}",
        f"/crm/visits/{visit.pk}/edit/",
        f"/crm/visits/new/contacts/?organisation={organisation.pk}",
    ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_crm_pages_cost_the_same_for_10_and_200_rows(client, request, role, officer, hubs):
    client.force_login(request.getfixturevalue(role))
    pages = _pages(hubs)
    grow(hubs, officer, 10)
    # The clock stands still: the session's once-a-minute touch (accounts.middleware)
    # would otherwise add its writes to whichever request comes a minute later.
    with time_machine.travel(timezone.now(), tick=False):
        for url in pages:
            client.get(url)  # the first request of a session loads what later ones reuse
        few = {url: _queries(client, url) for url in pages}
        grow(hubs, officer, 190)
        many = {url: _queries(client, url) for url in pages}
    assert many == few
    # ...and the pages did show the rows.
    detail = client.get(f"/crm/organisations/{hubs['organisation'].pk}/")
    assert sum(entry.kind == "visit" for entry in detail.context["timeline"]) == 201
    assert len(client.get(f"/crm/missions/{hubs['mission'].pk}/").context["detail"].visits) == 201
