"""Milestone reminders (issue 4): what is due, who is told, and the overdue level.

What gets reminded (rules are data: ReminderRule, edited in admin):
- planned stage dates of live projects (not deleted) at an open stage, that is lead,
  negotiating, signed, started or completed: coming (days before) and overdue (days
  after, escalating blue, yellow, red) until the stage is reached. Projects on hold
  or dropped are not being chased, and one in production has no later date, so they
  get no reminders and show no overdue level;
- follow-up dates of visits not yet followed up, to the officer who logged the visit;
- start dates of missions, to their participants and leader;
- open projects (as above) with no visit to the investor, stage change or edit for
  a while ("quiet"), to the owner; once per quiet spell. The date of the last of
  these is Project.last_activity_on, kept by the services.
- whatever an app above projects registers (projects.reminder_items): promise checks,
  problems, leads; their rows carry the item's id and go through the same claim.
A person who left (inactive) is skipped; when that leaves nobody, the managers of
the team are told instead, so a reminder never goes nowhere.

Exactly once. One query finds every (rule, thing, stage, date) that is due and not yet
in the Reminder table (`due_rows`); the sweep inserts those rows with a claim token,
ignoring conflicts with the unique key, reads back the rows that carry its own token
(the ones it won) and creates their in-app notifications in the same transaction. So
the notifications of a reminder commit with its key or not at all: two sweeps at once,
a retried task, a replayed message or a worker killed mid-batch cannot tell anyone
twice, and whatever a dead worker left undone the next sweep finds again.

Catch-up. Windows, not days: a rule is due for every date in its window, not only on
the exact day, so a sweep after an outage sends what came due meanwhile. Rules of one
kind form a ladder (7 and 1 days before; 1, 30 and 90 days after) and only the highest
rung due is sent: after three months down, a late project gets the red alert, not a
blue, a yellow and a red at once.

Re-planning moves the planned date, which is part of the key: the reminders of the new
date start from scratch (the old date's rows stay as a record). Reaching the stage
ends them, since only unreached stages are watched.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import BigIntegerField, Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import AlertLevel, Team, User
from core.notifications import Message, notify
from crm.models import Mission, Visit
from projects.models import (
    OPEN_STAGES,
    PLANNED_STAGES,
    Project,
    Reminder,
    ReminderRule,
    Stage,
    actual_field,
    not_reached,
    planned_field,
)
from projects.reminder_items import ITEM_KINDS

Kind = ReminderRule.Kind
Audience = ReminderRule.Audience

# Projects at these stages are chased; on hold, dropped and in production are not.
REMINDED_STAGES: frozenset[Stage] = OPEN_STAGES

# --- Windows: which dates each rule is due for today ------------------------------------


@dataclass(frozen=True)
class Window:
    """Rule `rule` is due for things whose watched date is in [earliest, latest]."""

    rule: ReminderRule
    earliest: dt.date | None  # None: no lower bound (the top rung of an "after" ladder)
    latest: dt.date


def rule_windows(rules: Iterable[ReminderRule], today: dt.date) -> list[Window]:
    """Split each kind's ladder into disjoint windows, so each date has one rung due.

    Before a date (coming milestones, missions), the nearest rung wins: with 7 and 1
    days, the 1-day rule covers 0..1 days ahead and the 7-day rule 2..7. After a date,
    the furthest rung wins: with 1, 30 and 90 days, blue covers 1..29 days late,
    yellow 30..89 and red 90 and more.
    """
    by_kind: dict[str, list[ReminderRule]] = defaultdict(list)
    for rule in rules:
        by_kind[rule.kind].append(rule)
    windows: list[Window] = []
    for kind, ladder in by_kind.items():
        ladder.sort(key=lambda rule: rule.days)
        if kind in ReminderRule.BEFORE_KINDS:
            previous = -1
            for rule in ladder:
                windows.append(
                    Window(rule, today + dt.timedelta(days=previous + 1), today + dt.timedelta(days=rule.days))
                )
                previous = rule.days
        else:
            for index, rule in enumerate(ladder):
                following = ladder[index + 1].days if index + 1 < len(ladder) else None
                earliest = today - dt.timedelta(days=following - 1) if following is not None else None
                windows.append(Window(rule, earliest, today - dt.timedelta(days=rule.days)))
    return windows


def in_window(column: str, window: Window) -> Q:
    """The rows whose `column` falls in the window (also for registered item kinds)."""
    condition = Q(**{f"{column}__lte": window.latest})
    if window.earliest is not None:
        condition &= Q(**{f"{column}__gte": window.earliest})
    return condition


# --- The one query that finds what is due ---------------------------------------------


@dataclass(frozen=True)
class Due:
    """One reminder to send: the unique key of a Reminder row."""

    rule_id: int
    project_id: int | None
    visit_id: int | None
    mission_id: int | None
    item_id: int | None
    stage: str
    due_on: dt.date

    def sort_key(self) -> tuple:
        return (
            self.rule_id,
            self.project_id or 0,
            self.visit_id or 0,
            self.mission_id or 0,
            self.item_id or 0,
            self.stage,
            self.due_on,
        )


_COLUMNS = ("due_rule", "due_project", "due_visit", "due_mission", "due_item", "due_stage", "due_date")
# Typed, so that PostgreSQL can match the columns of the union parts.
_NO_ID = Cast(Value(None), output_field=BigIntegerField())


def shape(
    queryset, rule: ReminderRule, *, project=_NO_ID, visit=_NO_ID, mission=_NO_ID, item=_NO_ID, stage: str = "", due
):
    """Give a part of the union its columns (in _COLUMNS order); apps that register an
    item kind (projects.reminder_items) shape their parts with it too."""
    return (
        queryset.order_by()
        .annotate(
            due_rule=Value(rule.pk, output_field=BigIntegerField()),
            due_project=project,
            due_visit=visit,
            due_mission=mission,
            due_item=item,
            due_stage=Value(stage, output_field=CharField()),
            due_date=due,
        )
        .values_list(*_COLUMNS)
    )


def reminded_projects():
    """Projects that get reminders and show an overdue level (see the module docstring)."""
    return Project.objects.filter(stage__in=REMINDED_STAGES)


def _parts(window: Window, today: dt.date) -> list:
    rule = window.rule
    sent = Reminder.objects.filter(rule_id=rule.pk)
    parts = []
    if rule.kind in (Kind.MILESTONE_COMING, Kind.MILESTONE_OVERDUE):
        for stage in PLANNED_STAGES:
            planned = planned_field(stage)
            projects = reminded_projects().filter(in_window(planned, window), not_reached(stage))
            projects = projects.exclude(
                Exists(sent.filter(project_id=OuterRef("pk"), stage=stage, due_on=OuterRef(planned)))
            )
            parts.append(shape(projects, rule, project=F("pk"), stage=stage, due=F(planned)))
    elif rule.kind == Kind.PROJECT_IDLE:
        # Last activity (edit, stage change, re-plan or visit to the investor) is kept on
        # the row by the services: a range of the project_last_activity index.
        projects = reminded_projects().filter(in_window("last_activity_on", window))
        projects = projects.exclude(
            Exists(sent.filter(project_id=OuterRef("pk"), stage="", due_on=OuterRef("last_activity_on")))
        )
        parts.append(shape(projects, rule, project=F("pk"), due=F("last_activity_on")))
    elif rule.kind == Kind.FOLLOW_UP_DUE:
        visits = Visit.objects.filter(in_window("follow_up_on", window), follow_up_done_on__isnull=True)
        visits = visits.exclude(Exists(sent.filter(visit_id=OuterRef("pk"), due_on=OuterRef("follow_up_on"))))
        parts.append(shape(visits, rule, visit=F("pk"), due=F("follow_up_on")))
    elif rule.kind == Kind.MISSION_STARTING:
        missions = Mission.objects.filter(in_window("start_date", window), start_date__gte=today)
        missions = missions.exclude(Exists(sent.filter(mission_id=OuterRef("pk"), due_on=OuterRef("start_date"))))
        parts.append(shape(missions, rule, mission=F("pk"), due=F("start_date")))
    elif rule.kind in ITEM_KINDS:
        parts += ITEM_KINDS[rule.kind].parts(window, today, sent)
    return parts


def due_query(windows: Sequence[Window], today: dt.date):
    """One UNION ALL query over every rule's window; each part is an index range scan
    (planned date, follow-up date, mission start) with an anti-join on the unique key."""
    parts = [part for window in windows for part in _parts(window, today)]
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def due_rows(*, today: dt.date | None = None, limit: int | None = None) -> list[Due]:
    """What is due today and not yet sent (a read: nothing is claimed)."""
    today = today or timezone.localdate()
    rules = list(ReminderRule.objects.filter(is_active=True))
    query = due_query(rule_windows(rules, today), today)
    if query is None:
        return []
    if limit:
        query = query[:limit]
    return [Due(*row) for row in query]


# --- Who is told ------------------------------------------------------------------------


class People:
    """Managers by team and by department, loaded once per sweep (a few queries).

    Managers of a team: users with the manager role whose own team it is or who
    manage it (managed_teams). Managers of a department: managers of any of its teams.
    """

    def __init__(self) -> None:
        department_of = dict(Team.objects.values_list("id", "department_id"))
        self.team_managers: dict[int, list[User]] = defaultdict(list)
        self.department_managers: dict[int, list[User]] = defaultdict(list)
        managers = User.objects.filter(role=User.Role.MANAGER, is_active=True).prefetch_related("managed_teams")
        for manager in managers.order_by("pk"):
            teams = {manager.team_id, *(team.pk for team in manager.managed_teams.all())} - {None}
            departments = {department_of.get(team) for team in teams} - {None}
            for team in teams:
                self.team_managers[team].append(manager)
            for department in departments:
                self.department_managers[department].append(manager)
        self.department_of = department_of

    def of_team(self, team_id: int | None) -> list[User]:
        return list(self.team_managers.get(team_id, [])) if team_id else []

    def of_department_of_team(self, team_id: int | None) -> list[User]:
        department = self.department_of.get(team_id) if team_id else None
        return list(self.department_managers.get(department, [])) if department else []


def _unique_active(users: Iterable[User | None]) -> list[User]:
    seen: set[int] = set()
    people = []
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            people.append(user)
    return people


def recipients(reminder: Reminder, people: People) -> list[User]:
    rule = reminder.rule
    if reminder.item_id is not None:
        return ITEM_KINDS[rule.kind].recipients(reminder, reminder.subject, people)
    if reminder.mission_id:
        mission = reminder.mission
        told = _unique_active([*mission.participants.all(), mission.leader]) or _unique_active([mission.owner])
        return told or people.of_team(mission.team_id)
    if reminder.visit_id:
        return _unique_active([reminder.visit.owner]) or people.of_team(reminder.visit.team_id)
    project = reminder.project
    told = [project.owner]
    if rule.audience in (Audience.TEAM_MANAGERS, Audience.DEPARTMENT_MANAGERS):
        told += people.of_team(project.team_id)
    if rule.audience == Audience.DEPARTMENT_MANAGERS:
        told += people.of_department_of_team(project.team_id)
    return _unique_active(told) or people.of_team(project.team_id)


# --- What they are told -----------------------------------------------------------------


def _days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def _admin_url(obj: models.Model) -> str:
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def _amount(project: Project) -> str:
    yi = (project.total_investment or Decimal(0)) / Decimal(10000)
    return _("%(amount)s hundred million yuan") % {"amount": f"{yi:,.2f}"}


def describe(reminder: Reminder, today: dt.date) -> tuple[str, str]:
    """Title and details of a reminder, in the office's language."""
    kind = reminder.rule.kind
    if reminder.item_id is not None:
        return ITEM_KINDS[kind].describe(reminder, reminder.subject, today)
    if kind == Kind.MILESTONE_COMING:
        project, left = reminder.project, (reminder.due_on - today).days
        when = _("today") if left <= 0 else _("tomorrow") if left == 1 else _("in %(days)s") % {"days": _days(left)}
        title = _("%(project)s: %(stage)s planned for %(date)s, %(when)s") % {
            "project": project.name,
            "stage": Stage(reminder.stage).label,
            "date": reminder.due_on,
            "when": when,
        }
    elif kind == Kind.MILESTONE_OVERDUE:
        project, late = reminder.project, (today - reminder.due_on).days
        title = _("%(level)s: %(project)s: %(stage)s is %(days)s late (planned for %(date)s)") % {
            "level": AlertLevel(reminder.level).label,
            "project": project.name,
            "stage": Stage(reminder.stage).label,
            "days": _days(late),
            "date": reminder.due_on,
        }
    elif kind == Kind.PROJECT_IDLE:
        project = reminder.project
        title = _("%(project)s: no visit, stage change or edit for %(days)s") % {
            "project": project.name,
            "days": _days((today - reminder.due_on).days),
        }
    elif kind == Kind.FOLLOW_UP_DUE:
        visit = reminder.visit
        title = _("Follow up with %(organisation)s: due %(date)s") % {
            "organisation": visit.organisation.name,
            "date": reminder.due_on,
        }
        details = [_("Visit of %(date)s.") % {"date": visit.date}]
        if visit.next_step:
            details.append(_("Next step: %(step)s") % {"step": visit.next_step})
        return title, "\n".join(details)
    else:
        mission, left = reminder.mission, (reminder.due_on - today).days
        when = _("today") if left <= 0 else _("tomorrow") if left == 1 else _("in %(days)s") % {"days": _days(left)}
        title = _("Mission %(mission)s starts on %(date)s, %(when)s") % {
            "mission": mission.title,
            "date": reminder.due_on,
            "when": when,
        }
        return title, mission.goals
    details = _("Owner: %(owner)s. Team: %(team)s. Total investment: %(amount)s. Stage: %(stage)s.") % {
        "owner": project.owner,
        "team": project.team or "-",
        "amount": _amount(project),
        "stage": Stage(project.stage).label,
    }
    return title, details


