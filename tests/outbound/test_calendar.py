"""The private calendar address: made, renewed and revoked on the Login and security
page, read by a calendar app without logging in, parsed back here with icalendar."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CalendarToken
from accounts.services import calendar_token_renew
from tests.factories import MissionFactory, VisitFactory, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def feed(client, token: str):
    client.logout()  # a calendar app has no session
    return client.get(reverse("calendar_feed", args=[token]))


def events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def dates(officer, colleague, other_officer):
    today = timezone.localdate()
    project = project_in_stage(
        "signed", owner=officer, name="村田新工厂", started_planned=today + dt.timedelta(days=20)
    )
    mission = MissionFactory(
        owner=colleague,
        title="日本招商团组",
        start_date=today + dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=9),
    )
    mission.participants.add(officer)
    visit = VisitFactory(owner=officer, organisation__name="无锡芯源半导体", follow_up_on=today + dt.timedelta(days=2))
    VisitFactory(owner=officer, follow_up_on=today + dt.timedelta(days=3), follow_up_done_on=today)  # done
    # Someone else's dates, and a confidential project of another team owned by our officer.
    project_in_stage("signed", owner=other_officer, name="欧洲电池项目", started_planned=today + dt.timedelta(days=20))
    hidden = project_in_stage(
        "signed",
        owner=officer,
        team=other_officer.team,
        name="欧洲保密项目",
        is_confidential=True,
        started_planned=today + dt.timedelta(days=20),
    )
    return {"project": project, "mission": mission, "visit": visit, "hidden": hidden, "today": today}


def test_the_security_page_makes_an_address_whose_feed_lists_the_users_dates(client, officer, dates):
    client.force_login(officer)
    page = client.post(reverse("account_security"), {"calendar": "renew"}, follow=True)
    token = CalendarToken.objects.get(user=officer).token
    assert reverse("calendar_feed", args=[token]) in page.content.decode()

    found = events(feed(client, token))

    today, project, mission, visit = dates["today"], dates["project"], dates["mission"], dates["visit"]
    assert set(found) == {
        f"milestone-{project.pk}-started@127.0.0.1",
        f"mission-{mission.pk}@127.0.0.1",
        f"follow-up-{visit.pk}@127.0.0.1",
    }
    milestone = found[f"milestone-{project.pk}-started@127.0.0.1"]
    assert milestone.decoded("DTSTART") == today + dt.timedelta(days=20)  # a date: an all-day event
    assert "村田新工厂" in str(milestone["SUMMARY"])
    assert str(milestone["URL"]).endswith(f"/projects/{project.pk}/")
    trip = found[f"mission-{mission.pk}@127.0.0.1"]
    assert (trip.decoded("DTSTART"), trip.decoded("DTEND")) == (
        today + dt.timedelta(days=5),
        today + dt.timedelta(days=10),  # the end is exclusive
    )
    assert "无锡芯源半导体" in str(found[f"follow-up-{visit.pk}@127.0.0.1"]["SUMMARY"])
    # The same address again: the same UIDs, so calendar apps update rather than add.
    assert set(events(feed(client, token))) == set(found)


def test_a_manager_feed_covers_the_team_but_not_hidden_projects(client, manager, dates):
    token = calendar_token_renew(user=manager).token
    summaries = " ".join(str(event["SUMMARY"]) for event in events(feed(client, token)).values())
    assert "村田新工厂" in summaries and "无锡芯源半导体" in summaries
    assert "欧洲电池项目" not in summaries  # another team's


def test_a_confidential_project_of_another_team_never_reaches_the_feed(client, officer, dates):
    token = calendar_token_renew(user=officer).token
    summaries = " ".join(str(event["SUMMARY"]) for event in events(feed(client, token)).values())
    assert "欧洲保密项目" not in summaries


def test_a_renewed_or_revoked_address_answers_404(client, officer, dates):
    old = calendar_token_renew(user=officer).token
    client.force_login(officer)
    client.post(reverse("account_security"), {"calendar": "renew"})
    new = CalendarToken.objects.get(user=officer).token
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200

    client.force_login(officer)
    page = client.post(reverse("account_security"), {"calendar": "revoke"}, follow=True)
    assert new not in page.content.decode()
    assert feed(client, new).status_code == 404
    assert feed(client, "made-up").status_code == 404


def test_a_user_who_left_has_no_feed(client, officer, dates):
    token = calendar_token_renew(user=officer).token
    officer.is_active = False
    officer.save()
    assert feed(client, token).status_code == 404


def test_the_feed_costs_the_same_queries_however_many_dates(client, officer, dates):
    token = calendar_token_renew(user=officer).token

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            events(feed(client, token))
        return len(context)

    few = queries()
    for n in range(5):
        project_in_stage("signed", owner=officer, started_planned=dates["today"] + dt.timedelta(days=30 + n))
        VisitFactory(owner=officer, follow_up_on=dates["today"] + dt.timedelta(days=n))
    assert queries() == few
