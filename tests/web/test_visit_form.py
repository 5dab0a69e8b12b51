"""Logging a visit: one form, the organisation picked or created on the spot."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, Organisation, Visit
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db

URL = "/crm/visits/new/"


def form_data(**values):
    data = {
        "date": timezone.localdate().isoformat(),
        "kind": Visit.Kind.OUTGOING,
        "summary": "介绍园区政策，对方有扩产意向",
        "intention": Visit.Intention.HIGH,
        "next_step": "寄送土地资料",
        "follow_up_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    data.update(values)
    return data


def test_a_visit_logged_through_the_form_is_saved_with_the_logging_officer(client, officer):
    organisation = OrganisationFactory(name="村田（中国）投资有限公司")
    met = ContactFactory(organisation=organisation, name="田中")
    client.force_login(officer)
    response = client.post(URL, form_data(organisation=organisation.pk, contacts=[met.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:organisation_detail", args=[organisation.pk])
    visit = Visit.objects.get()
    assert visit.owner == officer
    assert list(visit.officers.all()) == [officer]
    assert list(visit.contacts.all()) == [met]
    assert visit.next_step == "寄送土地资料"
    assert "村田（中国）投资有限公司" in client.get(response["Location"]).content.decode()


def test_a_visit_in_the_future_is_refused_with_the_message_and_nothing_is_saved(client, officer):
    client.force_login(officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        URL,
        form_data(
            organisation="",
            new_organisation_name="新建半导体有限公司",
            new_contact_name="王经理",
            date=tomorrow.isoformat(),
            follow_up_on="",
        ),
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["date"]
    assert str(tomorrow) in message
    assert message in response.content.decode()
    assert not Visit.objects.exists()
    assert not Organisation.objects.exists()
    assert not Contact.objects.exists()


def test_a_new_organisation_and_contact_are_created_with_the_visit(client, officer):
    client.force_login(officer)
    response = client.post(
        URL,
        form_data(
            new_organisation_name="无锡新芯微电子有限公司",
            new_organisation_name_en="Wuxi Xinxin Microelectronics",
            new_organisation_credit_code=credit_code(4242),
            new_contact_name="王经理",
            new_contact_title="总经理",
        ),
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.organisation.name == "无锡新芯微电子有限公司"
    assert visit.organisation.owner == officer
    assert [contact.name for contact in visit.contacts.all()] == ["王经理"]


def test_a_similar_organisation_is_warned_about_before_a_duplicate_is_created(client, officer):
    existing = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment Co., Ltd.")
    client.force_login(officer)
    response = client.post(URL, form_data(new_organisation_name="村田（中国）投资有限公司"))
    assert response.status_code == 200
    assert existing in response.context["form"].similar
    assert Organisation.objects.count() == 1 and not Visit.objects.exists()
    again = client.post(URL, form_data(new_organisation_name="村田（中国）投资有限公司", create_anyway="on"))
    assert again.status_code == 302
    assert Organisation.objects.count() == 2


def test_the_similar_warning_shows_while_typing(client, officer):
    OrganisationFactory(name="博世汽车部件（无锡）有限公司")
    client.force_login(officer)
    response = client.get(reverse("crm:organisation_similar"), {"new_organisation_name": "博世汽车部件（无锡）"})
    assert "博世汽车部件（无锡）有限公司" in response.content.decode()


def test_an_organisation_or_a_new_name_is_required(client, officer):
    client.force_login(officer)
    response = client.post(URL, form_data())
    assert response.status_code == 200
    assert response.context["form"].errors["organisation_query"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("query", ["村田", "murata", "MANUFACTURING", "91320214"])
def test_autocomplete_finds_by_chinese_part_english_part_and_credit_code(client, officer, query):
    OrganisationFactory(name="村田制作所", name_en="Murata Manufacturing", credit_code=credit_code(7))
    OrganisationFactory(name="江南大学", name_en="Jiangnan University", credit_code="")
    client.force_login(officer)
    page = client.get(reverse("crm:organisation_autocomplete"), {"organisation_query": query}).content.decode()
    assert "村田制作所" in page
    assert "江南大学" not in page


def test_autocomplete_finds_by_the_full_credit_code_in_lower_case(client, officer):
    code = credit_code(99)
    OrganisationFactory(name="村田制作所", credit_code=code)
    client.force_login(officer)
    page = client.get(reverse("crm:organisation_autocomplete"), {"q": code.lower()}).content.decode()
    assert "村田制作所" in page


def test_the_mission_under_way_today_is_offered_not_pre_selected(client, officer):
    today = timezone.localdate()
    MissionFactory(title="早已结束", owner=officer)
    mission = MissionFactory(
        title="日本招商周",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=2),
        owner=UserFactory(),
    )
    mission.participants.add(officer)
    client.force_login(officer)
    response = client.get(URL)
    # Offered, not chosen: a visit made at home while the mission runs is not put under it.
    assert "mission" not in response.context["form"].initial
    assert "location" not in response.context["form"].initial
    assert response.context["suggested_mission"] == mission
    page = response.content.decode()
    assert f'data-mission-apply="{mission.pk}"' in page
    assert not re.search(rf'<option value="{mission.pk}"[^>]* selected', page)


def test_no_mission_is_pre_selected_for_someone_not_on_it(client, officer, colleague):
    today = timezone.localdate()
    mission = MissionFactory(start_date=today, end_date=today, owner=colleague)
    mission.participants.add(colleague)
    client.force_login(officer)
    assert "mission" not in client.get(URL).context["form"].initial


def test_the_form_is_reachable_from_an_organisation_and_a_mission(client, officer):
    organisation = OrganisationFactory(name="江南大学")
    mission = MissionFactory(owner=officer)
    client.force_login(officer)
    from_organisation = client.get(URL, {"organisation": organisation.pk}).context["form"]
    assert from_organisation.initial["organisation"] == organisation.pk
    from_mission = client.get(URL, {"mission": mission.pk}).context["form"]
    assert from_mission.initial["mission"] == mission.pk
    assert from_mission.initial["date"] == mission.end_date
    detail = client.get(reverse("crm:organisation_detail", args=[organisation.pk])).content.decode()
    assert f"{URL}?organisation={organisation.pk}" in detail
    detail = client.get(reverse("crm:mission_detail", args=[mission.pk])).content.decode()
    assert f"{URL}?mission={mission.pk}" in detail


def test_picking_an_organisation_loads_its_contacts(client, officer):
    organisation = OrganisationFactory()
    ContactFactory(organisation=organisation, name="田中")
    ContactFactory(name="别家的人")
    client.force_login(officer)
    page = client.get(reverse("crm:visit_contacts"), {"organisation": organisation.pk}).content.decode()
    assert "田中" in page and "别家的人" not in page