def messages_for(reminder: Reminder, today: dt.date, people: People) -> list[Message]:
    """The notifications one reminder makes: one per person told."""
    title, body = describe(reminder, today)
    subject = reminder.subject
    return [
        Message(
            recipient=person,
            key=f"reminder:{reminder.pk}",
            title=title[:300],
            body=body,
            url=_admin_url(subject),
            level=reminder.level,
            target=subject,
            mail_now=reminder.rule.mail_immediately,
        )
        for person in recipients(reminder, people)
    ]


# --- The sweep --------------------------------------------------------------------------


@dataclass
class Sent:
    reminder: Reminder
    title: str
    recipients: list[User]


@dataclass
class SweepResult:
    sent: list[Sent] = field(default_factory=list)
    # People to e-mail at once (red alerts), for the caller to send or enqueue.
    mail_now: list[int] = field(default_factory=list)

    @property
    def notified(self) -> int:
        return sum(len(item.recipients) for item in self.sent)


def _claim_and_notify(rows: list[Due], rules: dict[int, ReminderRule], today: dt.date, people: People, result) -> int:
    """Insert the rows' reminders, and notify for those this call inserted; one transaction."""
    token = uuid.uuid4()
    now = timezone.now()
    # Every sweep inserts keys in one order, so two at once wait for each other
    # instead of deadlocking (PostgreSQL).
    rows = sorted(rows, key=Due.sort_key)
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    rule_id=row.rule_id,
                    project_id=row.project_id,
                    visit_id=row.visit_id,
                    mission_id=row.mission_id,
                    item_id=row.item_id,
                    stage=row.stage,
                    due_on=row.due_on,
                    level=rules[row.rule_id].level,
                    claim=token,
                    created_at=now,
                )
                for row in rows
            ],
            ignore_conflicts=True,
        )
        won = list(
            Reminder.objects.filter(claim=token)
            .select_related(
                "rule",
                "project__owner",
                "project__team",
                "visit__owner",
                "visit__organisation",
                "mission__owner",
                "mission__leader",
            )
            .prefetch_related("mission__participants")
            .order_by("pk")
        )
        _attach_items(won)
        messages: list[Message] = []
        sent: list[Sent] = []
        # In the office's language, whatever the process (worker, command) has active.
        with translation.override(settings.LANGUAGE_CODE):
            for reminder in won:
                # Looked up by name on each call, so a test worker can slow it down.
                made = globals()["messages_for"](reminder, today, people)
                reminder.recipients = len(made)
                messages += made
                title = made[0].title if made else describe(reminder, today)[0]
                sent.append(Sent(reminder, title, [message.recipient for message in made]))
        if won:
            Reminder.objects.bulk_update(won, ["recipients"])
        mail_now = notify(messages)
    result.sent += sent
    result.mail_now = sorted({*result.mail_now, *mail_now})
    return len(won)


