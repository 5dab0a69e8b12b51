"""Promise checks in supervision (督办) through the one reminder sweep of projects.

Two rule kinds, data in projects.ReminderRule like the milestone rules (defaults:
projects migration 0018):
- promise_check_late: a check past its due date with no actual figures, counted in
  days after the due date (blue to the owner, then yellow and red up the ladder);
- promise_not_met: figures below the promise, counted from the day they were
  recorded (the team's managers at once, the department's later).
Each is an ItemKind of projects.reminder_items: the sweep claims the rows with its own
unique key (rule, check, date), so a reminder is sent once whatever happens to the
workers. Entering figures that meet the promise ends the reminders; entering new
figures still short of it starts the not-met ladder again from that day.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _

from agreements.models import PromiseCheck
from core.models import AlertLevel
from projects import reminder_items
from projects import reminders as sweep
from projects.models import ReminderRule, Stage

Kind = ReminderRule.Kind
Audience = ReminderRule.Audience


def chased_checks():
    """Checks of live projects that are still followed (a dropped project is not)."""
    return PromiseCheck.objects.filter(agreement__project__is_deleted=False).exclude(
        agreement__project__stage=Stage.DROPPED
    )


def _late_parts(window, today, sent):
    checks = chased_checks().filter(sweep.in_window("due_on", window), actual__isnull=True)
    checks = checks.exclude(Exists(sent.filter(item_id=OuterRef("pk"), due_on=OuterRef("due_on"))))
    return [sweep.shape(checks, window.rule, item=F("pk"), due=F("due_on"))]


def _not_met_parts(window, today, sent):
    checks = chased_checks().filter(
        sweep.in_window("recorded_on", window), actual__isnull=False, actual__lt=F("promised")
    )
    checks = checks.exclude(Exists(sent.filter(item_id=OuterRef("pk"), due_on=OuterRef("recorded_on"))))
    return [sweep.shape(checks, window.rule, item=F("pk"), due=F("recorded_on"))]


def _load(ids):
    return PromiseCheck.objects.select_related(
        "agreement__project__owner", "agreement__project__team", "agreement__project__investor"
    ).in_bulk(list(ids))


def _recipients(reminder, check, people) -> list:
    if check is None:
        return []
    project = check.agreement.project
    told = [project.owner]
    audience = reminder.rule.audience
    if audience in (Audience.TEAM_MANAGERS, Audience.DEPARTMENT_MANAGERS):
        told += people.of_team(project.team_id)
    if audience == Audience.DEPARTMENT_MANAGERS:
        told += people.of_department_of_team(project.team_id)
    seen: set[int] = set()
    unique = []
    for user in told:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            unique.append(user)
    return unique or people.of_team(project.team_id)


def _figure(check: PromiseCheck, value) -> str:
    if check.kind == PromiseCheck.Kind.JOBS:
        return _("%(n)s people") % {"n": f"{value:,.0f}"}
    return _("%(amount)s (10k yuan)") % {"amount": f"{value:,.2f}"}


def _describe(reminder, check, today) -> tuple[str, str]:
    if check is None:
        return _("A promise check that no longer exists"), ""
    project = check.agreement.project
    level = AlertLevel(reminder.level).label
    if reminder.rule.kind == Kind.PROMISE_CHECK_LATE:
        title = _("%(level)s: %(project)s: no actual figures for the promised %(promise)s (due %(date)s)") % {
            "level": level,
            "project": project.name,
            "promise": check.get_kind_display(),
            "date": check.due_on,
        }
    else:
        title = _("%(level)s: %(project)s: %(promise)s promise not met, %(ratio)s%% of the promise") % {
            "level": level,
            "project": project.name,
            "promise": check.get_kind_display(),
            "ratio": check.ratio,
        }
    details = _("Promised: %(promised)s. Actual: %(actual)s. Owner: %(owner)s. Team: %(team)s.") % {
        "promised": _figure(check, check.promised),
        "actual": _figure(check, check.actual) if check.actual is not None else "—",
        "owner": project.owner,
        "team": project.team or "-",
    }
    return title, details


def register_kinds() -> None:
    for kind, parts in ((Kind.PROMISE_CHECK_LATE, _late_parts), (Kind.PROMISE_NOT_MET, _not_met_parts)):
        reminder_items.register(
            reminder_items.ItemKind(kind.value, parts=parts, load=_load, recipients=_recipients, describe=_describe)
        )
