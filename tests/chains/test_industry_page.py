"""The industry page: the eight items (missing ones shown as missing, each with when it
was last updated) and the industry's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chains import services
from chains.models import IndustryMember, IndustryProfile
from chains.selectors import eight_items, industry_numbers
from core.errors import DomainError, NotPermitted
from crm.models import Organisation
from tests.factories import ContactFactory, OrganisationFactory, ParkFactory, VisitFactory, project_in_stage

pytestmark = pytest.mark.django_db


def test_a_new_industry_shows_every_item_missing_but_the_map(industry, links, client, officer):
    items = eight_items(industry=industry)
    assert [item.key for item in items] == ["team", "report", "policy", "park", "institute", "fund", "expert", "map"]
    assert [item.key for item in items if item.missing] == [
        "team",
        "report",
        "policy",
        "park",
        "institute",
        "fund",
        "expert",
    ]

    client.force_login(officer)
    page = client.get(reverse("chains:industry_detail", args=[industry.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("border-danger") == 7


def test_items_list_their_records_with_the_date_they_were_last_updated(industry, manager, officer, frozen_today):
    park = ParkFactory(name="未来产业先导区")
    institute = OrganisationFactory(name="微纳器件研究所", kind=Organisation.Kind.RESEARCH_INSTITUTE)
    fund = OrganisationFactory(name="化合物半导体产业基金", kind=Organisation.Kind.INVESTOR)
    expert = ContactFactory(name="王教授", organisation=institute)
    services.member_add(industry=industry, item="team", record=officer, by=manager, role="链长办")
    services.member_add(industry=industry, item="park", record=park, by=manager)
    services.member_add(industry=industry, item="institute", record=institute, by=manager)
    services.member_add(industry=industry, item="fund", record=fund, by=manager)
    services.member_add(industry=industry, item="expert", record=expert, by=manager)

    items = {item.key: item for item in eight_items(industry=industry)}
    assert [m.record for m in items["fund"].entries] == [fund]
    assert items["park"].updated_at.date() == frozen_today
    assert {key for key, item in items.items() if item.missing} == {"report", "policy", "map"}


def test_an_item_refuses_records_of_the_wrong_kind(industry, manager, officer):
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    with pytest.raises(DomainError):
        services.member_add(industry=industry, item="fund", record=company, by=manager)
    with pytest.raises(DomainError):
        services.member_add(industry=industry, item="park", record=company, by=manager)
    with pytest.raises(NotPermitted):
        services.member_add(industry=industry, item="team", record=officer, by=officer)
    services.member_add(industry=industry, item="team", record=officer, by=manager)
    with pytest.raises(DomainError):
        services.member_add(industry=industry, item="team", record=officer, by=manager)


def test_the_database_refuses_an_entry_pointing_at_two_records(industry, officer):
    park = ParkFactory()
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        IndustryMember.objects.create(industry=industry, item="team", user=officer, park=park)


def test_numbers_count_projects_by_stage_visits_and_targets_against_the_output_target(
    industry, links, officer, other_officer, frozen_today
):
    substrate, epitaxy, *_ = links
    project_in_stage("signed", industry=substrate, owner=officer, total_investment=Decimal("100000"))
    project_in_stage("signed", industry=epitaxy, owner=officer, total_investment=Decimal("50000"))
    project_in_stage(
        "producing", industry=industry, owner=officer, total_investment=Decimal("30000"),
        expected_annual_output=Decimal("60000"),
    )  # fmt: skip
    # Hidden from the officer: another team's confidential project.
    project_in_stage("signed", industry=epitaxy, owner=other_officer, is_confidential=True)
    visited = OrganisationFactory(industry=substrate)
    VisitFactory(organisation=visited, date=frozen_today)
    VisitFactory(organisation=visited, date=dt.date(frozen_today.year - 1, 12, 31))  # last year
    services.target_add(link=substrate, organisation=visited, by=officer)
    services.target_add(link=epitaxy, organisation=OrganisationFactory(), by=officer)
    IndustryProfile.objects.create(industry=industry, output_target=Decimal("120000"))

    numbers = industry_numbers(user=officer, industry=industry)
    by_stage = {figure.stage: (figure.count, figure.investment) for figure in numbers.stages}
    assert by_stage["signed"] == (2, Decimal("150000"))
    assert by_stage["producing"] == (1, Decimal("30000"))
    assert (numbers.live_count, numbers.live_investment) == (2, Decimal("150000"))
    assert numbers.visits == 1
    assert (numbers.targets, numbers.targets_reached) == (2, 1)
    assert (numbers.landed_output, numbers.output_target, numbers.output_share) == (
        Decimal("60000"),
        Decimal("120000"),
        50,
    )


def test_the_industry_page_query_count_does_not_grow_with_items(
    industry, links, manager, client, django_assert_max_num_queries
):
    client.force_login(manager)
    url = reverse("chains:industry_detail", args=[industry.pk])
    for _ in range(3):
        services.member_add(industry=industry, item="park", record=ParkFactory(), by=manager)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        services.member_add(
            industry=industry,
            item="expert",
            record=ContactFactory(organisation=OrganisationFactory(kind=Organisation.Kind.UNIVERSITY)),
            by=manager,
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_industry_list_opens_for_every_role(industry, links, officer, manager, admin_user, client):
    for user in (officer, manager, admin_user):
        client.force_login(user)
        for url in (
            reverse("chains:industry_list"),
            reverse("chains:industry_detail", args=[industry.pk]),
            reverse("chains:chain_map", args=[industry.pk]),
            reverse("chains:organisation_options") + "?organisation_query=测试",
        ):
            assert client.get(url).status_code == 200, url
    # A chain or a link is not an industry page.
    assert client.get(reverse("chains:industry_detail", args=[links[0].pk])).status_code == 404


def test_a_manager_adds_and_removes_item_entries_on_the_industry_page(industry, manager, officer, client):
    institute = OrganisationFactory(name="微纳器件研究所", kind=Organisation.Kind.RESEARCH_INSTITUTE)
    client.force_login(manager)
    url = reverse("chains:member_add", args=[industry.pk])
    response = client.post(url, {"item": "institute", "name": "微纳器件研究所", "role": "共建"})
    assert response.status_code == 302
    member = IndustryMember.objects.get()
    assert (member.item, member.organisation, member.role) == ("institute", institute, "共建")
    # A company is not a research institution; a name nobody has is not found.
    OrganisationFactory(name="普通公司", kind=Organisation.Kind.COMPANY)
    assert client.post(url, {"item": "institute", "name": "普通公司"}).status_code == 400
    assert client.post(url, {"item": "park", "name": "不存在的园区"}).status_code == 400
    assert IndustryMember.objects.count() == 1

    client.force_login(officer)  # not on the industry's team
    assert client.post(url, {"item": "team", "name": officer.username}).status_code == 403
    assert client.post(reverse("chains:member_remove", args=[member.pk])).status_code == 403
    assert IndustryMember.objects.filter(pk=member.pk).exists()

    client.force_login(manager)
    client.post(reverse("chains:member_remove", args=[member.pk]))
    assert not IndustryMember.objects.exists()
