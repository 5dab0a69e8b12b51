"""Problem escalation through the one reminder sweep: an open problem past its due date
goes up the ladder (blue, yellow, red) once per rung and due date; closing it stops the
ladder, moving the due date starts it again; the colour on the pages follows the rules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Notification
from problems import selectors, services
from problems.models import Problem
from projects import reminders
from projects.models import Reminder, ReminderRule
from tests.factories import OrganisationFactory, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("problem_rules")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
RAISED = dt.date(2024, 3, 1)
DUE = dt.date(2024, 4, 1)


def on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI), tick=False)


def sweep_on(day: dt.date) -> list[tuple[str, list[str]]]:
    """(level, usernames told) of each problem reminder the sweep sent that day."""
    with on(day):
        result = reminders.sweep()
    return [
        (item.reminder.level, sorted(person.username for person in item.recipients))
        for item in result.sent
        if item.reminder.rule.kind == ReminderRule.Kind.PROBLEM_OVERDUE
    ]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def problem(officer, colleague, department, manager):
    with on(RAISED):
        project = project_in_stage("producing", owner=officer, investor=OrganisationFactory())
        raised = Problem(
            project=project,
            title="Power capacity for line 2",
            kind=Problem.Kind.ENERGY,
            department=department,
            department_contact="Mr Wang",
            due_on=DUE,
        )
        return services.problem_save(problem=raised, by=colleague)


def test_each_rung_is_sent_once_to_more_people(problem, officer, manager):
    assert sweep_on(DUE) == []  # due today: not late yet
    assert sweep_on(DUE + dt.timedelta(days=1)) == [("blue", ["li", "zhang"])]
    assert sweep_on(DUE + dt.timedelta(days=1)) == []  # the same sweep again
    assert sweep_on(DUE + dt.timedelta(days=10)) == []
    assert sweep_on(DUE + dt.timedelta(days=30)) == [("yellow", ["boss", "li", "zhang"])]
    assert sweep_on(DUE + dt.timedelta(days=31)) == []
    red = sweep_on(DUE + dt.timedelta(days=90))
    assert [level for level, _people in red] == ["red"]
    assert sweep_on(DUE + dt.timedelta(days=200)) == []
    assert Reminder.objects.filter(item_id=problem.pk).count() == 3
    titles = list(Notification.objects.filter(recipient=officer).order_by("pk").values_list("title", flat=True))
    assert (
        titles[0]
        == f"Blue notice: {problem.project.name}: problem “Power capacity for line 2” is 1 day late (due 2024-04-01)"
    )
    assert len(titles) == 3


def test_after_an_outage_only_the_highest_rung_is_sent(problem):
    assert [level for level, _ in sweep_on(DUE + dt.timedelta(days=120))] == ["red"]
    assert sweep_on(DUE + dt.timedelta(days=121)) == []


def test_a_closed_problem_is_not_chased(problem, officer):
    with on(DUE):
        services.problem_change_status(
            problem=problem, to_status="solved", resolution="Substation upgraded", by=officer
        )
    assert sweep_on(DUE + dt.timedelta(days=40)) == []


def test_a_new_due_date_starts_the_ladder_again(problem, officer):
    assert [level for level, _ in sweep_on(DUE + dt.timedelta(days=1))] == ["blue"]
    with on(DUE + dt.timedelta(days=2)):
        problem.due_on = DUE + dt.timedelta(days=20)
        services.problem_save(problem=problem, by=officer)
    assert sweep_on(DUE + dt.timedelta(days=5)) == []
    assert [level for level, _ in sweep_on(DUE + dt.timedelta(days=21))] == ["blue"]
    assert Reminder.objects.filter(item_id=problem.pk).count() == 2


def test_the_colour_on_the_pages_follows_the_rules(problem, officer):
    def level(day):
        with on(day):
            return selectors.with_level(Problem.objects.filter(pk=problem.pk)).get().level

    assert [level(DUE), level(DUE + dt.timedelta(days=1)), level(DUE + dt.timedelta(days=30))] == ["", "blue", "yellow"]
    assert level(DUE + dt.timedelta(days=90)) == "red"
    ReminderRule.objects.filter(kind=ReminderRule.Kind.PROBLEM_OVERDUE, days=90).update(days=60)
    assert level(DUE + dt.timedelta(days=60)) == "red"
    with on(DUE + dt.timedelta(days=61)):
        services.problem_change_status(problem=problem, to_status="unsolvable", resolution="No capacity", by=officer)
    assert level(DUE + dt.timedelta(days=61)) == ""


def test_a_deleted_project_s_problems_are_not_chased(problem):
    type(problem.project).objects.filter(pk=problem.project_id).update(is_deleted=True)
    assert sweep_on(DUE + dt.timedelta(days=1)) == []
