"""The chain map: link order, the three states per link, gaps, visibility, queries."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from chains import services
from chains.models import ChainTarget
from chains.selectors import chain_map
from crm.models import Industry
from projects.services import project_change_stage
from tests.factories import IndustryFactory, OrganisationFactory, project_in_stage

pytestmark = pytest.mark.django_db


def names(entries) -> list[str]:
    return [entry.organisation.name for entry in entries]


def row_of(the_map, link):
    return next(row for row in the_map.links if row.link.pk == link.pk)


def test_links_show_upstream_first_in_the_order_admins_give(industry, chain, links, admin_user, client):
    the_map = chain_map(user=admin_user, industry=industry)
    assert [row.link.name for row in the_map.links] == ["衬底", "外延", "器件设计", "制造"]

    # An admin moves 制造 to the front and adds 封装测试 last, on the chain's page.
    client.force_login(admin_user)
    order = {links[3].pk: 0, links[0].pk: 1, links[1].pk: 2, links[2].pk: 3}
    data = {
        "parent": industry.pk,
        "name": chain.name,
        "name_en": "",
        "category": chain.category,
        "position": 0,
        "children-TOTAL_FORMS": 5,
        "children-INITIAL_FORMS": 4,
        "children-MIN_NUM_FORMS": 0,
        "children-MAX_NUM_FORMS": 1000,
    }
    for i, link in enumerate(links):
        data.update(
            {
                f"children-{i}-id": link.pk,
                f"children-{i}-parent": chain.pk,
                f"children-{i}-name": link.name,
                f"children-{i}-name_en": "",
                f"children-{i}-position": order[link.pk],
            }
        )
    data.update({"children-4-parent": chain.pk, "children-4-name": "封装测试", "children-4-position": 4})
    response = client.post(reverse("admin:chains_chain_change", args=[chain.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    the_map = chain_map(user=admin_user, industry=industry)
    assert [row.link.name for row in the_map.links] == ["制造", "衬底", "外延", "器件设计", "封装测试"]
    added = Industry.objects.get(name="封装测试")
    assert (added.level, added.category) == (Industry.Level.LINK, chain.category)


def test_a_target_moves_to_the_pipeline_when_its_project_is_signed(industry, links, officer, frozen_today):
    substrate = links[0]
    company = OrganisationFactory(name="碳化硅衬底有限公司", owner=officer)
    services.target_add(link=substrate, organisation=company, by=officer, note="国内衬底龙头")

    row = row_of(chain_map(user=officer, industry=industry), substrate)
    assert (names(row.targets), names(row.pipeline), names(row.in_zone)) == (["碳化硅衬底有限公司"], [], [])
    assert not row.targets[0].contacted

    project = project_in_stage("negotiating", investor=company, industry=substrate, owner=officer)
    row = row_of(chain_map(user=officer, industry=industry), substrate)
    assert names(row.targets) == ["碳化硅衬底有限公司"]  # in talks: still a target, with its project
    assert row.targets[0].projects == [project]

    project_change_stage(
        project=project, to_stage="signed", on=frozen_today, by=officer, signed_amount=Decimal("80000")
    )
    row = row_of(chain_map(user=officer, industry=industry), substrate)
    assert (names(row.targets), names(row.pipeline)) == ([], ["碳化硅衬底有限公司"])
    assert row.pipeline[0].projects[0].stage == "signed"


def test_landed_projects_and_local_companies_are_in_the_zone(industry, links, officer):
    epitaxy = links[1]
    OrganisationFactory(name="本地外延有限公司", industry=epitaxy, is_in_zone=True)
    investor = OrganisationFactory(name="外资外延株式会社")
    project_in_stage("producing", investor=investor, industry=epitaxy, owner=officer)
    services.target_add(link=epitaxy, organisation=investor, by=officer)

    row = row_of(chain_map(user=officer, industry=industry), epitaxy)
    assert sorted(names(row.in_zone)) == ["外资外延株式会社", "本地外延有限公司"]
    assert row.targets == [] and row.pipeline == []


def test_the_gap_list_is_exact(industry, links, officer, admin_user):
    substrate, epitaxy, design, fab = links
    OrganisationFactory(industry=substrate, is_in_zone=True)  # in the zone
    project_in_stage("lead", industry=epitaxy, owner=officer)  # a live project
    project_in_stage("dropped", industry=design, owner=officer)  # dropped: not live
    project_in_stage("on_hold", industry=fab, owner=officer)  # on hold: not live
    services.target_add(link=fab, organisation=OrganisationFactory(), by=officer)

    the_map = chain_map(user=officer, industry=industry)
    assert [row.link.name for row in the_map.gaps] == ["器件设计", "制造"]
    assert [row.link.name for row in the_map.gaps_without_targets] == ["器件设计"]


def test_a_confidential_project_of_another_team_never_shows(industry, links, officer, other_officer, manager):
    fab = links[3]
    secret = OrganisationFactory(name="隐秘晶圆有限公司", owner=other_officer)
    project_in_stage("started", investor=secret, industry=fab, owner=other_officer, is_confidential=True)

    row = row_of(chain_map(user=officer, industry=industry), fab)
    assert row.pipeline == [] and row.is_gap
    assert "隐秘晶圆有限公司" not in names(row.targets)

    row = row_of(chain_map(user=manager, industry=industry), fab)
    assert names(row.pipeline) == ["隐秘晶圆有限公司"]

    # Not on the page either, nor in the export.
    from django.test import Client

    client = Client()
    client.force_login(officer)
    page = client.get(reverse("chains:chain_map", args=[industry.pk])).content.decode()
    assert "隐秘晶圆有限公司" not in page
    export = client.get(reverse("chains:chain_map_export", args=[industry.pk])).content
    cells = [c for r in load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True) for c in r]
    assert "隐秘晶圆有限公司" not in cells


def _fill(links, n: int, officer) -> None:
    for i in range(n):
        link = links[i % len(links)]
        if i % 3 == 0:
            OrganisationFactory(industry=link, is_in_zone=True)
        elif i % 3 == 1:
            project_in_stage(["lead", "signed", "producing"][i % 3 - 1 + (i % 2)], industry=link, owner=officer)
        else:
            services.target_add(link=link, organisation=OrganisationFactory(), by=officer)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_map_page_query_count_does_not_grow_with_organisations_or_links(
    industry, chain, links, officer, admin_user, client
):
    client.force_login(officer)
    url = reverse("chains:chain_map", args=[industry.pk])
    _fill(links, 10, officer)
    IndustryFactory(name="空环节", level=Industry.Level.LINK, parent=chain, position=9)  # a gap
    few = _queries(client, url)
    more_links = [
        IndustryFactory(name=f"环节{i}", level=Industry.Level.LINK, parent=chain, position=10 + i) for i in range(6)
    ]
    _fill(links + more_links, 90, officer)
    # Gaps too: links with nothing on them, and one with a leading firm.
    for i in range(3):
        IndustryFactory(name=f"空环节{i}", level=Industry.Level.LINK, parent=chain, position=20 + i)
    services.leading_firm_set(link=more_links[0], organisation=OrganisationFactory(), by=admin_user)
    the_map = chain_map(user=officer, industry=industry)
    assert len(the_map.links) == 14 and len(the_map.gaps) >= 4
    assert _queries(client, url) == few


def test_the_export_neutralises_formulas(industry, links, officer, client):
    services.target_add(
        link=links[0], organisation=OrganisationFactory(name='=HYPERLINK("http://x","y")'), by=officer, note="+1"
    )
    client.force_login(officer)
    response = client.get(reverse("chains:chain_map_export", args=[industry.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    target_row = next(r for r in rows if r[3] and "HYPERLINK" in r[3])
    assert target_row[3].startswith("'=") and target_row[7] == "'+1"


def test_an_officer_adds_a_target_from_the_map(industry, links, officer, client):
    company = OrganisationFactory(name="氮化镓器件有限公司")
    client.force_login(officer)
    url = reverse("chains:target_add", args=[industry.pk])
    response = client.post(url, {"link": links[2].pk, "organisation_query": "氮化镓器件有限公司", "note": "GaN"})
    assert response.status_code == 302
    target = ChainTarget.objects.get()
    assert (target.link, target.organisation, target.added_by, target.note) == (links[2], company, officer, "GaN")
    # The map links the target to the visit form for that organisation.
    page = client.get(reverse("chains:chain_map", args=[industry.pk])).content.decode()
    assert f"/crm/visits/new/?organisation={company.pk}" in page
    # Twice is refused, with a message.
    client.post(url, {"link": links[2].pk, "organisation": company.pk})
    assert ChainTarget.objects.count() == 1


def test_a_target_on_a_link_of_another_industry_is_refused(industry, officer, client):
    other_chain = IndustryFactory(level=Industry.Level.CHAIN, parent=IndustryFactory(level=Industry.Level.CLUSTER))
    foreign_link = IndustryFactory(level=Industry.Level.LINK, parent=other_chain)
    client.force_login(officer)
    response = client.post(
        reverse("chains:target_add", args=[industry.pk]),
        {"link": foreign_link.pk, "organisation": OrganisationFactory().pk},
    )
    assert response.status_code == 404
    assert not ChainTarget.objects.exists()


def test_anonymous_users_are_sent_to_log_in(industry, client):
    for name in ("chains:industry_list",):
        assert client.get(reverse(name)).status_code == 302
    for name in ("chains:industry_detail", "chains:chain_map", "chains:chain_map_export"):
        response = client.get(reverse(name, args=[industry.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_whoever_added_a_target_or_a_manager_removes_it(industry, links, officer, colleague, manager, client):
    target = services.target_add(link=links[0], organisation=OrganisationFactory(), by=officer)
    url = reverse("chains:target_remove", args=[target.pk])
    client.force_login(colleague)
    assert client.post(url).status_code == 403
    assert ChainTarget.objects.filter(pk=target.pk).exists()
    client.force_login(manager)
    assert client.post(url).status_code == 302
    assert not ChainTarget.objects.exists()
