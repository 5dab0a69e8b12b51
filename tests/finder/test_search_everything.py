"""The one search box (issue 20): what officers type finds the organisation they mean,
in the header's dropdown, on the results page, in the lists and in the API alike."""

from __future__ import annotations

import opencc
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crm import services as crm_services
from crm.models import Contact, Organisation
from crm.search import fold, highlighted, pinyin_forms
from finder.selectors import search_everything
from projects.demo import build_demo_zone
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, ProjectFactory, VisitFactory


def organisation_names(user, text: str, how_many: int = 5) -> list[str]:
    groups = {group.kind: group for group in search_everything(user=user, text=text, per_kind=how_many)}
    if "organisations" not in groups:
        return []
    return [
        Organisation.objects.get(pk=int(hit.url.rstrip("/").split("/")[-1])).name
        for hit in groups["organisations"].hits
    ]


# --- The rule -------------------------------------------------------------------------


def test_a_chinese_name_is_kept_with_its_pinyin_in_full_initials_and_mixes():
    forms = pinyin_forms("村田（中国）投资有限公司")
    assert "cuntianzhongguotouziyouxiangongsi" in forms
    assert "ctzgtzyxgs" in forms
    assert "cuntianzgtzyxgs" in forms  # the first syllables in full, the rest initials
    assert pinyin_forms("Murata Manufacturing") == []


def test_what_is_typed_is_folded_full_width_traditional_japanese_and_case():
    assert fold("ＭＵＲＡＴＡ") == "murata"
    assert fold("村田製作所") == "村田制作所"
    assert fold("無錫  芯源") == "无锡 芯源"


@pytest.mark.parametrize(
    "typed",
    [
        "村田",
        "cuntian",
        "CunTian",
        "ct",
        "ctzg",
        "cuntianzg",
        "村田製作所",
        "murata",
        "ＭＵＲＡＴＡ",
        "ムラタ",
        "cun tian",
    ],
)
def test_every_way_an_officer_types_murata_finds_it_first(officer, typed):
    murata = OrganisationFactory(
        name="村田（中国）投资有限公司",
        name_en="Murata (China) Investment Co., Ltd.",
        aliases=["ムラタ"],
        owner=officer,
    )
    OrganisationFactory(name="株式会社村田制作所", name_en="MURATA MANUFACTURING CO., LTD.", owner=officer)
    OrganisationFactory(name="无锡芯源半导体有限公司", name_en="Wuxi Xinyuan Semiconductor", owner=officer)
    found = organisation_names(officer, typed)
    assert found, typed
    if typed not in ("村田製作所",):
        assert murata.name in found[:2], (typed, found)


def test_the_traditional_form_finds_the_simplified_name(officer):
    organisation = OrganisationFactory(name="无锡芯源半导体有限公司", owner=officer)
    assert organisation_names(officer, "無錫芯源半導體") == [organisation.name]


def test_an_alias_added_later_finds_the_organisation_through_the_service(officer):
    organisation = OrganisationFactory(name="光轮电子陶瓷株式会社", name_en="", owner=officer)
    assert organisation_names(officer, "Korin") == []
    organisation.aliases = ["  KORIN ", "", "KORIN", "光輪"]
    crm_services.organisation_save(organisation=organisation, by=officer)
    organisation.refresh_from_db()
    assert organisation.aliases == ["KORIN", "光輪"]  # tidied: stripped, blanks and repeats dropped
    assert organisation_names(officer, "korin") == [organisation.name]


def test_too_many_aliases_are_refused_with_nothing_changed(officer):
    from core.errors import DomainError

    organisation = OrganisationFactory(owner=officer)
    organisation.aliases = [f"别名{n}" for n in range(21)]
    with pytest.raises(DomainError):
        crm_services.organisation_save(organisation=organisation, by=officer)
    organisation.refresh_from_db()
    assert organisation.aliases == []


def test_keys_are_written_by_bulk_creation_too(officer):
    Organisation.objects.bulk_create([Organisation(name="博世汽车部件（无锡）有限公司", owner=officer)])
    Contact.objects.bulk_create([Contact(name="张伟", organisation=Organisation.objects.get(), owner=officer)])
    assert "boshiqichebujian" in Organisation.objects.get().search_key
    assert "\nzw\n" in Contact.objects.get().search_key


