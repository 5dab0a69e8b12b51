"""Raising and closing problems (项目诉求): the rules a user meets, in the service and in
the database, and the counts the monthly report reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError, NotPermitted
from problems import selectors, services
from problems.models import Problem
from tests.problems.conftest import make_problem

pytestmark = pytest.mark.django_db


def raise_one(project, department, by, **values) -> Problem:
    problem = Problem(
        project=project,
        title=values.pop("title", "环评批复迟迟未下"),
        kind=values.pop("kind", Problem.Kind.ENVIRONMENT),
        department=department,
        due_on=values.pop("due_on", timezone.localdate() + dt.timedelta(days=30)),
        **values,
    )
    return services.problem_save(problem=problem, by=by)


def test_a_raised_problem_is_open_and_names_who_raised_it(producing, department, colleague):
    problem = raise_one(producing, department, colleague, department_contact="王科长")
    problem.refresh_from_db()
    assert (problem.status, problem.raised_by, problem.raised_on) == ("open", colleague, timezone.localdate())
    assert problem.history.count() == 1


def test_an_officer_of_another_team_cannot_raise_one(producing, department, other_officer):
    with pytest.raises(NotPermitted):
        raise_one(producing, department, other_officer)
    assert not Problem.objects.exists()


def test_a_due_date_before_the_raising_is_refused(producing, department, officer):
    with pytest.raises(DomainError) as refused:
        raise_one(producing, department, officer, due_on=timezone.localdate() - dt.timedelta(days=1))
    assert refused.value.field == "due_on"
    assert not Problem.objects.exists()


def test_an_inactive_department_is_not_offered(producing, department, officer):
    department.is_active = False
    department.save()
    with pytest.raises(DomainError) as refused:
        raise_one(producing, department, officer)
    assert refused.value.field == "department"


def test_closing_needs_a_note_saying_how(producing, department, officer):
    problem = raise_one(producing, department, officer)
    with pytest.raises(DomainError) as refused:
        services.problem_change_status(problem=problem, to_status="solved", resolution="  ", by=officer)
    assert refused.value.field == "resolution"
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on) == ("open", None)

    services.problem_change_status(problem=problem, to_status="solved", resolution="已协调调剂用地指标12亩", by=officer)
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on, problem.resolution) == (
        "solved",
        timezone.localdate(),
        "已协调调剂用地指标12亩",
    )


def test_reopening_clears_the_closing_date_and_keeps_the_note(producing, department, officer):
    problem = raise_one(producing, department, officer)
    services.problem_change_status(problem=problem, to_status="unsolvable", resolution="政策不允许", by=officer)
    services.problem_change_status(problem=problem, to_status="in_progress", by=officer)
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on, problem.resolution) == ("in_progress", None, "政策不允许")
    assert [row.status for row in problem.history.order_by("history_date")] == ["open", "unsolvable", "in_progress"]


def test_editing_cannot_close_a_problem_without_the_status_service(producing, department, officer):
    problem = raise_one(producing, department, officer)
    problem.status, problem.title = "solved", "用地指标（已核实）"
    services.problem_save(problem=problem, by=officer)
    problem.refresh_from_db()
    assert (problem.status, problem.title) == ("open", "用地指标（已核实）")


def test_the_database_refuses_a_closed_problem_without_date_or_note(producing, department):
    problem = make_problem(producing, department)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(status="solved", closed_on=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(status="solved", resolution="解决了")
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(due_on=problem.raised_on - dt.timedelta(days=1))


def test_the_monthly_counts_of_opened_and_solved(producing, secret, department, officer, other_officer):
    today = timezone.localdate()
    start = today.replace(day=1)
    this_month = make_problem(producing, department, days_ago=0)
    make_problem(producing, department, days_ago=(today - start).days + 40)  # raised before the month
    solved = make_problem(producing, department, days_ago=(today - start).days + 40)
    services.problem_change_status(problem=solved, to_status="solved", resolution="已解决", by=officer)
    services.problem_change_status(problem=this_month, to_status="unsolvable", resolution="无法解决", by=officer)
    make_problem(secret, department, days_ago=0)  # of a confidential project

    mine = selectors.problems_opened_and_solved(user=officer, start=start, end=today)
    assert mine == {"opened": 2, "solved": 1, "unsolvable": 1}
    theirs = selectors.problems_opened_and_solved(user=other_officer, start=start, end=today)
    assert theirs == {"opened": 1, "solved": 1, "unsolvable": 1}
