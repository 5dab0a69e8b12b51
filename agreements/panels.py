"""The promise checks that need supervision (late, or below the promise) on My work and
on the supervision list (projects.panels): one query each, whatever the rows."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from agreements import selectors
from agreements.models import PromiseCheck
from agreements.views import agreement_panel_html, dress_check, project_url
from projects import panels


def _dressed(found: selectors.MissedChecks, today) -> selectors.MissedChecks:
    for check in found.rows:
        dress_check(check, check.check_status)
        check.days_late = (today - check.due_on).days if check.current_status == PromiseCheck.Status.LATE else 0
        check.url = project_url(check.agreement.project_id)
    return found


def my_work_panel(request, *, scope) -> str | None:
    """The user's own projects' missed checks, or the teams' a manager looks at; nothing
    when there is none."""
    today = timezone.localdate()
    found = selectors.missed_checks(
        user=request.user, mine=scope.mine, team_ids=None if scope.mine else scope.team_ids, today=today
    )
    if not found.count:
        return None
    return render_to_string(
        "agreements/includes/missed_checks.html",
        {"found": _dressed(found, today), "place": "my_work", "scope": scope},
        request=request,
    )


def supervision_panel(request) -> str:
    today = timezone.localdate()
    found = selectors.missed_checks(user=request.user, today=today)
    return render_to_string(
        "agreements/includes/missed_checks.html",
        {"found": _dressed(found, today), "place": "supervision"},
        request=request,
    )


def register() -> None:
    panels.register("project_detail", agreement_panel_html)
    panels.register("my_work", my_work_panel)
    panels.register("supervision", supervision_panel)
