"""The aftercare visit (服务走访): a visit to a producing company, and the problem it
raised, saved together or not at all."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.models import Visit
from problems.models import Problem
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, officer):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    return client


def form(department=None, **values) -> dict:
    today = timezone.localdate()
    data = {
        "date": today.isoformat(),
        "location": "企业会议室",
        "summary": "二期厂房扩产，反映用电容量不足",
        "raise_problem": "on",
        "title": "二期用电增容",
        "kind": "energy",
        "department": department.pk if department else "",
        "department_contact": "王科长",
        "due_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_the_visit_and_its_problem_are_saved_together(english, officer, producing, power):
    contact = ContactFactory(organisation=producing.investor, name="佐藤")
    url = reverse("problems:aftercare_visit", args=[producing.pk])
    page = english.get(url).content.decode()
    assert "佐藤" in page and "A problem the company raised" in page
    response = english.post(url, form(power, contacts=[contact.pk]))
    assert response.status_code == 302
    visit = Visit.objects.get()
    problem = Problem.objects.get()
    assert (visit.kind, visit.organisation_id, list(visit.contacts.all())) == (
        "aftercare",
        producing.investor_id,
        [contact],
    )
    assert (problem.visit, problem.project, problem.department, problem.raised_on, problem.raised_by) == (
        visit,
        producing,
        power,
        visit.date,
        officer,
    )
    project_page = english.get(reverse("projects:project_detail", args=[producing.pk])).content.decode()
    assert "二期用电增容" in project_page


def test_a_visit_without_a_problem(english, producing):
    response = english.post(
        reverse("problems:aftercare_visit", args=[producing.pk]),
        form(raise_problem=None, title="", kind="", due_on=""),
    )
    assert response.status_code == 302
    assert Visit.objects.get().kind == "aftercare"
    assert not Problem.objects.exists()


def test_a_problem_missing_its_department_keeps_the_visit_unsaved(english, producing):
    response = english.post(reverse("problems:aftercare_visit", args=[producing.pk]), form(None))
    assert response.status_code == 200
    assert "Needed for the problem raised." in response.content.decode()
    assert not Visit.objects.exists() and not Problem.objects.exists()


def test_a_problem_refused_by_the_service_rolls_the_visit_back(english, producing, power):
    # The visit is valid; the problem is due before the visit: the service refuses it
    # after the visit was written, and the visit goes with it.
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = english.post(reverse("problems:aftercare_visit", args=[producing.pk]), form(power, due_on=yesterday))
    assert response.status_code == 200
    assert "The due date cannot be before" in response.content.decode()
    assert not Visit.objects.exists() and not Problem.objects.exists()


def test_a_visit_refused_by_the_service_saves_no_problem(english, producing, power):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = english.post(reverse("problems:aftercare_visit", args=[producing.pk]), form(power, date=tomorrow))
    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    assert not Visit.objects.exists() and not Problem.objects.exists()


def test_a_repeated_post_logs_the_visit_once(english, producing, power):
    url = reverse("problems:aftercare_visit", args=[producing.pk])
    assert 'name="idempotency_token"' in english.get(url).content.decode()
    data = form(power, idempotency_token=uuid.uuid4().hex)
    assert english.post(url, data).status_code == 302
    assert english.post(url, data).status_code == 302  # the connection dropped: sent again
    assert (Visit.objects.count(), Problem.objects.count()) == (1, 1)