def _attach_items(reminders: list[Reminder]) -> None:
    """Load the items of registered kinds in one query per kind, not one per reminder."""
    wanted: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        if reminder.item_id is not None:
            wanted[reminder.rule.kind].append(reminder)
    for kind, rows in wanted.items():
        items = ITEM_KINDS[kind].load({row.item_id for row in rows}) if kind in ITEM_KINDS else {}
        for row in rows:
            row._item = items.get(row.item_id)


def sweep(*, chunk: int | None = None) -> SweepResult:
    """Find what is due, claim it and notify in-app; the caller sends the e-mail.

    Runs in chunks of `chunk` reminders, each in its own transaction, until nothing
    due is left; each round repeats the one due query, which skips what was claimed.
    """
    chunk = chunk or settings.REMINDER_SWEEP_CHUNK
    today = timezone.localdate()
    rules = {rule.pk: rule for rule in ReminderRule.objects.filter(is_active=True)}
    result = SweepResult()
    if not rules:
        return result
    query = due_query(rule_windows(rules.values(), today), today)
    people: People | None = None
    while query is not None:
        rows = [Due(*row) for row in query[:chunk]]
        if not rows:
            break
        people = people or People()
        won = _claim_and_notify(rows, rules, today, people, result)
        if len(rows) < chunk or won == 0:
            # Fewer than a chunk: that was all. None won: another sweep holds them.
            break
    return result


