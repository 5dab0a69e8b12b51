"""The crm lists: what the filters keep, and how they behave with odd query strings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from crm.models import Organisation
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, VisitFactory, credit_code

pytestmark = pytest.mark.django_db


def _names(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [str(row) for row in response.context["page"].object_list]


def test_organisations_are_found_by_any_part_of_either_name_or_the_credit_code(client, officer):
    code = credit_code(777001)
    OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata (China) Investment", credit_code=code)
    OrganisationFactory(name="江南大学", name_en="Jiangnan University", kind=Organisation.Kind.UNIVERSITY)
    client.force_login(officer)
    for query in ["中国）投资", "china) inv", code[-9:], code[-9:].lower()]:
        assert _names(client, f"/crm/organisations/?q={query}") == ["村田（中国）投资有限公司"], query


def test_values_a_list_does_not_know_are_ignored(client, officer):
    OrganisationFactory()
    MissionFactory()
    VisitFactory()
    client.force_login(officer)
    assert len(_names(client, "/crm/organisations/?kind=spaceship&industry=abc&has_active_project=maybe")) == 2
    assert len(_names(client, "/crm/missions/?status=someday&region=mars&year=x")) == 1
    assert len(_names(client, "/crm/visits/?date_after=yesterday&officer=99999999999999999999")) == 1
    assert len(_names(client, "/crm/contacts/?is_active=perhaps&page=999")) == 0


def test_a_filter_the_page_does_not_offer_still_applies_and_stays_in_the_form(client, officer):
    today = timezone.localdate()
    murata = OrganisationFactory(name="村田制作所")
    VisitFactory(organisation=murata, date=today, summary="第一次")
    VisitFactory(organisation=murata, date=today - dt.timedelta(days=3), summary="第二次")
    VisitFactory(summary="别家")
    client.force_login(officer)
    response = client.get(f"/crm/visits/?organisation={murata.pk}&kind=outgoing")
    assert response.context["page"].paginator.count == 2
    page = response.content.decode()
    assert f'<input type="hidden" name="organisation" value="{murata.pk}">' in page
    assert "别家" not in page


def test_htmx_gets_only_the_results(client, officer):
    ContactFactory(name="田中部长")
    client.force_login(officer)
    response = client.get("/crm/contacts/?q=田中", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contact-results")
    page = response.content.decode()
    assert "田中部长" in page and "<html" not in page


def test_the_mission_tabs_keep_the_other_filters(client, officer):
    today = timezone.localdate()
    MissionFactory(title="德国招商团", region="europe", start_date=today, end_date=today + dt.timedelta(days=2))
    MissionFactory(title="日本招商周")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    response = client.get("/crm/missions/?status=under_way&region=europe")
    assert [m.title for m in response.context["page"].object_list] == ["德国招商团"]
    page = response.content.decode()
    assert 'href="?status=done&amp;region=europe"' in page
    assert 'href="?region=europe"' in page  # "All"
