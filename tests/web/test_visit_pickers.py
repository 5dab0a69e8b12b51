"""The visit forms' mission and officer pickers: a few likely missions and the chosen
officers are drawn, the rest is searched as one types (issue 8: the form used to list
every mission of 90 days and every user as options)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Mission, Visit
from tests.factories import MissionFactory, OrganisationFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

URL = "/crm/visits/new/"
MANY = 300


def form_data(**values):
    data = {
        "date": timezone.localdate().isoformat(),
        "kind": Visit.Kind.OUTGOING,
        "summary": "介绍园区政策，对方有扩产意向",
        "intention": Visit.Intention.HIGH,
    }
    data.update(values)
    return data


@pytest.fixture
def crowd(officer):
    """300 missions under way and 300 active officers: more than a form may list."""
    today = timezone.localdate()
    Mission.objects.bulk_create(
        Mission(
            title=f"常规招商团组{n}",
            region=Mission.Region.EUROPE,
            start_date=today - dt.timedelta(days=n % 60),
            end_date=today - dt.timedelta(days=n % 60) + dt.timedelta(days=5),
            owner=officer,
            team=officer.team,
        )
        for n in range(MANY)
    )
    get_user_model().objects.bulk_create(
        get_user_model()(username=f"crowd{n}", display_name=f"同事{n}", team=officer.team) for n in range(MANY)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


def test_the_new_visit_page_lists_a_few_missions_and_no_officers_whatever_their_number(client, officer, crowd):
    client.force_login(officer)
    client.get(URL)
    response, queries = _queries(client, URL)
    page = response.content.decode()
    assert page.count("<option") <= 25  # the short mission list and the kinds and intentions
    assert page.count("data-mission-pick") == 0 and "同事" not in page
    assert len(response.content) < 20_000
    assert queries <= 12


def test_the_edit_page_lists_a_few_missions_and_only_the_visits_officers(client, officer, colleague, crowd):
    visit = VisitFactory(owner=officer, organisation=OrganisationFactory(owner=officer))
    visit.officers.add(officer, colleague)
    client.force_login(officer)
    url = reverse("crm:visit_edit", args=[visit.pk])
    client.get(url)
    response, queries = _queries(client, url)
    page = response.content.decode()
    assert page.count("<option") <= 25
    assert "同事" not in page
    assert f'name="officers" value="{colleague.pk}"' in page and f'name="officers" value="{officer.pk}"' in page
    assert len(response.content) < 20_000
    assert queries <= 12


def test_the_short_list_starts_with_the_users_mission_under_way_then_the_nearest(client, officer, colleague):
    today = timezone.localdate()
    older = MissionFactory(
        title="两月前的团组", start_date=today - dt.timedelta(days=60), end_date=today - dt.timedelta(days=55)
    )
    nearer = MissionFactory(
        title="上周的团组", start_date=today - dt.timedelta(days=8), end_date=today - dt.timedelta(days=6)
    )
    mine = MissionFactory(
        title="我在的团组",
        start_date=today - dt.timedelta(days=2),
        end_date=today + dt.timedelta(days=2),
        owner=colleague,
    )
    mine.participants.add(officer)
    MissionFactory(
        title="明年的团组", start_date=today + dt.timedelta(days=300), end_date=today + dt.timedelta(days=305)
    )
    client.force_login(officer)
    page = client.get(URL).content.decode()
    titles = [mission.title for mission in (mine, nearer, older)]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "明年的团组" not in page  # a visit cannot be logged against it
    # First in the list and offered beside it, but not chosen without the officer's tap.
    assert f'<option value="{mine.pk}">' in page
    assert f'data-mission-apply="{mine.pk}"' in page


def test_missions_are_searched_by_title_city_and_country(client, officer):
    today = timezone.localdate()
    tokyo = MissionFactory(
        title="东京半导体推介会",
        cities="东京、大阪",
        countries=["JP"],
        start_date=today - dt.timedelta(days=3),
        end_date=today,
    )
    munich = MissionFactory(title="欧洲汽车零部件招商", cities="慕尼黑", countries=["DE"], region=Mission.Region.EUROPE)
    MissionFactory(
        title="东京旧团组",
        countries=["JP"],
        start_date=today - dt.timedelta(days=200),
        end_date=today - dt.timedelta(days=195),
    )
    client.force_login(officer)
    url = reverse("crm:mission_autocomplete")

    def found(query):
        return client.get(url, {"mission_query": query}).content.decode()

    assert "东京半导体推介会" in found("半导体") and "欧洲汽车" not in found("半导体")
    assert "欧洲汽车零部件招商" in found("慕尼黑")
    assert "欧洲汽车零部件招商" in found("Germany")
    assert "东京半导体推介会" in found("Japan")
    assert "东京旧团组" not in found("东京")  # past the 90 days: not offered
    assert f'data-mission-pick="{tokyo.pk}"' in found("东京") and f'data-mission-pick="{munich.pk}"' in found("Europe")
    assert "近90天内没有匹配的招商活动。" in found("火星")


def test_mission_search_is_bounded_and_costs_a_few_queries(client, officer, crowd):
    client.force_login(officer)
    url = reverse("crm:mission_autocomplete")
    client.get(url, {"q": "团组"})
    response, queries = _queries(client, url + "?q=%E5%9B%A2%E7%BB%84")
    assert response.content.decode().count("data-mission-pick") == 10
    assert queries <= 4


def test_officers_are_searched_by_name_and_user_name_leaving_out_the_picked_and_the_inactive(
    client, officer, colleague
):
    wang = UserFactory(username="wangwei", display_name="王伟")
    UserFactory(username="wangold", display_name="王老", is_active=False)
    client.force_login(officer)
    url = reverse("crm:officer_autocomplete")
    page = client.get(url, {"field": "other_officers", "other_officers_query": "王"}).content.decode()
    assert f'data-officer-pick="{wang.pk}"' in page and "王老" not in page
    assert "王伟" in client.get(url, {"field": "other_officers", "q": "WANGW"}).content.decode()
    picked = client.get(url, {"field": "other_officers", "other_officers_query": "王", "other_officers": [wang.pk]})
    assert "王伟" not in picked.content.decode()
    # The user is not among the "other" officers, but is among a visit's officers.
    assert (
        f'data-officer-pick="{officer.pk}"'
        not in client.get(url, {"field": "other_officers", "q": "zhang"}).content.decode()
    )
    assert f'data-officer-pick="{officer.pk}"' in client.get(url, {"field": "officers", "q": "zhang"}).content.decode()


def test_officer_search_is_bounded_and_costs_a_few_queries(client, officer, crowd):
    client.force_login(officer)
    url = reverse("crm:officer_autocomplete")
    client.get(url, {"q": "同事"})
    response, queries = _queries(client, url + "?field=other_officers&q=crowd")
    assert response.content.decode().count("data-officer-pick") == 10
    assert queries <= 4


@pytest.mark.parametrize("name", ["crm:mission_autocomplete", "crm:officer_autocomplete"])
def test_the_searches_need_a_login(client, name):
    response = client.get(reverse(name), {"q": "a"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_visit_with_a_picked_mission_and_officers_is_saved_in_19_queries(client, officer, colleague):
    today = timezone.localdate()
    mission = MissionFactory(start_date=today - dt.timedelta(days=1), end_date=today)
    third = UserFactory(username="sun")
    organisation = OrganisationFactory()
    client.force_login(officer)
    client.get(URL)
    data = form_data(organisation=organisation.pk, mission=mission.pk, other_officers=[colleague.pk, third.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.mission == mission
    assert set(visit.officers.all()) == {officer, colleague, third}
    # One history row: the visit created by the officer, with everyone who went.
    history = list(visit.history.order_by("history_date", "history_id"))
    assert [(row.history_type, row.history_user) for row in history] == [("+", officer)]
    assert {row.user_id for row in history[0].officers.all()} == {officer.pk, colleague.pk, third.pk}
    # Session, user; the organisation, mission and officers checked by the form; the
    # visit, its officers, its history row with theirs (it reads the officers and
    # contacts it copies); two savepoints (the view's and the service's), each opened
    # and released; the investor's projects' last activity moved on; the organisation's
    # group (up, down) and its first-contact registration looked up (claims). It was 26.
    assert len(captured) == 19, "\n".join(query["sql"][:120] for query in captured)


def test_a_visit_with_neither_mission_nor_other_officers_is_saved_in_17_queries(client, officer):
    organisation = OrganisationFactory()
    client.force_login(officer)
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, form_data(organisation=organisation.pk))
    assert response.status_code == 302
    assert list(Visit.objects.get().officers.all()) == [officer]
    # What the bench posts. It counts 12 (was 21): outside a test's transaction the
    # view's transaction is the outermost one and logs no SAVEPOINT and RELEASE.
    assert len(captured) == 17, "\n".join(query["sql"][:120] for query in captured)


def test_an_out_of_range_mission_or_officer_is_refused_on_its_field_and_nothing_is_saved(client, officer, colleague):
    today = timezone.localdate()
    old = MissionFactory(start_date=today - dt.timedelta(days=200), end_date=today - dt.timedelta(days=199))
    gone = UserFactory(is_active=False)
    organisation = OrganisationFactory()
    client.force_login(officer)
    response = client.post(URL, form_data(organisation=organisation.pk, mission=old.pk, other_officers=[gone.pk]))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "只能为近90天内的招商活动登记拜访" in errors["mission"][0]
    assert errors["other_officers"]
    response = client.post(URL, form_data(organisation=organisation.pk, mission="999999", other_officers=[officer.pk]))
    assert set(response.context["form"].errors) == {"mission", "other_officers"}
    assert not Visit.objects.exists()


def test_a_refused_visit_keeps_the_picked_mission_and_officers(client, officer, colleague):
    today = timezone.localdate()
    far = MissionFactory(
        title="很久以前的团组", start_date=today - dt.timedelta(days=80), end_date=today - dt.timedelta(days=79)
    )
    for n in range(12):  # more likely missions than the short list holds
        MissionFactory(start_date=today - dt.timedelta(days=n), end_date=today)
    organisation = OrganisationFactory()
    client.force_login(officer)
    # The date is outside the mission: the service refuses, the form is drawn again.
    response = client.post(URL, form_data(organisation=organisation.pk, mission=far.pk, other_officers=[colleague.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors["mission"]
    assert f'<option value="{far.pk}" selected>很久以前的团组' in page
    assert f'name="other_officers" value="{colleague.pk}"' in page
    assert not Visit.objects.exists()


def test_without_javascript_officers_are_named_by_user_name(client, officer, colleague):
    organisation = OrganisationFactory()
    client.force_login(officer)
    response = client.post(URL, form_data(organisation=organisation.pk, other_officers_query="li"))
    assert response.status_code == 302
    assert set(Visit.objects.get().officers.all()) == {officer, colleague}
    refused = client.post(URL, form_data(organisation=organisation.pk, other_officers_query="li, nobody"))
    assert "nobody" in refused.context["form"].errors["other_officers"][0]
    assert Visit.objects.count() == 1


def test_an_edit_changes_the_officers_through_the_chips(client, officer, colleague):
    visit = VisitFactory(owner=officer, organisation=OrganisationFactory(owner=officer))
    visit.officers.add(officer)
    client.force_login(officer)
    url = reverse("crm:visit_edit", args=[visit.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in ("date", "kind", "summary", "intention", "version")}
    response = client.post(url, {**data, "officers": [officer.pk, colleague.pk]})
    assert response.status_code == 302
    assert set(Visit.objects.get(pk=visit.pk).officers.all()) == {officer, colleague}
