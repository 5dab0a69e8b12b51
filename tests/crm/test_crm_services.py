"""Rules on organisations, missions and visits that an officer meets when logging work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core.errors import DomainError
from crm.models import Contact, Mission, Organisation, Visit
from crm.services import mission_save, organisation_delete, organisation_save, visit_save
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory, ProjectFactory, VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def organisation(frozen_today, officer):
    return OrganisationFactory(owner=officer, name="无锡村田电子有限公司")


def new_visit(organisation: Organisation, on: dt.date, **kwargs) -> Visit:
    return Visit(organisation=organisation, date=on, summary="介绍园区政策", **kwargs)


# --- Visits ---------------------------------------------------------------------------


def test_a_visit_logged_today_is_saved_with_the_logging_officer_among_its_officers(organisation, officer, frozen_today):
    visit = visit_save(visit=new_visit(organisation, frozen_today), by=officer)
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.owner, stored.team, stored.date) == (officer, officer.team, frozen_today)
    assert set(stored.officers.all()) == {officer}


def test_the_logging_officer_is_added_to_the_officers_named(organisation, officer, colleague, frozen_today):
    visit = visit_save(visit=new_visit(organisation, frozen_today), by=officer, officers=[colleague])
    assert set(Visit.objects.get(pk=visit.pk).officers.all()) == {officer, colleague}


def test_a_visit_in_the_future_is_refused(organisation, officer, frozen_today):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        visit_save(visit=new_visit(organisation, frozen_today + dt.timedelta(days=1)), by=officer)
    assert caught.value.field == "date"
    assert str(caught.value) == "A visit is logged once it has happened: 2024-06-16 is in the future."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        visit_save(visit=new_visit(organisation, frozen_today + dt.timedelta(days=1)), by=officer)
    assert str(caught.value).strip()
    assert not Visit.objects.exists()


def test_a_follow_up_before_the_visit_is_refused(organisation, officer, frozen_today):
    visit = new_visit(organisation, frozen_today, follow_up_on=frozen_today - dt.timedelta(days=1))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        visit_save(visit=visit, by=officer)
    assert caught.value.field == "follow_up_on"
    assert str(caught.value) == "The follow-up date cannot be before the visit."
    assert not Visit.objects.exists()


def test_a_follow_up_on_the_day_of_the_visit_or_later_is_accepted(organisation, officer, frozen_today):
    visit = new_visit(organisation, frozen_today, follow_up_on=frozen_today + dt.timedelta(days=7))
    visit_save(visit=visit, by=officer)
    assert Visit.objects.get().follow_up_on == dt.date(2024, 6, 22)


def test_contacts_must_work_at_the_visited_organisation(organisation, officer, frozen_today):
    ours = ContactFactory(organisation=organisation, name="田中")
    elsewhere = ContactFactory(organisation=OrganisationFactory(owner=officer), name="金先生")
    with translation.override("en"), pytest.raises(DomainError) as caught:
        visit_save(visit=new_visit(organisation, frozen_today), by=officer, contacts=[ours, elsewhere])
    assert caught.value.field == "contacts"
    assert str(caught.value) == "金先生 does not work at 无锡村田电子有限公司."
    assert not Visit.objects.exists()


def test_the_contacts_met_are_saved_with_the_visit(organisation, officer, frozen_today):
    tanaka = ContactFactory(organisation=organisation, name="田中")
    visit = visit_save(visit=new_visit(organisation, frozen_today), by=officer, contacts=[tanaka])
    assert list(Visit.objects.get(pk=visit.pk).contacts.all()) == [tanaka]


def test_moving_a_visit_to_another_organisation_keeps_its_contacts_consistent(organisation, officer, frozen_today):
    # The form changes the organisation but does not resend the contacts.
    tanaka = ContactFactory(organisation=organisation, name="田中")
    visit = visit_save(visit=new_visit(organisation, frozen_today), by=officer, contacts=[tanaka])
    form = Visit.objects.get(pk=visit.pk)
    form.organisation = OrganisationFactory(owner=officer, name="另一家公司")
    with translation.override("en"), pytest.raises(DomainError) as caught:
        visit_save(visit=form, by=officer)
    assert str(caught.value) == "田中 does not work at 另一家公司."
    assert Visit.objects.get(pk=visit.pk).organisation == organisation


def test_a_visit_outside_its_missions_dates_is_refused(organisation, officer, frozen_today):
    mission = MissionFactory(
        owner=officer,
        title="2024日韩招商团组",
        start_date=dt.date(2024, 5, 20),
        end_date=dt.date(2024, 5, 25),
    )
    for day in [dt.date(2024, 5, 19), dt.date(2024, 5, 26)]:
        with translation.override("en"), pytest.raises(DomainError) as caught:
            visit_save(visit=new_visit(organisation, day, mission=mission), by=officer)
        assert caught.value.field == "mission"
        assert str(caught.value) == (
            "This visit's date is outside the mission 2024日韩招商团组 (2024-05-20 to 2024-05-25)."
        )
    assert not Visit.objects.exists()


def test_visits_on_the_first_and_last_day_of_a_mission_are_accepted(organisation, officer, frozen_today):
    mission = MissionFactory(owner=officer, start_date=dt.date(2024, 5, 20), end_date=dt.date(2024, 5, 25))
    for day in [mission.start_date, mission.end_date]:
        visit_save(visit=new_visit(organisation, day, mission=mission), by=officer)
    assert mission.visits.count() == 2


# --- Missions -------------------------------------------------------------------------


def test_a_mission_ending_before_it_starts_is_refused(frozen_today, officer):
    mission = Mission(
        title="欧洲招商团组",
        region=Mission.Region.EUROPE,
        start_date=dt.date(2024, 5, 20),
        end_date=dt.date(2024, 5, 19),
    )
    with translation.override("en"), pytest.raises(DomainError) as caught:
        mission_save(mission=mission, by=officer)
    assert caught.value.field == "end_date"
    assert str(caught.value) == "A mission cannot end before it starts."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        mission_save(mission=mission, by=officer)
    assert str(caught.value).strip()
    assert not Mission.objects.exists()


def test_a_one_day_mission_is_accepted_with_its_participants(frozen_today, officer, colleague):
    mission = Mission(
        title="深圳推介会",
        kind=Mission.Kind.HOSTED_EVENT,
        region=Mission.Region.DOMESTIC,
        start_date=dt.date(2024, 5, 20),
        end_date=dt.date(2024, 5, 20),
    )
    mission_save(mission=mission, by=officer, participants=[officer, colleague])
    stored = Mission.objects.get()
    assert (stored.owner, stored.start_date, stored.end_date) == (officer, dt.date(2024, 5, 20), dt.date(2024, 5, 20))
    assert set(stored.participants.all()) == {officer, colleague}


# --- Organisations --------------------------------------------------------------------


def test_an_organisation_with_visits_cannot_be_deleted_and_nothing_is_deleted(organisation, officer, frozen_today):
    contact = ContactFactory(organisation=organisation)
    VisitFactory(organisation=organisation, owner=officer)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        organisation_delete(organisation=organisation, by=officer)
    assert caught.value.code == "protected"
    assert str(caught.value) == "This record cannot be deleted while visits refer to it."
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        organisation_delete(organisation=organisation, by=officer)
    assert str(caught.value).strip()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Visit.objects.filter(organisation=organisation).count() == 1


def test_an_investor_in_a_project_cannot_be_deleted(organisation, officer):
    ProjectFactory(investor=organisation, owner=officer)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        organisation_delete(organisation=organisation, by=officer)
    assert str(caught.value) == "This record cannot be deleted while projects refer to it."
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_an_organisation_without_visits_is_deleted_with_its_contacts(organisation, officer):
    ContactFactory(organisation=organisation)
    organisation_delete(organisation=organisation, by=officer)
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not Contact.objects.exists()


def test_a_listed_organisation_needs_its_stock_code(frozen_today, officer):
    organisation = Organisation(
        name="无锡先导智能装备股份有限公司", credit_code="", exchange=Organisation.Exchange.SZSE
    )
    with translation.override("en"), pytest.raises(DomainError) as caught:
        organisation_save(organisation=organisation, by=officer)
    assert caught.value.field == "stock_code"
    assert str(caught.value) == "A listed organisation needs its stock code."
    assert not Organisation.objects.exists()
