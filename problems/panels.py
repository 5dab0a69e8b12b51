"""The problem panels of the project page, My work and the supervision list
(projects.panels): each reads in a fixed number of queries."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from core import permissions
from problems import selectors
from projects import panels
from projects.selectors import LEVEL_CLASS


def project_panel(request, *, project) -> str:
    problems = selectors.project_problems(user=request.user, project=project)
    return render_to_string(
        "problems/includes/project_problems.html",
        {
            "project": project,
            "problems": problems,
            "open_count": sum(1 for problem in problems if problem.is_open),
            "editable": permissions.can_edit_project(request.user, project),
            "level_class": LEVEL_CLASS,
        },
        request=request,
    )


def my_work_panel(request, *, scope) -> str | None:
    found = selectors.open_problems_of(user=request.user, mine=scope.mine, team_ids=scope.team_ids)
    if not found.count:
        return None
    return render_to_string(
        "problems/includes/open_problems.html",
        {"found": found, "level_class": LEVEL_CLASS, "scope": scope, "today": timezone.localdate()},
        request=request,
    )


def supervision_panel(request) -> str:
    found = selectors.escalated_problems(user=request.user)
    return render_to_string(
        "problems/includes/escalated_problems.html", {"found": found, "level_class": LEVEL_CLASS}, request=request
    )


def register() -> None:
    panels.register("project_detail", project_panel)
    panels.register("my_work", my_work_panel)
    panels.register("supervision", supervision_panel)
