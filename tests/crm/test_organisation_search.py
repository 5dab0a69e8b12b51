"""Finding organisations by part of a name or credit code (crm.search): on PostgreSQL
through the index of name fragments, with exactly the rows a substring test gives."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from crm import services
from crm.models import Organisation
from crm.search import organisations_matching, pinyin_forms
from tests.factories import OrganisationFactory, credit_code

NAMES = [
    ("无锡瀚芯微电子有限公司", "Wuxi Hanxin Microelectronics Co., Ltd.", credit_code(1)),
    ("瀚海芯片科技有限公司", "Hanhai Chips Technology Co., Ltd.", credit_code(2)),  # 瀚 and 芯, not 瀚芯
    ("瀚芯科技芯片有限公司", "", credit_code(3)),  # 瀚芯 and 芯片, not 瀚芯片
    ("村田（中国）投资有限公司", "Murata (China) Investment Co., Ltd.", ""),
    ("株式会社村田制作所", "MURATA MANUFACTURING CO., LTD.", ""),
    ("无锡村田电子有限公司", "Wuxi Murata Electronics", credit_code(4)),
    ("博世汽车部件（无锡）有限公司", "Bosch Automotive Parts (Wuxi)", credit_code(5)),
    ("江南大学", "Jiangnan University", ""),
    ("百分百100%科技有限公司", "100% Tech_Co", ""),
    ("芯园", "X", ""),
]

QUERIES = [
    "瀚芯",  # two Chinese characters
    "村田",
    "无锡",
    "瀚芯片",  # its fragments are all in a name, but not together
    "瀚",  # one Chinese character
    "芯",
    "murata",  # English, any case
    "MURATA",
    "Murata Manu",
    "co., ltd",
    "a",  # one letter
    "Wuxi 瀚芯",  # mixed, in no single name
    "（无锡）",
    "有限公司",  # in nearly every name
    "有限",
    "公",
    "91320214",  # part of a credit code
    credit_code(4).lower(),  # a whole credit code, lower case
    " ".join(re.findall("....", credit_code(5)[:16])),  # written in groups
    "100%",  # characters LIKE treats specially
    "h_co",
    "不存在",
]


def substring_matches(text: str) -> set[str]:
    """What the search must find: names holding the text (any case) or whose pinyin does,
    codes holding it without spaces."""
    text = text.strip()
    code = re.sub(r"\s+", "", text).upper()
    return {
        name
        for name, name_en, code_on_record in NAMES
        if text.upper() in name.upper()
        or text.upper() in name_en.upper()
        or any(text.lower() in form for form in pinyin_forms(name))
        or (re.fullmatch(r"[0-9A-Z]{4,18}", code) and code in code_on_record)
    }


@pytest.fixture
def organisations(officer):
    return [
        OrganisationFactory(name=name, name_en=name_en, credit_code=code, owner=officer)
        for name, name_en, code in NAMES
    ]


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_finds_exactly_the_organisations_containing_the_text(organisations, query):
    found = organisations_matching(Organisation.objects.all(), query)
    assert set(found.values_list("name", flat=True)) == substring_matches(query)


def test_the_examples_are_not_all_empty():
    assert substring_matches("瀚芯") == {"无锡瀚芯微电子有限公司", "瀚芯科技芯片有限公司"}
    assert substring_matches("murata") == {"村田（中国）投资有限公司", "株式会社村田制作所", "无锡村田电子有限公司"}
    assert substring_matches(credit_code(4).lower()) == {"无锡村田电子有限公司"}
    assert len(substring_matches("91320214")) == 5


def test_a_blank_search_keeps_every_organisation(organisations):
    assert organisations_matching(Organisation.objects.all(), "  ").count() == len(NAMES)


def test_a_renamed_organisation_is_found_by_its_new_name_only(organisations, officer):
    organisation = Organisation.objects.get(name="江南大学")
    organisation.name = "太湖学院"
    organisation.name_en = "Taihu College"
    services.organisation_save(organisation=organisation, by=officer)
    assert list(organisations_matching(Organisation.objects.all(), "太湖")) == [organisation]
    assert list(organisations_matching(Organisation.objects.all(), "college")) == [organisation]
    assert not organisations_matching(Organisation.objects.all(), "江南").exists()


def test_organisations_added_in_bulk_are_found(db, officer):
    Organisation.objects.bulk_create(
        Organisation(name=f"批量{n}号瀚芯公司", owner=officer, team=officer.team) for n in range(3)
    )
    assert organisations_matching(Organisation.objects.all(), "瀚芯").count() == 3


def test_the_list_the_api_and_every_picker_find_the_same_organisations(client, organisations, officer):
    client.force_login(officer)
    expected = substring_matches("瀚芯")
    pages = [
        reverse("crm:organisation_list") + "?q=瀚芯",
        reverse("crm:organisation_autocomplete") + "?q=瀚芯",
        reverse("crm:organisation_autocomplete") + "?organisation_query=瀚芯",
        reverse("projects:investor_options") + "?investor_query=瀚芯",
        reverse("chains:organisation_options") + "?organisation_query=瀚芯",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        shown = {name for name, _name_en, _code in NAMES if name in page}
        assert shown == expected, url
    api = APIClient()
    api.force_login(officer)
    rows = api.get("/api/v1/organisations/", {"q": "瀚芯"}).json()["results"]
    assert {row["name"] for row in rows} == expected


def test_searching_the_list_costs_no_more_queries_than_showing_it(client, organisations, officer):
    client.force_login(officer)
    client.get(reverse("crm:organisation_list"))  # session and caches warm
    with CaptureQueriesContext(connection) as unfiltered:
        client.get(reverse("crm:organisation_list"))
    with CaptureQueriesContext(connection) as searched:
        response = client.get(reverse("crm:organisation_list"), {"q": "瀚芯"})
    assert "无锡瀚芯微电子有限公司" in response.content.decode()
    assert len(searched) <= len(unfiltered)


@pytest.mark.postgres_only
@pytest.mark.usefixtures("postgres")
@pytest.mark.parametrize("query", ["瀚芯", "瀚", "murata", "91320214MA0", "wuxihanxin", "瀚芯微電子"])
def test_on_postgresql_a_search_reads_the_index_of_name_fragments(officer, query):
    Organisation.objects.bulk_create(
        Organisation(name=f"苏州{n}号电子有限公司", name_en=f"Suzhou {n} Co., Ltd.", owner=officer, team=officer.team)
        for n in range(3000)
    )
    OrganisationFactory(name="无锡瀚芯微电子有限公司", name_en="Murata Wuxi", credit_code=credit_code(1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_organisation")
        sql, params = organisations_matching(Organisation.objects.all(), query).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "organisation_search_key_grams" in plan, plan
    assert organisations_matching(Organisation.objects.all(), query).count() == 1
