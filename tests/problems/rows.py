"""One department responsible and one problem per call, for the admin tests' rows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from problems.models import Department, Problem


def add_problem_rows(project, owner) -> None:
    today = timezone.localdate()
    department = Department.objects.create(name=f"生态环境局{Department.objects.count()}")
    Problem.objects.create(
        project=project,
        title="环评批复",
        kind=Problem.Kind.ENVIRONMENT,
        raised_on=today,
        raised_by=owner,
        department=department,
        due_on=today + dt.timedelta(days=30),
    )
