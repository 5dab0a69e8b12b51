"""Reminder rules and levels, with the clock moved day by day (time-machine).

The zone: an officer owns a factory project in a team; `manager` manages that team;
`other_manager` manages another team of the same department, so hears only of red.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification, User
from crm.models import Visit
from crm.services import visit_save
from projects import reminders
from projects.models import Project, Reminder, ReminderRule, Stage
from projects.services import project_change_stage, project_replan, project_save
from tests.factories import MissionFactory, ProjectFactory, UserFactory, VisitFactory, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing", "reminder_rules")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2024, 6, 3)  # a Monday; the planned construction start below is 30 June
PLANNED = dt.date(2024, 6, 30)


@contextmanager
def on(day: dt.date, hour: int = 10):
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False):
        yield


def sweep_on(day: dt.date) -> reminders.SweepResult:
    with on(day):
        return reminders.sweep()


def told(result: reminders.SweepResult) -> list[tuple[str, str, list[str]]]:
    """(rule kind, level, usernames) of each reminder a sweep sent."""
    return [
        (item.reminder.rule.kind, item.reminder.level, sorted(person.username for person in item.recipients))
        for item in result.sent
    ]


def inbox(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


@pytest.fixture(autouse=True)
def english(settings):
    """Reminders are written in the office's language; these tests read English."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def factory_project(officer, manager, other_manager):
    """A signed 5-billion-yuan factory, construction planned for 30 June.

    Quiet-project reminders would join in after 60 days; they are tested on their own.
    """
    ReminderRule.objects.filter(kind="project_idle").update(is_active=False)
    with on(START):
        return project_in_stage(
            "signed", owner=officer, name="村田新工厂", total_investment=500000, started_planned=PLANNED
        )


# --- The default rules --------------------------------------------------------------------


def test_the_default_rules_are_data_an_admin_can_edit():
    # As the migrations leave them (a transaction=True test that ran before in this
    # process emptied the table; the reminder_rules fixture brings back 0004's only).
    from importlib import import_module

    from django.apps import apps

    import_module("projects.migrations.0018_promise_check_rule_kinds").create_promise_rules(apps, None)
    import_module("projects.migrations.0018_problem_reminder_rules").create_problem_rules(apps, None)
    rules = {(r.kind, r.days): (r.level, r.audience, r.mail_immediately) for r in ReminderRule.objects.all()}
    assert rules == {
        ("milestone_coming", 7): ("notice", "owner", False),
        ("milestone_coming", 1): ("notice", "owner", False),
        ("milestone_overdue", 1): ("blue", "owner", False),
        ("milestone_overdue", 30): ("yellow", "team_managers", False),
        ("milestone_overdue", 90): ("red", "department_managers", True),
        ("follow_up_due", 0): ("notice", "owner", False),
        ("mission_starting", 3): ("notice", "participants", False),
        ("project_idle", 60): ("notice", "owner", False),
        # Promise checks of investment agreements (projects migration 0018).
        ("promise_check_late", 30): ("blue", "owner", False),
        ("promise_check_late", 90): ("yellow", "team_managers", False),
        ("promise_check_late", 180): ("red", "department_managers", True),
        ("promise_not_met", 0): ("yellow", "team_managers", False),
        ("promise_not_met", 90): ("red", "department_managers", True),
        # Problems past their due date (projects migration 0018_problem_reminder_rules).
        ("problem_overdue", 1): ("blue", "owner", False),
        ("problem_overdue", 30): ("yellow", "team_managers", False),
        ("problem_overdue", 90): ("red", "department_managers", True),
    }


def test_a_rule_refuses_an_audience_that_does_not_fit_its_kind():
    with pytest.raises(ValidationError):
        ReminderRule(kind="mission_starting", days=3, audience="owner").full_clean()
    with pytest.raises(ValidationError):
        ReminderRule(kind="milestone_overdue", days=0, audience="owner").full_clean()


