"""Reads of problems: lists, the ageing colour, My work and supervision panels, and the
monthly counts. Visibility is applied here, once: a problem is seen by whoever sees its
project (core.permissions.visible_projects), so a confidential project's problems are as
hidden as the project. Every function runs a fixed number of queries, whatever the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import permissions
from core.models import User
from problems.models import Department, Problem
from projects.models import Project, ReminderRule

OPEN = Problem.OPEN_STATUSES
SHOWN = 10  # problems listed on My work and on the supervision list


def visible_problems(user: User) -> QuerySet:
    projects = permissions.visible_projects(user, Project.objects.all())
    return Problem.objects.filter(project__in=projects)


def problem_ladder() -> list[tuple[int, str]]:
    """(days past due, level) of the active problem rules, fewest days first: the same
    rules the sweep sends, so the colour on the page is the colour of the last alert."""
    return list(
        ReminderRule.objects.filter(kind=ReminderRule.Kind.PROBLEM_OVERDUE, is_active=True)
        .order_by("days")
        .values_list("days", "level")
    )


def with_level(queryset: QuerySet, *, today: dt.date | None = None, ladder=None) -> QuerySet:
    """Annotate `level`: "" for a closed problem or one not yet late, else the highest
    rung of the ladder its days past due have reached (blue, yellow, red)."""
    today = today or timezone.localdate()
    ladder = ladder if ladder is not None else problem_ladder()
    whens = [
        When(Q(status__in=OPEN, due_on__lte=today - dt.timedelta(days=days)), then=Value(level))
        for days, level in sorted(ladder, reverse=True)
    ]
    return queryset.annotate(level=Case(*whens, default=Value(""), output_field=CharField()))


def decorate(problems: list[Problem], today: dt.date) -> list[Problem]:
    """Ages for the page: days since raised, days late (0 when not late or closed)."""
    for problem in problems:
        end = problem.closed_on or today
        problem.age_days = (end - problem.raised_on).days
        problem.days_late = max((today - problem.due_on).days, 0) if problem.is_open else 0
    return problems


def problem_rows(user: User, *, today: dt.date | None = None, ladder=None) -> QuerySet:
    """What every list starts from: the visible problems, their level, what rows show."""
    return with_level(visible_problems(user), today=today, ladder=ladder).select_related(
        "project", "project__team", "department", "raised_by", "visit__organisation"
    )


def problem_for(user: User, pk: int) -> Problem:
    """One problem the user may see, or 404 (as if hidden ones did not exist)."""
    problem = get_object_or_404(problem_rows(user), pk=pk)
    return decorate([problem], timezone.localdate())[0]


def project_problems(*, user: User, project: Project, today: dt.date | None = None) -> list[Problem]:
    """The problems of one project the user can see, open ones first (oldest due first)."""
    today = today or timezone.localdate()
    if not permissions.can_view_project(user, project):
        return []
    rows = (
        with_level(Problem.objects.filter(project=project), today=today)
        .select_related("department", "raised_by")
        .annotate(closed=Case(When(status__in=OPEN, then=Value(0)), default=Value(1)))
        .order_by("closed", "due_on", "pk")
    )
    return decorate(list(rows), today)


@dataclass
class OpenProblems:
    rows: list[Problem]
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def _first_open(queryset: QuerySet, today: dt.date) -> OpenProblems:
    """The first SHOWN and how many there are, in one query whatever the rows (the total
    is a window over the rows before the limit)."""
    rows = list(queryset.annotate(total=Window(Count("pk"))).order_by("due_on", "pk")[:SHOWN])
    return OpenProblems(decorate(rows, today), rows[0].total if rows else 0)


def open_problems_of(
    *, user: User, mine: bool, team_ids: set[int] | frozenset[int] = frozenset(), today: dt.date | None = None
) -> OpenProblems:
    """My work: open problems of the user's own projects (or raised by them), or of the
    teams a manager looks at; the first few by due date and how many there are."""
    today = today or timezone.localdate()
    rows = problem_rows(user, today=today).filter(status__in=OPEN)
    if mine:
        rows = rows.filter(Q(project__owner=user) | Q(raised_by=user))
    else:
        rows = rows.filter(project__team_id__in=team_ids)
    return _first_open(rows, today)


def escalated_problems(*, user: User, today: dt.date | None = None) -> OpenProblems:
    """The supervision list (督办): open problems past the first rung that tells managers
    (yellow or red), oldest due first."""
    today = today or timezone.localdate()
    rows = problem_rows(user, today=today).filter(status__in=OPEN, level__in=["yellow", "red"])
    return _first_open(rows, today)


def active_departments() -> QuerySet:
    return Department.objects.filter(is_active=True).order_by("name")


def problems_opened_and_solved(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """For the monthly report: problems raised in [start, end], and those solved in it
    (closed as solved; "cannot be solved" is counted apart), of the projects the user sees.
    One query."""
    counts = visible_problems(user).aggregate(
        opened=Count("pk", filter=Q(raised_on__gte=start, raised_on__lte=end)),
        solved=Count("pk", filter=Q(status=Problem.Status.SOLVED, closed_on__gte=start, closed_on__lte=end)),
        unsolvable=Count("pk", filter=Q(status=Problem.Status.UNSOLVABLE, closed_on__gte=start, closed_on__lte=end)),
    )
    return {name: counts[name] or 0 for name in ("opened", "solved", "unsolvable")}
