"""Creating and editing organisations, contacts and visits on the web pages.

Every save goes through crm.services; a save based on an older version is refused
with the newer values shown and what the user typed kept; a refused save keeps
nothing; pages of records the user may not change answer 403, missing ones 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from crm import services
from crm.models import Contact, Organisation, Visit
from tests.factories import ContactFactory, OrganisationFactory, VisitFactory, credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # New strings are translated by the integrator; the pages are read in English here.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def organisation_data(organisation: Organisation | None = None, **values) -> dict:
    data = {
        "name": "无锡新芯微电子有限公司",
        "name_en": "Wuxi Xinxin Microelectronics",
        "kind": "company",
        "credit_code": "",
        "country": "CN",
        "city": "无锡",
        "address": "",
        "website": "",
        "industry": "",
        "park": "",
        "exchange": "",
        "stock_code": "",
        "listed_on": "",
        "description": "",
    }
    if organisation is not None:
        data.update(
            name=organisation.name,
            name_en=organisation.name_en,
            kind=organisation.kind,
            credit_code=organisation.credit_code,
            country=organisation.country.code,
            city=organisation.city,
            version=organisation.version,
        )
    data.update(values)
    return data


# --- Organisations -----------------------------------------------------------------


def test_an_officer_creates_an_organisation_and_owns_it(client, officer):
    client.force_login(officer)
    code = credit_code(5151)
    response = client.post(
        reverse("crm:organisation_create"), organisation_data(credit_code=" " + code.lower()[:9] + " " + code[9:])
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:organisation_detail", args=[organisation.pk])
    assert organisation.owner == officer and organisation.team == officer.team
    assert organisation.credit_code == code  # pasted with a space and in lower case


def test_a_credit_code_already_on_record_is_refused_next_to_the_field(client, officer):
    code = credit_code(5252)
    OrganisationFactory(name="村田（中国）投资有限公司", credit_code=code)
    client.force_login(officer)
    response = client.post(reverse("crm:organisation_create"), organisation_data(credit_code=code))
    assert response.status_code == 200
    [message] = response.context["form"].errors["credit_code"]
    assert "村田（中国）投资有限公司" in message
    page = response.content.decode()
    assert message in page
    assert 'value="无锡新芯微电子有限公司"' in page  # what was typed stays
    assert Organisation.objects.count() == 1


def test_a_listed_organisation_without_stock_code_is_refused_by_the_service(client, officer):
    client.force_login(officer)
    response = client.post(reverse("crm:organisation_create"), organisation_data(exchange="SZSE"))
    assert response.status_code == 200
    assert response.context["form"].errors["stock_code"] == ["A listed organisation needs its stock code."]
    assert not Organisation.objects.exists()


def test_an_officer_edits_an_own_organisation(client, officer):
    organisation = OrganisationFactory(owner=officer, city="")
    client.force_login(officer)
    url = reverse("crm:organisation_edit", args=[organisation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, organisation_data(organisation, city="苏州"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.city == "苏州"
    assert organisation.version == 2


def test_a_stale_edit_is_refused_showing_the_newer_values_and_keeping_the_typed_ones(client, officer, colleague):
    organisation = OrganisationFactory(owner=officer, name="村田投资", city="无锡")
    client.force_login(officer)
    url = reverse("crm:organisation_edit", args=[organisation.pk])
    opened = client.get(url).context["form"]["version"].value()
    # Meanwhile a manager of the team (or an admin) renames it.
    meanwhile = Organisation.objects.get(pk=organisation.pk)
    meanwhile.name = "村田（中国）投资有限公司"
    services.organisation_save(organisation=meanwhile, by=officer)

    response = client.post(url, organisation_data(organisation, city="苏州", version=opened))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it" in page
    newer = response.context["newer"]
    assert {"label": "Chinese name", "saved": "村田（中国）投资有限公司", "typed": "村田投资"} in newer
    assert 'value="苏州"' in page  # what was typed stays in the form
    organisation.refresh_from_db()
    assert (organisation.name, organisation.city, organisation.version) == ("村田（中国）投资有限公司", "无锡", 2)

    # The form now carries the newer version: saving again is a deliberate overwrite.
    assert response.context["form"]["version"].value() == "2"
    again = client.post(url, organisation_data(organisation, name="村田投资", city="苏州", version=2))
    assert again.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.city) == ("村田投资", "苏州")


def test_an_officer_may_not_edit_an_organisation_of_another_officer(client, officer, other_officer):
    organisation = OrganisationFactory(owner=other_officer, city="无锡")
    client.force_login(officer)
    url = reverse("crm:organisation_edit", args=[organisation.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, organisation_data(organisation, city="苏州")).status_code == 403
    organisation.refresh_from_db()
    assert organisation.city == "无锡"
    page = client.get(reverse("crm:organisation_detail", args=[organisation.pk])).content.decode()
    assert url not in page


def test_a_manager_edits_the_organisations_of_the_team(client, manager, officer):
    organisation = OrganisationFactory(owner=officer)
    client.force_login(manager)
    response = client.post(
        reverse("crm:organisation_edit", args=[organisation.pk]), organisation_data(organisation, city="上海")
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.city == "上海"


def test_pages_of_missing_records_answer_404(client, officer):
    client.force_login(officer)
    for url in [
        reverse("crm:organisation_edit", args=[999999]),
        reverse("crm:organisation_detail", args=[999999]),
        reverse("crm:contact_create", args=[999999]),
        reverse("crm:contact_edit", args=[999999]),
        reverse("crm:visit_edit", args=[999999]),
        reverse("crm:mission_detail", args=[999999]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("crm:visit_follow_up_done", args=[999999])).status_code == 404


# --- Contacts ----------------------------------------------------------------------


def test_a_contact_is_added_from_the_organisation_page(client, officer, other_officer):
    organisation = OrganisationFactory(owner=other_officer)
    client.force_login(officer)
    detail = client.get(reverse("crm:organisation_detail", args=[organisation.pk])).content.decode()
    url = reverse("crm:contact_create", args=[organisation.pk])
    assert url in detail
    response = client.post(url, {"name": "田中部长", "title": "部长", "phone": "+81 3 1234 5678", "is_active": "on"})
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.organisation, contact.owner, contact.title) == (organisation, officer, "部长")


def test_a_contact_is_edited_and_a_stale_edit_is_refused(client, officer):
    contact = ContactFactory(organisation=OrganisationFactory(owner=officer), name="田中", title="课长")
    client.force_login(officer)
    url = reverse("crm:contact_edit", args=[contact.pk])
    assert client.get(url).status_code == 200
    fields = {"name": "田中", "title": "部长", "is_active": "on", "version": 1}
    assert client.post(url, fields).status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("部长", 2)
    stale = client.post(url, {**fields, "title": "本部长"})
    assert stale.status_code == 200
    assert {"label": "Job title", "saved": "部长", "typed": "本部长"} in stale.context["newer"]
    contact.refresh_from_db()
    assert contact.title == "部长"


def test_a_contact_of_another_officers_organisation_is_not_editable(client, officer, other_officer):
    contact = ContactFactory(organisation=OrganisationFactory(owner=other_officer), name="田中")
    client.force_login(officer)
    url = reverse("crm:contact_edit", args=[contact.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "改名", "version": 1}).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "田中"


# --- Visits ------------------------------------------------------------------------


def visit_data(visit: Visit, **values) -> dict:
    data = {
        "date": visit.date.isoformat(),
        "kind": visit.kind,
        "mission": visit.mission_id or "",
        "location": visit.location,
        "summary": visit.summary,
        "intention": visit.intention,
        "next_step": visit.next_step,
        "follow_up_on": visit.follow_up_on.isoformat() if visit.follow_up_on else "",
        "follow_up_done_on": "",
        "officers": [officer.pk for officer in visit.officers.all()],
        "contacts": [contact.pk for contact in visit.contacts.all()],
        "version": visit.version,
    }
    data.update(values)
    return data


@pytest.fixture
def visit(officer):
    visit = VisitFactory(owner=officer, organisation=OrganisationFactory(name="村田（中国）投资有限公司"))
    visit.officers.add(officer)
    return visit


def test_a_visit_is_edited_with_a_contact_picked_and_one_added(client, officer, visit):
    known = ContactFactory(organisation=visit.organisation, name="田中部长")
    client.force_login(officer)
    url = reverse("crm:visit_edit", args=[visit.pk])
    page = client.get(url).content.decode()
    assert "田中部长" in page
    response = client.post(
        url,
        visit_data(visit, summary="谈了扩产", contacts=[known.pk], new_contact_name="佐藤", new_contact_title="课长"),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.summary == "谈了扩产" and visit.version == 2
    assert sorted(contact.name for contact in visit.contacts.all()) == ["佐藤", "田中部长"]


def test_a_refused_visit_edit_keeps_nothing_not_even_the_new_contact(client, officer, visit):
    client.force_login(officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("crm:visit_edit", args=[visit.pk]),
        visit_data(visit, date=tomorrow.isoformat(), follow_up_on="", new_contact_name="佐藤"),
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["date"]
    assert str(tomorrow) in message and message in response.content.decode()
    assert 'value="佐藤"' in response.content.decode()
    assert not Contact.objects.exists()
    visit.refresh_from_db()
    assert visit.version == 1


def test_a_stale_visit_edit_is_refused(client, officer, colleague, visit):
    visit.officers.add(colleague)
    client.force_login(officer)
    opened = visit_data(visit)
    services.visit_save(visit=Visit.objects.get(pk=visit.pk), by=colleague)  # the colleague saved meanwhile
    response = client.post(reverse("crm:visit_edit", args=[visit.pk]), {**opened, "summary": "我的版本"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "我的版本" in response.content.decode()
    visit.refresh_from_db()
    assert visit.summary != "我的版本"


def test_an_officer_who_was_not_there_may_not_edit_the_visit(client, other_officer, visit):
    client.force_login(other_officer)
    url = reverse("crm:visit_edit", args=[visit.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, visit_data(visit, summary="改")).status_code == 403
    visit.refresh_from_db()
    assert visit.summary != "改"


def test_a_follow_up_is_marked_done_from_the_visit_list(client, officer, visit):
    visit.follow_up_on = timezone.localdate()
    visit.save()
    client.force_login(officer)
    listed = client.get(reverse("crm:visit_list")).content.decode()
    done_url = reverse("crm:visit_follow_up_done", args=[visit.pk])
    assert done_url in listed
    response = client.post(done_url, {"version": visit.version, "next": "/crm/visits/?follow_up_open=true"})
    assert response["Location"] == "/crm/visits/?follow_up_open=true"
    visit.refresh_from_db()
    assert visit.follow_up_done_on == timezone.localdate()
    assert done_url not in client.get(reverse("crm:visit_list")).content.decode()


def test_a_follow_up_marked_on_a_stale_page_is_refused(client, officer, visit):
    visit.follow_up_on = timezone.localdate()
    visit.save()
    client.force_login(officer)
    services.visit_save(visit=Visit.objects.get(pk=visit.pk), by=officer)  # version 2 now
    response = client.post(reverse("crm:visit_follow_up_done", args=[visit.pk]), {"version": 1}, follow=True)
    assert "Someone else changed this visit meanwhile" in response.content.decode()
    visit.refresh_from_db()
    assert visit.follow_up_done_on is None


def test_only_people_who_may_edit_the_visit_mark_its_follow_up(client, other_officer, visit):
    client.force_login(other_officer)
    response = client.post(reverse("crm:visit_follow_up_done", args=[visit.pk]), {"version": visit.version})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.follow_up_done_on is None


def test_a_mistyped_credit_code_is_refused_next_to_the_field(client, officer):
    client.force_login(officer)
    wrong = credit_code(5353)[:-1] + ("0" if credit_code(5353)[-1] != "0" else "1")
    response = client.post(reverse("crm:organisation_create"), organisation_data(credit_code=wrong))
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert not Organisation.objects.exists()


def test_an_organisation_deleted_while_being_edited_is_not_brought_back(client, officer):
    organisation = OrganisationFactory(owner=officer)
    client.force_login(officer)
    url = reverse("crm:organisation_edit", args=[organisation.pk])
    data = organisation_data(organisation, city="苏州")
    client.get(url)
    Organisation.objects.filter(pk=organisation.pk).delete()
    assert client.post(url, data).status_code == 404
    assert not Organisation.objects.exists()