def test_whole_names_come_before_names_starting_with_it_before_the_rest(officer):
    inside = OrganisationFactory(name="无锡村田电子有限公司", owner=officer)
    starting = OrganisationFactory(name="村田电子有限公司", owner=officer)
    whole = OrganisationFactory(name="村田", owner=officer)
    assert organisation_names(officer, "村田") == [whole.name, starting.name, inside.name]


def test_the_own_team_comes_first_among_equals(officer, other_officer):
    theirs = OrganisationFactory(name="无锡村田电子有限公司", owner=other_officer)
    ours = OrganisationFactory(name="苏州村田电子有限公司", owner=officer)
    assert organisation_names(officer, "村田") == [ours.name, theirs.name]
    assert organisation_names(other_officer, "村田") == [theirs.name, ours.name]


def test_the_match_is_highlighted_where_it_is_even_for_pinyin():
    assert str(highlighted("村田（中国）投资有限公司", "cuntian")) == "<mark>村田</mark>（中国）投资有限公司"
    assert str(highlighted("株式会社村田制作所", "村田製作所")) == "株式会社<mark>村田制作所</mark>"
    assert str(highlighted("Murata <b>", "MURATA")) == "<mark>Murata</mark> &lt;b&gt;"


# --- Hidden projects --------------------------------------------------------------------


def test_a_confidential_project_of_another_team_is_never_found_nor_counted(client, officer, other_officer):
    investor = OrganisationFactory(name="村田（中国）投资有限公司", owner=other_officer)
    hidden = ProjectFactory(name="村田新工厂项目", investor=investor, owner=other_officer, is_confidential=True)
    seen = ProjectFactory(name="村田研发中心项目", investor=investor, owner=other_officer)
    client.force_login(officer)
    for url in (reverse("finder:suggest"), reverse("finder:search")):
        for typed in ("村田", "cuntian", "新工厂", "xgc"):
            page = client.get(url, {"q": typed}).content.decode()
            assert reverse("projects:project_detail", args=[hidden.pk]) not in page, (url, typed)
            assert "新工厂项目" not in page, (url, typed)
        page = client.get(url, {"q": "cuntian"}).content.decode()
        assert reverse("projects:project_detail", args=[seen.pk]) in page
    groups = {g.kind: g for g in search_everything(user=officer, text="cuntian")}
    assert groups["projects"].count == 1
    assert [hit for hit in groups["projects"].hits if "研发中心" in hit.title]
    # The other team sees its own confidential project.
    theirs = {g.kind: g for g in search_everything(user=other_officer, text="cuntian")}
    assert theirs["projects"].count == 2


# --- One rule everywhere ------------------------------------------------------------------


def test_the_list_the_api_the_box_and_the_pickers_agree(client, officer):
    for n, city in enumerate(["无锡", "苏州", "上海", "南京", "杭州", "宁波", "常州"]):
        OrganisationFactory(name=f"{city}村田电子有限公司", name_en=f"Murata {n}", owner=officer)
    OrganisationFactory(name="无锡芯源半导体有限公司", name_en="Xinyuan", owner=officer)
    client.force_login(officer)
    api = APIClient()
    api.force_login(officer)
    for typed in ("cuntian", "CT", "村田", "MURATA"):
        from_api = {row["name"] for row in api.get("/api/v1/organisations/", {"q": typed}).json()["results"]}
        assert len(from_api) == 7, typed
        page = client.get(reverse("crm:organisation_list"), {"q": typed}).content.decode()
        assert {name for name in from_api if name in page} == from_api
        groups = {g.kind: g for g in search_everything(user=officer, text=typed)}
        assert groups["organisations"].count == 7
        picker = client.get(reverse("crm:organisation_autocomplete"), {"organisation_query": typed}).content.decode()
        assert all(name in picker for name in from_api)


def test_the_project_list_finds_projects_by_the_investors_pinyin_and_alias(client, officer):
    murata = OrganisationFactory(name="村田（中国）投资有限公司", aliases=["Murata"], owner=officer)
    ProjectFactory(name="电子元件工厂", investor=murata, owner=officer)
    ProjectFactory(name="芯片封装项目", owner=officer)
    client.force_login(officer)
    api = APIClient()
    api.force_login(officer)
    for typed in ("cuntian", "ctzg", "MURATA"):
        assert "电子元件工厂" in client.get(reverse("projects:project_list"), {"q": typed}).content.decode()
        rows = api.get("/api/v1/projects/", {"q": typed}).json()["results"]
        assert [row["name"] for row in rows] == ["电子元件工厂"], typed