def preview() -> SweepResult:
    """What a sweep would send now, without sending it (the sweep, rolled back)."""
    with transaction.atomic():
        result = sweep()
        transaction.set_rollback(True)
    result.mail_now = []
    return result


# --- The overdue level, shown on projects everywhere ------------------------------------


def overdue_ladder() -> list[tuple[int, str]]:
    """(days late, level) of the active overdue rules, fewest days first."""
    return list(
        ReminderRule.objects.filter(kind=Kind.MILESTONE_OVERDUE, is_active=True)
        .order_by("days")
        .values_list("days", "level")
    )


def days_overdue(project: Project, today: dt.date | None = None) -> int:
    """Days the most overdue unreached planned stage is late (0 when none is)."""
    today = today or timezone.localdate()
    if project.is_deleted or project.stage not in REMINDED_STAGES:
        return 0
    late = [
        (today - planned).days
        for stage in PLANNED_STAGES
        if (planned := project.planned_date(stage)) and not project.actual_date(stage) and planned < today
    ]
    return max(late, default=0)


def overdue_level(project: Project, today: dt.date | None = None, ladder: list[tuple[int, str]] | None = None) -> str:
    """ "" when on time, else the level of the highest overdue rule the project has reached.

    Thresholds come from the rules table; pass `ladder` (overdue_ladder()) when asking
    for many projects, or use with_overdue_level on a queryset.
    """
    late = days_overdue(project, today)
    level = ""
    for days, rung in ladder if ladder is not None else overdue_ladder():
        if late >= days:
            level = rung
    return level


def with_overdue_level(queryset, today: dt.date | None = None, ladder: list[tuple[int, str]] | None = None):
    """Annotate `overdue_level` ("" when on time), computed in the database like overdue_level()."""
    today = today or timezone.localdate()
    ladder = ladder if ladder is not None else overdue_ladder()
    whens = []
    for days, level in sorted(ladder, reverse=True):
        limit = today - dt.timedelta(days=days)
        late = Q()
        for stage in PLANNED_STAGES:
            late |= Q(**{f"{actual_field(stage)}__isnull": True, f"{planned_field(stage)}__lte": limit})
        whens.append(When(late & Q(stage__in=REMINDED_STAGES, is_deleted=False), then=Value(level)))
    return queryset.annotate(overdue_level=Case(*whens, default=Value(""), output_field=CharField()))
