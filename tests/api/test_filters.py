"""List filters agree with a direct count in the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from core import permissions
from crm.models import Organisation, Qualification, Visit
from projects.models import Project
from projects.reminders import with_overdue_level
from tests.factories import (
    IndustryFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    VisitFactory,
    project_in_stage,
)


@pytest.fixture
def zone(officer, other_officer, reminder_rules):
    iot = IndustryFactory(name="物联网")
    sensors = IndustryFactory(name="传感器", parent=iot, level="chain")
    park = ParkFactory(name="中国物联网国际创新园")
    murata = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata China", owner=officer)
    Qualification.objects.create(organisation=murata, kind="little_giant", year=2023)
    OrganisationFactory(name="空壳公司", owner=other_officer)
    today = timezone.localdate()
    ProjectFactory(owner=officer, investor=murata, name="村田新工厂", total_investment=Decimal("500000"), is_major=True)
    ProjectFactory(owner=officer, industry=sensors, park=park, total_investment=Decimal("9999.99"))
    ProjectFactory(owner=other_officer, industry=iot, total_investment=Decimal("10000"), capital_origin="foreign")
    ProjectFactory(owner=other_officer, is_confidential=True, industry=iot, investor=murata)
    ProjectFactory(owner=officer, signed_planned=today - dt.timedelta(days=100), source_kind="channel")
    ProjectFactory(owner=officer, signed_planned=today - dt.timedelta(days=40))
    project_in_stage("signed", owner=officer, total_investment=Decimal("2000000"))
    project_in_stage("dropped", owner=other_officer, investor=murata)
    VisitFactory(owner=officer, organisation=murata, follow_up_on=today).officers.add(officer)
    VisitFactory(owner=officer, organisation=murata)
    return {"iot": iot, "park": park, "murata": murata}


def _count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return response.json()["count"]


def test_project_filters_agree_with_the_database(zone, officer, client_for):
    client = client_for(officer)
    seen = permissions.visible_projects(officer, Project.objects.all())
    signed_on = Project.objects.get(stage="signed").signed_on
    cases = {
        "stage=signed": seen.filter(stage="signed"),
        "stage=lead&stage=dropped": seen.filter(stage__in=["lead", "dropped"]),
        "tier=above_100m": seen.filter(total_investment__gte=10000, total_investment__lt=100000),
        "tier=above_1b&tier=above_10b": seen.filter(total_investment__gte=100000),
        "tier=below_100m": seen.filter(total_investment__lt=10000),
        # The keys documented before API 2.0 still narrow the same way.
        "tier=1e8": seen.filter(total_investment__gte=10000, total_investment__lt=100000),
        "tier=1e9&tier=1e10": seen.filter(total_investment__gte=100000),
        "tier=below_1e8&tier=above_10b": seen.filter(Q(total_investment__lt=10000) | Q(total_investment__gte=1000000)),
        f"industry={zone['iot'].pk}": seen.filter(Q(industry=zone["iot"]) | Q(industry__parent=zone["iot"])),
        f"park={zone['park'].pk}": seen.filter(park=zone["park"]),
        "is_major=true": seen.filter(is_major=True),
        "capital_origin=foreign": seen.filter(capital_origin="foreign"),
        "source_kind=channel": seen.filter(source_kind="channel"),
        f"team={officer.team_id}": seen.filter(team=officer.team),
        f"owner={officer.pk}": seen.filter(owner=officer),
        f"signed_year={signed_on.year}": seen.filter(signed_on__year=signed_on.year),
        f"signed_after={signed_on}&signed_before={signed_on}": seen.filter(signed_on=signed_on),
        "q=村田": seen.filter(Q(name__contains="村田") | Q(investor__name__contains="村田")),
        "q=murata": seen.filter(investor__name_en__icontains="murata"),
        f"q={zone['murata'].credit_code.lower()}": seen.filter(investor=zone["murata"]),
        "overdue=red": with_overdue_level(seen).filter(overdue_level="red"),
        "overdue=yellow": with_overdue_level(seen).filter(overdue_level="yellow"),
        "overdue=any": with_overdue_level(seen).exclude(overdue_level=""),
        "overdue=on_time": with_overdue_level(seen).filter(overdue_level=""),
    }
    for query, expected in cases.items():
        assert _count(client, f"/api/v1/projects/?{query}") == expected.count(), query
    # Spot checks, so that the comparison is not between two empty sets.
    assert _count(client, "/api/v1/projects/?overdue=red") == 1
    assert _count(client, "/api/v1/projects/?overdue=yellow") == 1
    assert _count(client, "/api/v1/projects/?q=村田") == 2  # the confidential one is hidden


def test_organisation_filters_agree_with_the_database(zone, officer, client_for):
    client = client_for(officer)
    murata = zone["murata"]
    cases = {
        "qualification=little_giant": Organisation.objects.filter(qualifications__kind="little_giant"),
        "has_active_project=true": Organisation.objects.filter(
            pk__in=permissions.visible_projects(officer, Project.objects.all())
            .exclude(stage__in=["on_hold", "dropped"])
            .values("investor_id")
        ),
        "q=Murata": Organisation.objects.filter(pk=murata.pk),
        "country=CN": Organisation.objects.filter(country="CN"),
        "kind=company": Organisation.objects.filter(kind="company"),
    }
    for query, expected in cases.items():
        assert _count(client, f"/api/v1/organisations/?{query}") == expected.distinct().count(), query
    assert _count(client, "/api/v1/organisations/?has_active_project=false") == (
        Organisation.objects.count() - cases["has_active_project=true"].distinct().count()
    )


def test_a_filter_does_not_reveal_a_hidden_project(officer, other_officer, client_for, reminder_rules):
    secret = OrganisationFactory(name="秘密客商")
    ProjectFactory(owner=other_officer, investor=secret, is_confidential=True)
    client = client_for(officer)
    assert _count(client, f"/api/v1/organisations/?has_active_project=true&q={secret.name}") == 0
    assert _count(client_for(other_officer), f"/api/v1/organisations/?has_active_project=true&q={secret.name}") == 1


def test_visit_filters_agree_with_the_database(zone, officer, client_for):
    client = client_for(officer)
    cases = {
        "follow_up_open=true": Visit.objects.filter(follow_up_on__isnull=False, follow_up_done_on__isnull=True),
        f"officer={officer.pk}": Visit.objects.filter(officers=officer),
        f"organisation={zone['murata'].pk}": Visit.objects.filter(organisation=zone["murata"]),
        "q=村田": Visit.objects.filter(organisation__name__contains="村田"),
    }
    for query, expected in cases.items():
        assert _count(client, f"/api/v1/visits/?{query}") == expected.count(), query


def test_an_unknown_choice_is_a_400(officer, client_for):
    response = client_for(officer).get("/api/v1/projects/?stage=flying")
    assert response.status_code == 400
    assert response.json()["field"] == "stage"


def test_lists_are_ordered_on_request(officer, client_for):
    ProjectFactory(owner=officer, total_investment=Decimal("3"))
    ProjectFactory(owner=officer, total_investment=Decimal("1"))
    ProjectFactory(owner=officer, total_investment=Decimal("2"))
    rows = client_for(officer).get("/api/v1/projects/?ordering=-total_investment").json()["results"]
    assert [row["total_investment"] for row in rows] == ["3.00", "2.00", "1.00"]