def test_the_visit_list_finds_visits_by_the_organisations_pinyin(client, officer):
    murata = OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    VisitFactory(organisation=murata, owner=officer, summary="谈扩产")
    VisitFactory(owner=officer, summary="谈研发中心")
    client.force_login(officer)
    page = client.get(reverse("crm:visit_list"), {"q": "cuntian"}).content.decode()
    assert "谈扩产" in page and "谈研发中心" not in page


def test_contacts_missions_visits_and_documents_are_grouped_on_the_results_page(client, officer):
    murata = OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    ContactFactory(organisation=murata, name="中村浩", name_en="Nakamura Hiroshi", owner=officer)
    MissionFactory(title="日本村田专题招商活动", owner=officer)
    VisitFactory(organisation=murata, owner=officer, summary="村田计划扩建电子陶瓷产线")
    client.force_login(officer)
    page = client.get(reverse("finder:search"), {"q": "村田"}).content.decode()
    for heading in ("客商", "招商活动", "拜访"):
        assert heading in page, heading
    page = client.get(reverse("finder:search"), {"q": "nakamura"}).content.decode()
    assert "<mark>Nakamura</mark>" in page and "联系人" in page
    page = client.get(reverse("finder:search"), {"q": "zhongcun"}).content.decode()
    assert "<mark>中村</mark>浩" in page


def test_the_results_page_costs_the_same_queries_for_more_rows(client, officer, django_assert_max_num_queries):
    client.force_login(officer)

    def make(n):
        for i in range(n):
            organisation = OrganisationFactory(name=f"村田电子{i}{n}有限公司", owner=officer)
            ContactFactory(organisation=organisation, name=f"村田{i}{n}", owner=officer)
            ProjectFactory(name=f"村田项目{i}{n}", investor=organisation, owner=officer)
            VisitFactory(organisation=organisation, owner=officer)

    make(6)  # more than a group shows: every kind is counted
    client.get(reverse("finder:search"), {"q": "村田"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("finder:search"), {"q": "村田"})
    make(12)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("finder:search"), {"q": "村田"})


# --- The demo zone ----------------------------------------------------------------------


@pytest.fixture
def demo(db):
    build_demo_zone()


def _ways_to_type(organisation: Organisation) -> dict[str, str]:
    traditional = opencc.OpenCC("s2t").convert(organisation.name)
    forms = pinyin_forms(organisation.name)
    core = organisation.name[:4]
    ways = {
        "fragment": organisation.name[1:5] if len(organisation.name) > 5 else organisation.name[:2],
        "full pinyin": pinyin_forms(core)[0],
        "initials": forms[1][:4],
        "traditional": traditional,
    }
    if organisation.name_en:
        ways["English, another case"] = organisation.name_en.swapcase()
    for alias in organisation.aliases:
        ways[f"alias {alias}"] = alias
    return ways


def test_demo_organisations_are_found_in_the_top_five_every_way_they_are_typed(demo):
    from core.models import User

    officer = User.objects.get(username="officer")
    picked = list(Organisation.objects.exclude(aliases=[]).order_by("pk")[:6])
    picked += list(Organisation.objects.filter(country="JP").order_by("pk")[:2])
    assert len(picked) >= 6
    misses = []
    for organisation in picked:
        for how, typed in _ways_to_type(organisation).items():
            if organisation.name not in organisation_names(officer, typed):
                misses.append(f"{organisation.name}: {how} {typed!r}")
    assert not misses, misses


def test_other_names_are_typed_one_a_line_shown_on_the_page_and_found(client, officer):
    from tests.web.test_crm_edits import organisation_data

    client.force_login(officer)
    data = organisation_data(name="光轮电子陶瓷株式会社", aliases="KORIN\n\n 光輪電子セラミックス \n")
    response = client.post(reverse("crm:organisation_create"), data)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.aliases == ["KORIN", "光輪電子セラミックス"]
    page = client.get(reverse("crm:organisation_detail", args=[organisation.pk])).content.decode()
    assert "KORIN、光輪電子セラミックス" in page
    form = client.get(reverse("crm:organisation_edit", args=[organisation.pk])).content.decode()
    assert "KORIN\n光輪電子セラミックス</textarea>" in form
    suggestions = client.get(reverse("finder:suggest"), {"q": "korin"}).content.decode()
    assert "<mark>KORIN</mark>" in suggestions
    api = APIClient()
    api.force_login(officer)
    row = api.get(f"/api/v1/organisations/{organisation.pk}/").json()
    assert row["aliases"] == ["KORIN", "光輪電子セラミックス"]
