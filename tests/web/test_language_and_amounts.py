"""Chinese first; English on request, and the choice sticks; amounts as each language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from core.templatetags.amounts import format_amount, format_amount_in_column
from tests.factories import PASSWORD, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("wan", "chinese", "english"),
    [
        ("12000", "1.2亿元", "CNY 120m"),
        ("1087000", "108.7亿元", "CNY 10.9bn"),
        ("500000", "50亿元", "CNY 5bn"),
        ("3500", "3,500万元", "CNY 35m"),
        ("10000", "1亿元", "CNY 100m"),
    ],
)
def test_amounts_are_written_in_yi_in_chinese_and_in_bn_in_english(wan, chinese, english):
    assert format_amount(Decimal(wan), language="zh-hans") == chinese
    assert format_amount(Decimal(wan), language="en") == english


@pytest.mark.parametrize(
    ("wan", "chinese", "english"),
    [
        ("12000", "1.2亿元", "CNY 120m"),
        ("1087000", "108.7亿元", "CNY 10,870m"),
        ("3500", "0.35亿元", "CNY 35m"),
        ("50", "0.005亿元", "CNY 0.5m"),
    ],
)
def test_a_table_column_writes_every_amount_in_one_unit(wan, chinese, english):
    """A column of 3,500万元 under 1.2亿元 reads wrong: one unit down the column."""
    assert format_amount_in_column(Decimal(wan), language="zh-hans") == chinese
    assert format_amount_in_column(Decimal(wan), language="en") == english


def test_the_project_list_column_has_one_unit(client, officer):
    ProjectFactory(owner=officer, name="大项目", total_investment=Decimal("12000"))
    ProjectFactory(owner=officer, name="小项目", total_investment=Decimal("3500"))
    client.force_login(officer)
    page = client.get("/projects/").content.decode()
    assert "1.2亿元" in page and "0.35亿元" in page
    assert "万元" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_usd_amounts():
    with translation.override("zh-hans"):
        assert format_amount("30000", "USD") == "3亿美元"
    with translation.override("en"):
        assert format_amount("30000", "USD") == "USD 300m"


def test_home_is_chinese_by_default_even_for_an_english_browser(client, officer):
    ProjectFactory(owner=officer, total_investment=Decimal("1200000"))
    client.force_login(officer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "120亿元" in page
    assert '<html lang="zh-CN">' in page


def test_the_language_switch_sticks_and_amounts_follow(client, officer):
    ProjectFactory(owner=officer, total_investment=Decimal("1200000"))
    client.force_login(officer)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for _ in range(2):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert response["Content-Language"] == "en"
        page = response.content.decode()
        assert "CNY 12,000m" in page  # the projects column: millions in every row
        assert "My work" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "120亿元" in client.get("/").content.decode()


def test_the_login_page_is_ours_and_chinese(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    assert "用户名" in page and "密码" in page
    assert "vendor/bootstrap-5.3.8/css/bootstrap.min.css" in page
    assert "//cdn" not in page and "https://" not in page


def test_logging_in_leads_to_my_work_and_logging_out_is_a_post(client, officer):
    response = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 200
    page = home.content.decode()
    assert 'action="/accounts/logout/"' in page and 'method="post"' in page
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get("/").status_code == 302


def test_the_admin_link_is_for_admins_only(client, officer, admin_user):
    client.force_login(officer)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    client.force_login(admin_user)
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_chinese_pages_write_chinese_punctuation(client, officer):
    """会见：王磊, not 会见: 王磊; 中村浩，项目经理; an English page keeps ": " and ", "."""
    from tests.factories import ContactFactory, OrganisationFactory, VisitFactory

    organisation = OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    contact = ContactFactory(organisation=organisation, name="中村浩", title="项目经理")
    visit = VisitFactory(organisation=organisation, owner=officer, next_step="寄送资料")
    visit.contacts.add(contact)
    client.force_login(officer)
    page = client.get(f"/crm/organisations/{organisation.pk}/").content.decode()
    assert "会见：中村浩" in page and "会见:" not in page
    with translation.override("zh-hans"):
        assert str(contact) == "中村浩，项目经理"
    with translation.override("en"):
        assert str(contact) == "中村浩, 项目经理"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Met: 中村浩" in client.get(f"/crm/organisations/{organisation.pk}/").content.decode()
