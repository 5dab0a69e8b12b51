"""Open problems in the calendar feed (their due dates, all day, for whoever the problem
is theirs) and in the morning brief (the overdue ones, with links), as hidden as their
project."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import calendar_token_renew
from outbound import brief
from problems.models import Department, Problem
from tests.factories import project_in_stage
from tests.problems.conftest import make_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def department(db):
    return Department.objects.create(name="自然资源和规划局", name_en="Natural Resources and Planning Bureau")


def feed_events(client, user) -> dict[str, icalendar.Event]:
    token = calendar_token_renew(user=user).token
    client.logout()
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def problem_uids(events) -> set[int]:
    return {int(uid.split("-")[1].split("@")[0]) for uid in events if uid.startswith("problem-")}


@pytest.fixture
def problems(officer, colleague, other_officer, department):
    ours = project_in_stage("producing", owner=officer, name="村田新能源项目")
    colleagues = project_in_stage("producing", owner=colleague, name="同事的项目")
    hidden = project_in_stage("producing", owner=other_officer, name="欧洲保密项目", is_confidential=True)
    return {
        "open": make_problem(ours, department, title="用地指标不足", due_in=12),
        "closed": make_problem(
            ours,
            department,
            title="已解决的诉求",
            due_in=5,
            status=Problem.Status.SOLVED,
            closed_on=timezone.localdate(),
            resolution="已协调解决",
        ),
        "raised": make_problem(colleagues, department, raised_by=officer, title="代同事提出的诉求", due_in=3),
        "colleague": make_problem(colleagues, department, title="同事的诉求", due_in=4),
        "hidden": make_problem(hidden, department, raised_by=officer, title="保密项目的诉求", due_in=6),
    }


def test_the_feed_lists_the_due_dates_of_the_users_open_problems_all_day(client, officer, problems):
    events = feed_events(client, officer)
    assert problem_uids(events) == {problems["open"].pk, problems["raised"].pk}
    event = events[next(uid for uid in events if uid.startswith(f"problem-{problems['open'].pk}@"))]
    assert event.decoded("dtstart") == problems["open"].due_on  # a date: all day
    assert event.decoded("dtend") == problems["open"].due_on + dt.timedelta(days=1)
    assert "村田新能源项目" in str(event["SUMMARY"]) and "用地指标不足" in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(problems["open"].get_absolute_url())


def test_a_managers_feed_covers_the_teams_problems_but_not_a_hidden_project(client, manager, problems):
    assert problem_uids(feed_events(client, manager)) == {
        problems["open"].pk,
        problems["raised"].pk,
        problems["colleague"].pk,
    }


@pytest.fixture
def overdue(officer, other_officer, department):
    ours = project_in_stage("producing", owner=officer, name="村田新能源项目")
    secret = project_in_stage("producing", owner=officer, name="绝密扩产项目", is_confidential=True)
    theirs = project_in_stage("producing", owner=other_officer, name="欧洲电池项目")
    make_problem(ours, department, title="用地指标不足", days_ago=30, due_in=-3)
    make_problem(secret, department, title="保密项目的电力增容", days_ago=30, due_in=-8)
    make_problem(theirs, department, title="他队的环评", days_ago=30, due_in=-1)
    make_problem(ours, department, title="尚未到期的诉求", due_in=2)
    make_problem(
        ours,
        department,
        title="已解决的诉求",
        days_ago=30,
        due_in=-9,
        status=Problem.Status.SOLVED,
        closed_on=timezone.localdate(),
        resolution="已协调解决",
    )


def brief_text(channel) -> str:
    _title, texts = brief.brief_texts(channel, timezone.localdate())
    return "\n".join(texts)


def test_the_team_brief_names_its_overdue_problems_with_links(channel_for, team, overdue):
    text = brief_text(channel_for("wecom", team=team))
    assert "**Problems overdue** 2" in text
    assert "用地指标不足" in text and "3 days late" in text
    assert "保密项目的电力增容" in text  # the team's own confidential project, in the team's group
    assert "他队的环评" not in text and "尚未到期的诉求" not in text and "已解决的诉求" not in text
    problem = Problem.objects.get(title="用地指标不足")
    assert "[用地指标不足](http" in text and problem.get_absolute_url() + ")" in text


def test_the_office_brief_leaves_out_confidential_problems_and_counts_the_rest(
    channel_for, officer, department, overdue
):
    project = project_in_stage("producing", owner=officer, name="积压诉求项目")
    for i in range(10):
        make_problem(project, department, title=f"积压诉求{i}", days_ago=40, due_in=-20)
    text = brief_text(channel_for("feishu"))
    assert "保密" not in text
    assert "**Problems overdue** 12" in text and "and 2 more" in text
    assert text.count("- [积压诉求") == 10  # the oldest due first; the two others counted
    assert "用地指标不足" not in text
