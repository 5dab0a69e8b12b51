"""The web lists and the API lists filter with the same FilterSets: for the same query
string they count the same rows, for an officer and for a manager alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Mission, Organisation, Qualification, Visit
from tests.factories import (
    ContactFactory,
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    VisitFactory,
    credit_code,
    project_in_stage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(officer, colleague, other_officer, manager):
    """A small zone where every filter below keeps some rows and drops others."""
    today = timezone.localdate()
    iot = IndustryFactory(name="物联网")
    sensors = IndustryFactory(name="传感器", parent=iot, level="chain")
    park = ParkFactory(name="中国物联网国际创新园")
    murata = OrganisationFactory(
        name="村田（中国）投资有限公司",
        name_en="Murata (China) Investment",
        country="JP",
        industry=sensors,
        park=park,
        is_in_zone=True,
        credit_code=credit_code(903131),
        owner=officer,
    )
    Qualification.objects.create(organisation=murata, kind="little_giant", year=2023)
    bosch = OrganisationFactory(name="博世（中国）投资有限公司", name_en="Bosch China", country="DE", owner=colleague)
    Qualification.objects.create(organisation=bosch, kind="high_tech", year=2022)
    jiangnan = OrganisationFactory(
        name="江南大学", name_en="Jiangnan University", kind=Organisation.Kind.UNIVERSITY, industry=iot, owner=manager
    )
    listed = OrganisationFactory(name="先导智能", exchange="SZSE", stock_code="300450", owner=other_officer)
    secret = OrganisationFactory(name="隐秘集团有限公司", owner=other_officer)
    OrganisationFactory(name="空壳公司", owner=other_officer, credit_code="")

    ProjectFactory(owner=officer, investor=murata)
    ProjectFactory(owner=other_officer, investor=secret, is_confidential=True)
    project_in_stage("dropped", owner=colleague, investor=bosch)
    project_in_stage("producing", owner=other_officer, investor=listed)

    done = MissionFactory(title="2024日韩招商周", owner=officer, countries=["JP", "KR"], cities="东京、首尔")
    done.participants.add(officer, colleague)
    under_way = MissionFactory(
        title="德国招商团",
        region=Mission.Region.EUROPE,
        kind=Mission.Kind.EXHIBITION,
        countries=["DE"],
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=3),
        owner=other_officer,
        leader=manager,
    )
    MissionFactory(
        title="香港推介会",
        region=Mission.Region.HK_MACAU,
        start_date=today + dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=22),
        owner=colleague,
    )
    MissionFactory(title="上海驻点", region=Mission.Region.DOMESTIC, owner=other_officer, countries=["CN"])

    tanaka = ContactFactory(organisation=murata, name="田中部长", title="部长", owner=officer)
    ContactFactory(organisation=murata, name="佐藤", is_active=False, owner=officer)
    ContactFactory(organisation=bosch, name="Müller", email="mueller@example.com", owner=colleague)
    ContactFactory(organisation=jiangnan, name="王教授", owner=manager)

    first = VisitFactory(
        organisation=murata,
        owner=officer,
        mission=done,
        date=done.start_date,
        intention=Visit.Intention.HIGH,
        next_step="寄送土地资料",
        follow_up_on=today,
    )
    first.officers.add(officer, colleague)
    first.contacts.add(tanaka)
    VisitFactory(organisation=murata, owner=officer, date=today - dt.timedelta(days=40)).officers.add(officer)
    received = VisitFactory(
        organisation=bosch,
        owner=colleague,
        kind=Visit.Kind.RECEIVED,
        date=today,
        mission=under_way,
        follow_up_on=today + dt.timedelta(days=3),
        follow_up_done_on=today,
        location="慕尼黑",
    )
    received.officers.add(colleague)
    VisitFactory(organisation=jiangnan, owner=other_officer, date=today - dt.timedelta(days=90), summary="产学研合作")
    return {
        "iot": iot,
        "park": park,
        "murata": murata,
        "done": done,
        "under_way": under_way,
        "tanaka": tanaka,
        "today": today,
    }


def _both_counts(client, web_url: str, api_url: str, query: str) -> tuple[int, int]:
    web = client.get(f"{web_url}?{query}")
    assert web.status_code == 200, (web_url, query)
    api = client.get(f"{api_url}?{query}")
    assert api.status_code == 200, (api_url, query, api.content)
    return web.context["page"].paginator.count, api.json()["count"]


def _agree(client, web_url: str, api_url: str, queries: dict[str, int | None]) -> None:
    """Every query counts the same on both; where a number is given, it is that number
    (so that the comparison is not between two empty lists)."""
    for query, expected in queries.items():
        web, api = _both_counts(client, web_url, api_url, query)
        assert web == api, f"{web_url}?{query}: web {web}, API {api}"
        if expected is not None:
            assert web == expected, f"{web_url}?{query}: {web} rows, expected {expected}"


ROLES = ["officer", "manager"]


@pytest.mark.parametrize("role", ROLES)
def test_organisation_filters_agree(client, request, role, zone):
    client.force_login(request.getfixturevalue(role))
    murata = zone["murata"]
    # The confidential project of the other team is seen by the manager only.
    active = 3 if role == "manager" else 2
    _agree(
        client,
        "/crm/organisations/",
        "/api/v1/organisations/",
        {
            "": 6,
            "kind=company": 5,
            "kind=company&kind=university": 6,
            f"industry={zone['iot'].pk}": 2,
            f"park={zone['park'].pk}": 1,
            "qualification=little_giant": 1,
            "qualification=little_giant&qualification=high_tech": 2,
            "country=JP": 1,
            "has_active_project=true": active,
            "has_active_project=false": 6 - active,
            "is_in_zone=true": 1,
            "is_listed=true": 1,
            "q=村田": 1,
            "q=murata": 1,
            "q=投资有限": 2,
            f"q={murata.credit_code[-8:].lower()}": 1,
            "kind=company&country=JP&has_active_project=true": 1,
            f"has_active_project=false&owner={request.getfixturevalue('other_officer').pk}": None,
            f"team={murata.team_id}&kind=university": 1,
        },
    )


@pytest.mark.parametrize("role", ROLES)
def test_mission_filters_agree(client, request, role, zone):
    client.force_login(request.getfixturevalue(role))
    _agree(
        client,
        "/crm/missions/",
        "/api/v1/missions/",
        {
            "": 4,
            "status=upcoming": 1,
            "status=under_way": 1,
            "status=done": 2,
            "region=europe": 1,
            "region=europe&region=japan_korea": 2,
            "status=done&region=japan_korea": 1,
            "kind=exhibition": 1,
            "country=JP": 1,
            "country=CN": 1,
            "q=招商": 2,
            f"participant={request.getfixturevalue('colleague').pk}": 1,
            f"participant={request.getfixturevalue('manager').pk}&status=under_way": 1,
            f"year={zone['today'].year}&status=upcoming": None,
        },
    )


@pytest.mark.parametrize("role", ROLES)
def test_visit_filters_agree(client, request, role, zone):
    client.force_login(request.getfixturevalue(role))
    today = zone["today"]
    colleague = request.getfixturevalue("colleague")
    _agree(
        client,
        "/crm/visits/",
        "/api/v1/visits/",
        {
            "": 4,
            "kind=received": 1,
            "kind=received&kind=outgoing": 4,
            "intention=high": 1,
            f"officer={colleague.pk}": 2,
            "follow_up_open=true": 1,
            "follow_up_open=false": 3,
            f"date_after={today - dt.timedelta(days=50)}&date_before={today}": None,
            f"organisation={zone['murata'].pk}": 2,
            f"mission={zone['under_way'].pk}": 1,
            "q=村田": 2,
            "q=慕尼黑": 1,
            "q=产学研": 1,
            f"team={colleague.team_id}&follow_up_open=false": None,
        },
    )


@pytest.mark.parametrize("role", ROLES)
def test_contact_filters_agree(client, request, role, zone):
    client.force_login(request.getfixturevalue(role))
    officer = request.getfixturevalue("officer")
    _agree(
        client,
        "/crm/contacts/",
        "/api/v1/contacts/",
        {
            "": 4,
            "q=田中": 1,
            "q=部长": 1,
            "q=example.com": 1,
            "is_active=false": 1,
            "is_active=true": 3,
            f"organisation={zone['murata'].pk}": 2,
            f"organisation={zone['murata'].pk}&is_active=true": 1,
            f"owner={officer.pk}": 2,
        },
    )


def test_a_hidden_project_does_not_count_for_an_officer_on_either_list(client, officer, zone):
    client.force_login(officer)
    web, api = _both_counts(client, "/crm/organisations/", "/api/v1/organisations/", "has_active_project=true&q=隐秘")
    assert web == api == 0


def _project_counts(client, query: str) -> tuple[int, int]:
    web = client.get(f"/projects/?{query}")
    assert web.status_code == 200, query
    api = client.get(f"/api/v1/projects/?{query}")
    assert api.status_code == 200, (query, api.content)
    return web.context["result"].count, api.json()["count"]


@pytest.mark.parametrize("role", ROLES)
def test_project_filters_agree(client, request, role, zone):
    client.force_login(request.getfixturevalue(role))
    year = zone["today"].year
    officer_expects = {
        "": 3,
        "stage=producing": 1,
        "stage=dropped&stage=producing": 2,
        "is_confidential=true": 0,
        "q=村田": 1,
        "tier=below_100m&tier=above_100m": None,
        "overdue=any": None,
        "overdue=on_time": None,
        f"signed_year={year}": None,
        f"producing_after={year - 5}-01-01": 1,
        "is_signed=true": 1,  # the dropped one left before signing
        "is_signed=false": 2,
        f"park={zone['park'].pk}": None,
        f"industry={zone['iot'].pk}": None,
        "capital_origin=foreign&is_major=false": None,
    }
    for query, expected in officer_expects.items():
        web, api = _project_counts(client, query)
        assert web == api, f"/projects/?{query}: web {web}, API {api}"
        if expected is not None and role == "officer":
            assert web == expected, f"/projects/?{query}: {web} rows, expected {expected}"