def test_each_date_falls_in_one_window_of_a_ladder():
    today = dt.date(2024, 6, 1)
    coming = [ReminderRule(kind="milestone_coming", days=d) for d in (7, 1)]
    overdue = [ReminderRule(kind="milestone_overdue", days=d) for d in (90, 1, 30)]
    windows = {
        (w.rule.kind, w.rule.days): (w.earliest, w.latest) for w in reminders.rule_windows(coming + overdue, today)
    }
    day = dt.timedelta(days=1)
    assert windows[("milestone_coming", 1)] == (today, today + day)
    assert windows[("milestone_coming", 7)] == (today + 2 * day, today + 7 * day)
    assert windows[("milestone_overdue", 1)] == (today - 29 * day, today - day)
    assert windows[("milestone_overdue", 30)] == (today - 89 * day, today - 30 * day)
    assert windows[("milestone_overdue", 90)] == (None, today - 90 * day)


# --- Planned milestones ------------------------------------------------------------------


def test_a_planned_start_is_announced_seven_days_and_one_day_before(factory_project, officer):
    assert told(sweep_on(dt.date(2024, 6, 22))) == []
    assert told(sweep_on(dt.date(2024, 6, 23))) == [("milestone_coming", "notice", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 6, 28))) == []
    assert told(sweep_on(dt.date(2024, 6, 29))) == [("milestone_coming", "notice", ["zhang"])]
    assert told(sweep_on(PLANNED)) == []
    assert inbox(officer) == [
        "村田新工厂: Construction started planned for 2024-06-30, in 7 days",
        "村田新工厂: Construction started planned for 2024-06-30, tomorrow",
    ]


def test_an_overdue_start_escalates_blue_yellow_red_to_ever_more_people(factory_project, officer, colleague):
    sweep_on(dt.date(2024, 6, 29))  # the 1-day notice
    assert told(sweep_on(dt.date(2024, 7, 1))) == [("milestone_overdue", "blue", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 7, 29))) == []
    assert told(sweep_on(dt.date(2024, 7, 30))) == [("milestone_overdue", "yellow", ["boss", "zhang"])]
    assert told(sweep_on(dt.date(2024, 9, 27))) == []
    red = sweep_on(dt.date(2024, 9, 28))
    assert told(red) == [("milestone_overdue", "red", ["boss", "chief", "zhang"])]
    assert len(red.mail_now) == 0, "nobody here has an e-mail address"
    assert told(sweep_on(dt.date(2025, 1, 1))) == []
    assert inbox(colleague) == []
    assert inbox(officer)[-1] == "Red alert: 村田新工厂: Construction started is 90 days late (planned for 2024-06-30)"


def test_a_red_alert_is_marked_for_mail_at_once(factory_project, officer, manager, other_manager):
    User.objects.filter(pk__in=[officer.pk, manager.pk, other_manager.pk]).update(email="x@example.org")
    result = sweep_on(dt.date(2024, 9, 28))
    assert told(result) == [("milestone_overdue", "red", ["boss", "chief", "zhang"])]
    assert len(result.mail_now) == 3
    assert result.mail_now == sorted([officer.pk, manager.pk, other_manager.pk])
    assert set(Notification.objects.values_list("mail", flat=True)) == {"immediate"}


def test_the_overdue_level_shows_on_the_project_and_follows_the_rules_table(factory_project):
    def levels(day):
        with on(day):
            annotated = reminders.with_overdue_level(Project.objects.filter(pk=factory_project.pk)).get()
            return reminders.overdue_level(factory_project, day), annotated.overdue_level

    assert levels(PLANNED) == ("", "")
    assert levels(dt.date(2024, 7, 1)) == ("blue", "blue")
    assert levels(dt.date(2024, 7, 29)) == ("blue", "blue")
    assert levels(dt.date(2024, 7, 30)) == ("yellow", "yellow")
    assert levels(dt.date(2024, 9, 28)) == ("red", "red")
    # Another zone warns after two weeks: the threshold is data.
    ReminderRule.objects.filter(kind="milestone_overdue", days=30).update(days=14)
    assert levels(dt.date(2024, 7, 14)) == ("yellow", "yellow")
    ReminderRule.objects.filter(kind="milestone_overdue", level="red").update(is_active=False)
    assert levels(dt.date(2024, 12, 1)) == ("yellow", "yellow")


