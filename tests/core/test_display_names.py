"""Reference data (industries and chain links, parks, teams) reads in the reader's
language wherever it is shown: the English name in English when one is set, else the
Chinese name; Chinese pages keep the Chinese names."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.i18n import display_name, name_expression
from crm.models import Industry, Park
from tests.factories import IndustryFactory, OrganisationFactory, ParkFactory, ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def zone(team, manager):
    team.name_en = "Japan and Korea Team"
    team.save()
    cluster = IndustryFactory(name="集成电路", name_en="Integrated Circuits", level=Industry.Level.CLUSTER)
    chain = IndustryFactory(name="芯片设计链", name_en="Chip Design Chain", level=Industry.Level.CHAIN, parent=cluster)
    link = IndustryFactory(name="封装测试", name_en="Packaging and Testing", level=Industry.Level.LINK, parent=chain)
    unnamed = IndustryFactory(name="物联网", name_en="", level=Industry.Level.CLUSTER)
    park = ParkFactory(name="中国物联网国际创新园", name_en="China IoT International Innovation Park")
    OrganisationFactory(owner=manager, name="无锡芯源半导体有限公司", industry=link, park=park)
    today = timezone.localdate()
    ProjectFactory(
        owner=manager,
        industry=link,
        park=park,
        stage="signed",
        signed_on=today - dt.timedelta(days=10),
        lead_on=today - dt.timedelta(days=20),
        signed_amount=1,
        total_investment=150000,
    )
    return {"cluster": cluster, "chain": chain, "link": link, "unnamed": unnamed, "park": park}


def page(client, user, url, language) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_helper_picks_the_name_by_language(zone):
    with translation.override("en"):
        assert display_name(zone["park"]) == "China IoT International Innovation Park"
        assert display_name(zone["unnamed"]) == "物联网"  # no English name: the Chinese one
        assert str(zone["link"]) == "Packaging and Testing"
        names = dict(Park.objects.values_list("pk", name_expression()))
        assert names[zone["park"].pk] == "China IoT International Innovation Park"
    with translation.override("zh-hans"):
        assert display_name(zone["park"]) == "中国物联网国际创新园"
        assert str(zone["link"]) == "封装测试"


def test_industries_and_the_chain_map_read_in_english(client, manager, zone):
    listing = page(client, manager, reverse("chains:industry_list"), "en")
    assert "Integrated Circuits" in listing
    assert "物联网" in listing  # no English name set
    chain_map = page(client, manager, reverse("chains:chain_map", args=[zone["cluster"].pk]), "en")
    assert "Chip Design Chain" in chain_map
    assert "Packaging and Testing" in chain_map
    assert "封装测试" not in chain_map
    assert "集成电路" in chain_map  # the other language's name, under the heading


def test_the_chain_map_reads_in_chinese(client, manager, zone):
    chain_map = page(client, manager, reverse("chains:chain_map", args=[zone["cluster"].pk]), "zh-hans")
    assert "封装测试" in chain_map
    assert "Packaging and Testing" not in chain_map


def test_the_organisation_list_names_the_industry_in_english(client, manager, zone):
    listing = page(client, manager, reverse("crm:organisation_list"), "en")
    assert "Packaging and Testing" in listing
    assert "封装测试" not in listing


def test_the_dashboard_names_parks_teams_and_clusters_in_english(client, manager, zone):
    # The splits past the first load when opened: read each as the page loads it.
    splits = {
        key: page(client, manager, reverse("reports:dashboard_split", args=[key]), "en")
        for key in ("park", "team", "cluster")
    }
    assert "China IoT International Innovation Park" in splits["park"]
    assert "中国物联网国际创新园" not in splits["park"]
    assert "Japan and Korea Team" in splits["team"]
    assert "Integrated Circuits" in splits["cluster"]
