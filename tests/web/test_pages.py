"""Every page opens for every role, and hidden projects stay hidden everywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ContactFactory,
    MissionFactory,
    OrganisationFactory,
    ProjectFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["officer", "manager", "admin_user"]


@pytest.fixture
def pages(officer, secret_project):
    organisation = secret_project.investor
    mission = MissionFactory(owner=officer)
    secret_project.source_mission = mission
    secret_project.save()
    VisitFactory(organisation=organisation, owner=officer, mission=None)
    return [
        reverse("home"),
        reverse("crm:organisation_list"),
        reverse("crm:organisation_list") + "?has_active_project=true",
        reverse("crm:organisation_detail", args=[organisation.pk]),
        reverse("crm:mission_list"),
        reverse("crm:mission_detail", args=[mission.pk]),
        reverse("crm:visit_create"),
        reverse("crm:organisation_autocomplete") + "?q=隐秘",
        reverse("crm:visit_list"),
        reverse("crm:visit_list") + f"?organisation={organisation.pk}",
        reverse("crm:contact_list"),
        reverse("crm:organisation_create"),
        reverse("crm:contact_create", args=[organisation.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_opens_for_every_role(client, request, role, pages):
    client.force_login(request.getfixturevalue(role))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_pages_ask_anonymous_users_to_log_in(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]


def test_a_confidential_project_of_another_team_appears_on_no_page(client, officer, pages, secret_project):
    client.force_login(officer)
    for url in pages:
        assert "绝密扩产项目" not in client.get(url).content.decode(), url
    # ...and the filter "with an active project" does not give it away either.
    listed = client.get(reverse("crm:organisation_list") + "?has_active_project=true").content.decode()
    assert "隐秘集团有限公司" not in listed


def test_managers_see_the_confidential_project(client, other_manager, secret_project):
    client.force_login(other_manager)
    page = client.get(reverse("crm:organisation_detail", args=[secret_project.investor_id])).content.decode()
    assert "绝密扩产项目" in page


def test_my_work_shows_overdue_and_coming_milestones_follow_ups_and_visits(client, officer):
    today = timezone.localdate()
    ProjectFactory(name="逾期项目", owner=officer, signed_planned=today - dt.timedelta(days=3))
    ProjectFactory(name="将到项目", owner=officer, signed_planned=today + dt.timedelta(days=12))
    ProjectFactory(name="远期项目", owner=officer, signed_planned=today + dt.timedelta(days=90))
    VisitFactory(
        owner=officer,
        organisation=OrganisationFactory(name="跟进公司"),
        next_step="寄送园区政策",
        follow_up_on=today + dt.timedelta(days=2),
    )
    client.force_login(officer)
    response = client.get("/")
    work = response.context["work"]
    assert [m.project.name for m in work.overdue] == ["逾期项目"]
    assert [m.project.name for m in work.due_soon] == ["将到项目"]
    assert [visit.organisation.name for visit in work.follow_ups] == ["跟进公司"]
    page = response.content.decode()
    assert "寄送园区政策" in page
    assert {row["stage"]: row["n"] for row in work.stages}["lead"] == 3


def test_a_manager_sees_the_team_and_can_narrow_it(client, manager, officer, other_officer, other_team):
    ProjectFactory(name="本组项目", owner=officer)
    ProjectFactory(name="他组项目", owner=other_officer)
    manager.managed_teams.add(other_team)
    client.force_login(manager)
    everything = client.get("/").content.decode()
    assert "本组项目" in everything and "他组项目" in everything
    one_team = client.get(f"/?team={other_team.pk}").content.decode()
    assert "他组项目" in one_team and "本组项目" not in one_team
    mine = client.get("/?team=me").content.decode()
    assert "本组项目" not in mine


def test_officers_see_their_own_work_only(client, officer, colleague):
    ProjectFactory(name="同事的项目", owner=colleague)
    client.force_login(officer)
    assert "同事的项目" not in client.get("/").content.decode()


def _rows(officer, n):
    today = timezone.localdate()
    for i in range(n):
        organisation = OrganisationFactory(owner=officer)
        ContactFactory(organisation=organisation)
        mission = MissionFactory(owner=officer)
        visit = VisitFactory(
            organisation=organisation,
            owner=officer,
            mission=mission,
            date=mission.end_date,
            follow_up_on=today + dt.timedelta(days=1),
        )
        visit.officers.add(officer)
        ProjectFactory(
            owner=officer,
            investor=organisation,
            source_mission=mission,
            total_investment=Decimal("12000") * (i + 1),
            signed_planned=today - dt.timedelta(days=i + 1),
            started_planned=today + dt.timedelta(days=i + 1),
        )


@pytest.mark.parametrize("url", ["/", "/crm/organisations/", "/crm/missions/"])
def test_query_count_does_not_grow_with_rows(client, officer, url):
    client.force_login(officer)
    _rows(officer, 2)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _rows(officer, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_organisation_list_filters(client, officer):
    from crm.models import Organisation, Qualification

    japanese = OrganisationFactory(
        name="村田制作所", name_en="Murata Manufacturing", country="JP", kind=Organisation.Kind.COMPANY
    )
    Qualification.objects.create(organisation=japanese, kind=Qualification.Kind.HIGH_TECH, year=2023)
    OrganisationFactory(name="江南大学", name_en="Jiangnan University", kind=Organisation.Kind.UNIVERSITY)
    ProjectFactory(investor=japanese, owner=officer)
    client.force_login(officer)

    def names(query):
        response = client.get("/crm/organisations/?" + query)
        return [organisation.name for organisation in response.context["page"].object_list]

    assert names("q=murata") == ["村田制作所"]
    assert names("kind=university") == ["江南大学"]
    assert names("country=JP") == ["村田制作所"]
    assert names("qualification=high_tech") == ["村田制作所"]
    assert names("has_active_project=true") == ["村田制作所"]
    assert names("has_active_project=false") == ["江南大学"]


def test_organisation_timeline_is_one_list_newest_first(client, officer):
    today = timezone.localdate()
    organisation = OrganisationFactory(owner=officer)
    VisitFactory(organisation=organisation, owner=officer, date=today - dt.timedelta(days=30), summary="第一次拜访")
    VisitFactory(organisation=organisation, owner=officer, date=today - dt.timedelta(days=2), summary="第二次拜访")
    ProjectFactory(investor=organisation, owner=officer, name="扩产项目", lead_on=today - dt.timedelta(days=10))
    client.force_login(officer)
    response = client.get(reverse("crm:organisation_detail", args=[organisation.pk]))
    entries = response.context["timeline"]
    assert [entry.on for entry in entries] == sorted((entry.on for entry in entries), reverse=True)
    assert {entry.kind for entry in entries} >= {"visit", "project"}
    page = response.content.decode()
    assert page.index("第二次拜访") < page.index("扩产项目") < page.index("第一次拜访")


def test_mission_list_by_status_and_region_and_detail(client, officer):
    today = timezone.localdate()
    done = MissionFactory(title="已结束团组", owner=officer)
    under_way = MissionFactory(
        title="进行中团组",
        owner=officer,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=3),
        region="europe",
    )
    MissionFactory(
        title="将出发团组",
        owner=officer,
        start_date=today + dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=9),
    )
    under_way.participants.add(officer)
    visit = VisitFactory(mission=under_way, date=today, owner=officer, organisation=OrganisationFactory(name="博世"))
    visit.officers.add(officer)
    ProjectFactory(name="团组成果项目", source_mission=under_way, owner=officer, investor=visit.organisation)
    client.force_login(officer)

    def titles(query):
        return [m.title for m in client.get("/crm/missions/?" + query).context["page"].object_list]

    assert titles("status=upcoming") == ["将出发团组"]
    assert titles("status=under_way") == ["进行中团组"]
    assert titles("status=done") == [done.title]
    assert titles("region=europe") == ["进行中团组"]
    page = client.get(reverse("crm:mission_detail", args=[under_way.pk])).content.decode()
    assert "博世" in page and "团组成果项目" in page and str(officer) in page