def test_a_sweep_run_twice_sends_nothing_new(factory_project, officer):
    first = sweep_on(dt.date(2024, 7, 1))
    second = sweep_on(dt.date(2024, 7, 1))
    assert len(first.sent) == 1 and second.sent == []
    assert Reminder.objects.count() == 1
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_replanning_a_date_restarts_its_reminders(factory_project, officer):
    sweep_on(dt.date(2024, 7, 1))  # blue for 30 June
    with on(dt.date(2024, 7, 2)):
        project_replan(
            project=factory_project, stage="started", new_date=dt.date(2024, 8, 31), reason="环评延期", by=officer
        )
    assert told(sweep_on(dt.date(2024, 7, 30))) == [], "no yellow for a date that was re-planned"
    assert told(sweep_on(dt.date(2024, 8, 24))) == [("milestone_coming", "notice", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 8, 30))) == [("milestone_coming", "notice", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 9, 1))) == [("milestone_overdue", "blue", ["zhang"])]
    assert list(Reminder.objects.filter(level="blue").values_list("due_on", flat=True).order_by("due_on")) == [
        PLANNED,
        dt.date(2024, 8, 31),
    ]


def test_reaching_the_stage_ends_its_reminders(factory_project, officer):
    sweep_on(dt.date(2024, 7, 1))
    with on(dt.date(2024, 7, 5)):
        project_change_stage(project=factory_project, to_stage=Stage.STARTED, on=dt.date(2024, 7, 5), by=officer)
    assert told(sweep_on(dt.date(2024, 7, 30))) == []
    assert told(sweep_on(dt.date(2024, 9, 28))) == []
    with on(dt.date(2024, 9, 28)):
        factory_project.refresh_from_db()
        assert reminders.overdue_level(factory_project) == ""


def test_the_next_planned_stage_is_watched_after_one_is_reached(officer, manager, other_manager):
    with on(START):
        project = project_in_stage(
            "started", owner=officer, started_planned=dt.date(2024, 1, 1), completed_planned=dt.date(2024, 6, 10)
        )
    assert told(sweep_on(dt.date(2024, 6, 11))) == [("milestone_overdue", "blue", ["zhang"])]
    assert Reminder.objects.get().stage == "completed"
    assert project.stage == "started"


def test_after_an_outage_only_the_highest_level_due_is_sent_once(factory_project):
    # The workers were down from before the planned date until October.
    assert told(sweep_on(dt.date(2024, 10, 8))) == [("milestone_overdue", "red", ["boss", "chief", "zhang"])]
    assert told(sweep_on(dt.date(2024, 10, 8))) == []
    assert told(sweep_on(dt.date(2024, 12, 31))) == []


def test_a_missed_seven_day_notice_is_caught_up_until_the_one_day_notice_is_due(factory_project):
    assert told(sweep_on(dt.date(2024, 6, 26))) == [("milestone_coming", "notice", ["zhang"])]
    assert Reminder.objects.get().rule.days == 7
    assert told(sweep_on(dt.date(2024, 6, 29))) == [("milestone_coming", "notice", ["zhang"])]


def test_projects_that_are_not_being_chased_get_no_reminders(officer, manager):
    with on(START):
        project_in_stage("on_hold", held_stage="signed", owner=officer, started_planned=PLANNED)
        project_in_stage("dropped", held_stage="signed", owner=officer, started_planned=PLANNED)
        project_in_stage("producing", owner=officer, started_planned=PLANNED)
        deleted = project_in_stage("signed", owner=officer, started_planned=PLANNED)
        Project.all_objects.filter(pk=deleted.pk).update(is_deleted=True)
    assert told(sweep_on(dt.date(2024, 6, 29))) == []
    assert told(sweep_on(dt.date(2024, 9, 28))) == []
    with on(dt.date(2024, 9, 28)):
        assert set(reminders.with_overdue_level(Project.all_objects.all()).values_list("overdue_level", flat=True)) == {
            ""
        }


def test_an_inactive_rule_sends_nothing(factory_project):
    ReminderRule.objects.filter(kind="milestone_coming").update(is_active=False)
    assert told(sweep_on(dt.date(2024, 6, 29))) == []
    ReminderRule.objects.update(is_active=False)
    assert told(sweep_on(dt.date(2024, 9, 28))) == []


def test_when_the_owner_has_left_the_team_managers_are_told(factory_project, officer):
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert told(sweep_on(dt.date(2024, 7, 1))) == [("milestone_overdue", "blue", ["boss"])]


def test_a_manager_of_several_teams_hears_of_each(officer, other_team):
    hub = UserFactory(username="hub", role=User.Role.MANAGER, team=None)
    hub.managed_teams.add(officer.team)
    with on(START):
        project_in_stage("signed", owner=officer, started_planned=PLANNED)
    assert told(sweep_on(dt.date(2024, 7, 30))) == [("milestone_overdue", "yellow", ["hub", "zhang"])]


def test_finding_what_is_due_is_one_query(factory_project):
    with on(dt.date(2024, 7, 1)), CaptureQueriesContext(connection) as queries:
        rows = reminders.due_rows()
    assert [(row.project_id, row.stage, row.due_on) for row in rows] == [(factory_project.pk, "started", PLANNED)]
    assert len(queries) == 2, "one for the rules, one for everything due"


# --- Visits, missions, quiet projects -----------------------------------------------------


def test_a_follow_up_reminds_the_officer_who_logged_the_visit_until_it_is_done(officer, colleague):
    with on(START):
        visit = VisitFactory(owner=officer, date=START, follow_up_on=dt.date(2024, 6, 10), next_step="寄送园区政策")
        visit.officers.add(officer, colleague)
    assert told(sweep_on(dt.date(2024, 6, 9))) == []
    assert told(sweep_on(dt.date(2024, 6, 10))) == [("follow_up_due", "notice", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 6, 11))) == []
    notification = Notification.objects.get(recipient=officer)
    assert notification.title == f"Follow up with {visit.organisation.name}: due 2024-06-10"
    assert "寄送园区政策" in notification.body
    assert notification.target == visit
    # A new follow-up date is a new reminder; a done follow-up is not reminded.
    with on(dt.date(2024, 6, 12)):
        visit.follow_up_on = dt.date(2024, 6, 20)
        visit.save()
    assert told(sweep_on(dt.date(2024, 6, 20))) == [("follow_up_due", "notice", ["zhang"])]
    with on(dt.date(2024, 6, 21)):
        visit.follow_up_on, visit.follow_up_done_on = dt.date(2024, 6, 25), dt.date(2024, 6, 21)
        visit.save()
    assert told(sweep_on(dt.date(2024, 6, 25))) == []


def test_a_mission_reminds_its_participants_three_days_before(officer, colleague, other_officer, manager):
    with on(START):
        mission = MissionFactory(
            owner=manager, leader=manager, start_date=dt.date(2024, 6, 20), end_date=dt.date(2024, 6, 27)
        )
        mission.participants.add(officer, colleague)
    assert told(sweep_on(dt.date(2024, 6, 16))) == []
    assert told(sweep_on(dt.date(2024, 6, 17))) == [("mission_starting", "notice", ["boss", "li", "zhang"])]
    assert told(sweep_on(dt.date(2024, 6, 19))) == []
    assert inbox(officer) == [f"Mission {mission.title} starts on 2024-06-20, in 3 days"]
    assert inbox(other_officer) == []
    # Moving the start date is a new date to remind of; a mission under way is not.
    with on(dt.date(2024, 6, 19)):
        mission.start_date, mission.end_date = dt.date(2024, 7, 1), dt.date(2024, 7, 5)
        mission.save()
    assert told(sweep_on(dt.date(2024, 6, 28))) == [("mission_starting", "notice", ["boss", "li", "zhang"])]
    assert told(sweep_on(dt.date(2024, 7, 2))) == []


def test_a_quiet_project_reminds_its_owner_once_per_quiet_spell(officer):
    with on(START):
        project = ProjectFactory(owner=officer, name="安静的项目")
    assert told(sweep_on(dt.date(2024, 8, 1))) == []
    assert told(sweep_on(dt.date(2024, 8, 2))) == [("project_idle", "notice", ["zhang"])]
    assert told(sweep_on(dt.date(2024, 9, 30))) == [], "once per quiet spell"
    assert inbox(officer) == ["安静的项目: no visit, stage change or edit for 60 days"]
    # A visit to the investor starts a new spell.
    with on(dt.date(2024, 10, 1)):
        visit_save(visit=Visit(organisation=project.investor, date=dt.date(2024, 10, 1), summary="回访"), by=officer)
    assert told(sweep_on(dt.date(2024, 11, 29))) == []
    assert told(sweep_on(dt.date(2024, 11, 30))) == [("project_idle", "notice", ["zhang"])]
    # So does an edit.
    with on(dt.date(2024, 12, 5)):
        project.refresh_from_db()
        project.description = "对方更新了投资计划"
        project_save(project=project, by=officer)
    assert told(sweep_on(dt.date(2025, 2, 3))) == [("project_idle", "notice", ["zhang"])]
