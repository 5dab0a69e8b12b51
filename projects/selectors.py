"""Reads of pipeline projects for the web pages: "My work", and the project parts of
organisation and mission pages (registered in crm.selectors.hooks, since crm does
not import projects).

Visibility is applied here, in one place: every project queryset starts from
core.permissions.visible_projects, so a confidential project of another team never
reaches a page of an officer who may not see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, QuerySet, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import pagination, permissions
from core.models import Team
from crm import selectors as crm_selectors
from crm.models import Mission, Organisation, Visit
from crm.selectors import TimelineEntry
from projects.filters import ProjectFilter
from projects.models import (
    PIPELINE,
    PLANNED_STAGES,
    SIDE_EXITS,
    TRANSITIONS,
    Project,
    Replan,
    Stage,
    StageChange,
    actual_field,
    not_reached,
    planned_field,
)
from projects.reminders import REMINDED_STAGES, overdue_ladder, with_overdue_level

if TYPE_CHECKING:
    from core.models import User

DUE_SOON_DAYS = 30
RECENT_VISITS = 10
# My work lists the soonest open follow-ups (overdue ones first).
FOLLOW_UPS_SHOWN = 50
# My work lists the projects updated last (the stage strip counts them all).
PROJECTS_SHOWN = 25
# My work lists the nearest milestones of each kind; the badge counts them all (up to the
# bound) and "and N more" opens the project list filtered on them.
MILESTONES_SHOWN = 20
MILESTONE_COUNT_BOUND = 1_000
# My work lists this many projects whose stage dates are to be completed.
UNDATED_SHOWN = 20

# Bootstrap colours of the overdue levels (AlertLevel values).
LEVEL_CLASS = {
    "red": "text-bg-danger",
    "yellow": "text-bg-warning",
    "blue": "text-bg-primary",
    "notice": "text-bg-info",
}


def project_url(project: Project) -> str:
    """The project's page."""
    return reverse("projects:project_detail", args=[project.pk])


def visible(user: User) -> QuerySet:
    return permissions.visible_projects(user, Project.objects.all())


# --- My work ------------------------------------------------------------------------


@dataclass
class Milestone:
    project: Project
    stage: Stage
    planned: dt.date
    days: int  # days late (> 0) or days left (>= 0 for coming ones)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass
class Scope:
    """Whose work the page shows: the user's own, or one or all of a manager's teams."""

    mine: bool
    team_ids: set[int]
    teams: list[Team] = field(default_factory=list)  # what the team filter offers
    selected: str = ""  # "" (default), "me" or a team id


def work_scope(user: User, selected: str = "") -> Scope:
    """Officers see their own work. Managers see their teams' (or one team, or their own
    with "me"); admins see every team's, or one team's."""
    if permissions.is_admin(user):
        teams = list(Team.objects.order_by("name"))
        allowed = {team.pk for team in teams}
    elif permissions.is_manager(user):
        allowed = permissions.team_ids_of(user)
        teams = list(Team.objects.filter(pk__in=allowed).order_by("name"))
    else:
        return Scope(mine=True, team_ids=set(), selected="me")
    if selected == "me":
        return Scope(mine=True, team_ids=set(), teams=teams, selected="me")
    if selected.isdigit() and int(selected) in allowed:
        return Scope(mine=False, team_ids={int(selected)}, teams=teams, selected=selected)
    return Scope(mine=False, team_ids=allowed, teams=teams, selected="")


@dataclass
class MyWork:
    scope: Scope
    overdue: list[Milestone]
    due_soon: list[Milestone]
    follow_ups: list[Visit]
    recent_visits: list[Visit]
    stages: list[dict]
    projects: list[Project]
    today: dt.date
    projects_more: int = 0  # open projects (not dropped) beyond the ones listed

    # Milestones are counted up to MILESTONE_COUNT_BOUND a kind (beyond: "more than").
    overdue_count: int = 0
    overdue_exact: bool = True
    due_soon_count: int = 0
    due_soon_exact: bool = True
    # Follow-ups are listed up to FOLLOW_UPS_SHOWN; beyond, the badge says "more than".
    follow_ups_exact: bool = True
    # Projects with stages reached on an unknown date: dates for the owner to complete.
    undated: list[Project] = field(default_factory=list)
    undated_count: int = 0

    @property
    def overdue_more(self) -> int:
        return max(self.overdue_count - len(self.overdue), 0)

    @property
    def due_soon_more(self) -> int:
        return max(self.due_soon_count - len(self.due_soon), 0)


def _scoped_projects(user: User, scope: Scope) -> QuerySet:
    projects = visible(user)
    if scope.mine:
        return projects.filter(owner=user)
    return projects.filter(team_id__in=scope.team_ids)


def _scoped_visits(user: User, scope: Scope) -> QuerySet:
    if scope.mine:
        return crm_selectors.visits_of(user)
    return crm_selectors.visits_of_teams(scope.team_ids)


def _milestones(projects: QuerySet, *, today: dt.date, horizon: dt.date, ladder) -> tuple:
    """The first MILESTONES_SHOWN overdue and coming milestones (planned stages not
    reached, soonest first) and how many there are, counted up to a bound.

    One statement with a part per (kind, planned stage), each an ordered, LIMITed range
    on that stage's plan, so its cost does not grow with a team's thousands of late
    milestones; then one query for the projects shown."""
    parts = []
    for kind in ("overdue", "soon"):
        for stage in PLANNED_STAGES:
            planned = planned_field(stage)
            when = (
                {f"{planned}__lt": today}
                if kind == "overdue"
                else {f"{planned}__gte": today, f"{planned}__lte": horizon}
            )
            parts.append(
                (
                    projects.filter(not_reached(stage), stage__in=REMINDED_STAGES, **when)
                    .order_by(planned, "pk")
                    .values("pk", planned)[: MILESTONE_COUNT_BOUND + 1],
                    planned,
                )
            )
    sql, params = [], []
    for index, (part, planned) in enumerate(parts):
        part_sql, part_params = part.query.sql_with_params()
        sql.append(
            # Field names and numbers of ours around Django's SQL; values stay parameters.
            f"SELECT * FROM (SELECT {index} AS part_no, bounded.pk, bounded.{planned} AS planned, "  # nosec B608
            f"COUNT(*) OVER () AS n FROM ({part_sql}) AS bounded "
            f"ORDER BY bounded.{planned}, bounded.pk LIMIT {MILESTONES_SHOWN}) AS part_{index}"
        )
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        rows = cursor.fetchall()
    shown = {
        project.pk: project
        for project in with_overdue_level(projects.filter(pk__in={row[1] for row in rows}), today=today, ladder=ladder)
        .select_related("owner")  # a milestone shows its project and, for a team, the owner
        .order_by()
    }
    overdue: list[Milestone] = []
    due_soon: list[Milestone] = []
    counted = {index: n for index, _pk, _planned, n in rows}
    for index, pk, _planned, _n in rows:
        project = shown.get(pk)
        if project is None:
            continue
        stage = PLANNED_STAGES[index % len(PLANNED_STAGES)]
        planned = project.planned_date(stage)
        if index < len(PLANNED_STAGES):
            overdue.append(Milestone(project, stage, planned, (today - planned).days))
        else:
            due_soon.append(Milestone(project, stage, planned, (planned - today).days))
    overdue.sort(key=lambda milestone: (milestone.planned, milestone.project.pk))
    due_soon.sort(key=lambda milestone: (milestone.planned, milestone.project.pk))
    half = len(PLANNED_STAGES)
    late_counts = [counted.get(index, 0) for index in range(half)]
    soon_counts = [counted.get(index, 0) for index in range(half, 2 * half)]
    counts = (
        min(sum(late_counts), MILESTONE_COUNT_BOUND),
        all(n <= MILESTONE_COUNT_BOUND for n in late_counts) and sum(late_counts) <= MILESTONE_COUNT_BOUND,
        min(sum(soon_counts), MILESTONE_COUNT_BOUND),
        all(n <= MILESTONE_COUNT_BOUND for n in soon_counts) and sum(soon_counts) <= MILESTONE_COUNT_BOUND,
    )
    return overdue[:MILESTONES_SHOWN], due_soon[:MILESTONES_SHOWN], counts


def my_work(*, user: User, selected: str = "", today: dt.date | None = None) -> MyWork:
    """Everything on the home page, in a fixed number of queries whatever the rows."""
    today = today or timezone.localdate()
    scope = work_scope(user, selected)
    projects = _scoped_projects(user, scope)

    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    ladder = overdue_ladder()
    overdue, due_soon, counts = _milestones(projects, today=today, horizon=horizon, ladder=ladder)

    visits = _scoped_visits(user, scope)
    follow_ups = list(crm_selectors.open_follow_ups(visits, until=horizon, limit=FOLLOW_UPS_SHOWN + 1))
    recent = list(
        crm_selectors.first_visits(visits, ("-date", "-pk"), RECENT_VISITS).select_related(
            "organisation", "mission", "owner"
        )
    )

    by_stage = {
        row["stage"]: row
        for row in projects.order_by().values("stage").annotate(n=Count("pk"), total=Sum("total_investment"))
    }
    stages = [
        {
            "stage": stage,
            "label": stage.label,
            "n": by_stage.get(stage, {}).get("n", 0),
            "total": by_stage.get(stage, {}).get("total") or Decimal(0),
        }
        for stage in Stage
    ]
    order = {stage: index for index, stage in enumerate(list(PIPELINE) + [Stage.ON_HOLD, Stage.DROPPED])}
    listed = list(
        with_overdue_level(projects.exclude(stage=Stage.DROPPED), today=today, ladder=ladder)
        .select_related("investor")  # the table shows the investor, not the owner or team
        .order_by("-updated_at")[:PROJECTS_SHOWN]
    )
    listed.sort(key=lambda project: (order.get(project.stage, 99), project.name))
    open_projects = sum(row["n"] for row in stages if row["stage"] != Stage.DROPPED)
    more = max(open_projects - len(listed), 0)
    work = MyWork(scope, overdue, due_soon, follow_ups[:FOLLOW_UPS_SHOWN], recent, stages, listed, today, more, *counts)
    work.follow_ups_exact = len(follow_ups) <= FOLLOW_UPS_SHOWN
    work.undated, work.undated_count = _dates_to_complete(projects)
    return work


def _dates_to_complete(projects: QuerySet) -> tuple[list[Project], int]:
    """Projects that passed stages on dates nobody knows yet (imported from a ledger):
    the first UNDATED_SHOWN, and how many there are."""
    undated = list(projects.exclude(undated_stages="").order_by("name", "pk")[: UNDATED_SHOWN + 1])
    count = len(undated)
    if count > UNDATED_SHOWN:
        count = projects.exclude(undated_stages="").count()
    return undated[:UNDATED_SHOWN], count


# --- Project pages: list, board, detail -------------------------------------------

LIST_PAGE_SIZE = 25
# Cards shown per board column at first (a screen and a half on a laptop, and the board
# page stays light), and loaded by each "show more"; the column's
# count and total still cover all of them.
BOARD_CARDS = 12
# "Show more" goes on up to this many cards in a column; past it, the list pages them.
BOARD_MAX_CARDS = 200
# A column counts its projects up to this many (beyond, it says "more than"): seven
# columns of a few thousand index entries each keep the board's cost flat.
BOARD_COUNT_BOUND = 1_000
HISTORY_ROWS = 50
# The board's columns: the pipeline, and the projects paused on the way.
BOARD_STAGES: list[Stage] = [*PIPELINE, Stage.ON_HOLD]

_STAGE_ORDER = Case(
    *[When(stage=stage, then=Value(index)) for index, stage in enumerate([*PIPELINE, Stage.ON_HOLD, Stage.DROPPED])],
    default=Value(99),
    output_field=IntegerField(),
)

# ?sort= values of the list and the columns they order by (ties broken by id).
SORTS: dict[str, list] = {
    "name": ["name", "pk"],
    "-name": ["-name", "-pk"],
    "investor": ["investor__name", "pk"],
    "-investor": ["-investor__name", "-pk"],
    "stage": [_STAGE_ORDER.asc(), "pk"],
    "-stage": [_STAGE_ORDER.desc(), "-pk"],
    "investment": ["total_investment", "pk"],
    "-investment": ["-total_investment", "-pk"],
    "signed": [F("signed_on").asc(nulls_last=True), "pk"],
    "-signed": [F("signed_on").desc(nulls_last=True), "-pk"],
    "updated": ["updated_at", "pk"],
    "-updated": ["-updated_at", "-pk"],
}
DEFAULT_SORT = "-updated"


def visible_with_level(user: User, today: dt.date | None = None) -> QuerySet:
    """Projects the user may see, each with its overdue level."""
    return with_overdue_level(visible(user), today=today)


@dataclass
class ProjectList:
    filterset: ProjectFilter
    projects: QuerySet
    count: int
    total: Decimal | None  # None when there are more rows than counted
    sort: str
    exact: bool = True  # False: `count` is a bound, there are more


def project_list(*, user: User, data, sort: str = "", count_bound: int | None = None) -> ProjectList:
    """The filtered projects, their count and total investment (summed in the database).

    Count and total read at most count_bound + 1 rows (one query, whatever the table
    holds): past the bound the list says "more than" the bound and has no total."""
    count_bound = pagination.COUNT_BOUND if count_bound is None else count_bound
    filterset = ProjectFilter(data or None, queryset=visible_with_level(user))
    filtered = filterset.qs
    counted = filtered.order_by().values("pk", "total_investment")[: count_bound + 1]
    totals = counted.aggregate(n=Count("pk"), total=Sum("total_investment"))
    n, exact = totals["n"] or 0, (totals["n"] or 0) <= count_bound
    total = (totals["total"] or Decimal(0)) if exact else None
    sort = sort if sort in SORTS else DEFAULT_SORT
    rows = filtered.select_related("investor", "owner", "team", "industry", "park").order_by(*SORTS[sort])
    return ProjectList(filterset, rows, min(n, count_bound), total, sort, exact)


@dataclass
class Move:
    """A stage a project may be moved to from where it is."""

    stage: Stage
    label: str
    is_exit: bool = False


def allowed_moves(project: Project) -> list[Move]:
    """The moves the stage machine allows from the project's stage, forward first."""
    current = Stage(project.stage)
    targets = set(TRANSITIONS[current])
    if current == Stage.ON_HOLD:
        targets.add(Stage(project.held_stage or Stage.LEAD))
    ordered = [stage for stage in [*PIPELINE, Stage.ON_HOLD, Stage.DROPPED] if stage in targets]
    return [Move(stage, stage.label, stage in SIDE_EXITS) for stage in ordered]


@dataclass
class BoardColumn:
    stage: Stage
    label: str
    n: int
    total: Decimal | None  # None when the column has more projects than counted
    cards: list[Project]
    exact: bool = True  # False: `n` is a bound, the column has more
    offset: int = 0  # cards before these ones (shown already)

    @property
    def shown(self) -> int:
        """Cards on the board once these are: the ones before them and these."""
        return self.offset + len(self.cards)

    @property
    def more(self) -> int:
        return self.n - self.shown

    @property
    def can_show_more(self) -> bool:
        return (self.more > 0 or not self.exact) and self.shown < BOARD_MAX_CARDS


@dataclass
class Board:
    filterset: ProjectFilter
    columns: list[BoardColumn]


# The order of a column's cards: major projects first, then the biggest.
CARD_ORDER = ("-is_major", "-total_investment", "pk")


def _board_filtered(user: User, data) -> tuple[ProjectFilter, QuerySet]:
    """The board's filters (all but the stage: the columns are the stages) and the
    projects they leave, each with its overdue level."""
    data = data.copy() if data else None
    if data is not None:
        data.pop("stage", None)
    filterset = ProjectFilter(data, queryset=visible_with_level(user))
    return filterset, filterset.qs.order_by()


def _union_all(querysets: list[QuerySet], select: str) -> tuple[str, list]:
    """`SELECT <select> FROM (<queryset>) UNION ALL ...`, one part per queryset, in one
    statement: each part keeps its own ORDER BY and LIMIT (and so its own index scan)."""
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT {select.format(index=index)} FROM ({sql}) AS part")  # nosec B608 (Django's SQL)
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def board(*, user: User, data, per_column: int | None = None, count_bound: int | None = None) -> Board:
    """One column per stage: its count and total, and its biggest projects, in three
    queries whatever the rows. A column counts at most count_bound + 1 projects (its
    total is given when the count is exact); its cards are an index range each."""
    count_bound = BOARD_COUNT_BOUND if count_bound is None else count_bound
    per_column = BOARD_CARDS if per_column is None else per_column
    filterset, filtered = _board_filtered(user, data)
    counted = [filtered.filter(stage=stage).values("total_investment")[: count_bound + 1] for stage in BOARD_STAGES]
    firsts = [filtered.filter(stage=stage).order_by(*CARD_ORDER).values("pk")[:per_column] for stage in BOARD_STAGES]
    with connection.cursor() as cursor:
        cursor.execute(*_union_all(counted, "{index}, COUNT(*), SUM(part.total_investment)"))
        # (SQLite sums decimals as floats: read them back as the amounts they are.)
        sums = {index: (n, None if total is None else Decimal(str(total))) for index, n, total in cursor.fetchall()}
        cursor.execute(*_union_all(firsts, "part.pk"))
        ids = [row[0] for row in cursor.fetchall()]
    by_pk = {project.pk: project for project in filtered.filter(pk__in=ids).select_related("investor", "owner")}
    columns = []
    for index, stage in enumerate(BOARD_STAGES):
        cards = [
            project
            for project in sorted(
                (project for project in by_pk.values() if project.stage == stage),
                key=lambda project: (not project.is_major, -project.total_investment, project.pk),
            )
        ]
        for card in cards:
            card.moves = allowed_moves(card)
        n, total = sums.get(index, (0, None))
        exact = n <= count_bound
        columns.append(
            BoardColumn(
                stage,
                stage.label,
                min(n, count_bound),
                (total or Decimal(0)) if exact else None,
                cards,
                exact,
            )
        )
    return Board(filterset, columns)


def board_column(*, user: User, data, stage: Stage, offset: int, count_bound: int | None = None) -> BoardColumn:
    """The next BOARD_CARDS cards of one column after the first `offset` (none past
    BOARD_MAX_CARDS), with the column's count: two queries, each an index range."""
    count_bound = BOARD_COUNT_BOUND if count_bound is None else count_bound
    _filterset, filtered = _board_filtered(user, data)
    in_column = filtered.filter(stage=stage)
    totals = in_column.values("pk", "total_investment")[: count_bound + 1].aggregate(
        n=Count("pk"), total=Sum("total_investment")
    )
    offset = max(0, min(offset, BOARD_MAX_CARDS))
    limit = max(0, min(BOARD_CARDS, BOARD_MAX_CARDS - offset))
    cards = (
        list(in_column.select_related("investor", "owner").order_by(*CARD_ORDER)[offset : offset + limit])
        if limit
        else []
    )
    for card in cards:
        card.moves = allowed_moves(card)
    n = totals["n"] or 0
    exact = n <= count_bound
    total = (totals["total"] or Decimal(0)) if exact else None
    return BoardColumn(stage, stage.label, min(n, count_bound), total, cards, exact, offset)


def project_for(user: User, pk: int) -> Project:
    """One project the user may see, or 404 (as if hidden ones did not exist)."""
    projects = visible(user).select_related("investor", "owner", "team", "industry", "park", "source_mission")
    return get_object_or_404(projects, pk=pk)


@dataclass
class StageRow:
    """One stage of the detail page: when it was planned and when it was reached."""

    stage: Stage
    label: str
    planned: dt.date | None
    actual: dt.date | None
    first_plan: dt.date | None  # the original plan, when the date was re-planned
    late_days: int  # reached this many days after the plan, or overdue by this many today
    overdue: bool  # not reached, and the plan has passed
    replans: list[Replan]
    is_current: bool
    date_unknown: bool = False  # reached on a date nobody knows yet (Project.undated_stages)

    @property
    def can_replan(self) -> bool:
        return self.stage in PLANNED_STAGES and self.actual is None and not self.date_unknown


@dataclass
class HistoryEntry:
    at: dt.datetime
    who: object
    kind: str  # "created", "edited", "stage", "replan", "deleted", "restored"
    title: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    note: str = ""


@dataclass
class ProjectDetail:
    project: Project
    rows: list[StageRow]
    history: list[HistoryEntry]
    moves: list[Move]
    today: dt.date


# Columns the history leaves out: the stage machine's own (shown as stage changes) and bookkeeping.
_QUIET_FIELDS = {
    "stage",
    "held_stage",
    "exit_reason",
    "resumed_on",
    "version",
    "updated_at",
    "created_at",
    "is_deleted",
    "deleted_at",
    "undated_stages",
    *[actual_field(stage) for stage in [*PIPELINE, *SIDE_EXITS]],
}


_ACTUAL_FIELDS = {actual_field(stage): stage for stage in PIPELINE}


def _shown(model_field, value):
    """A history value as a person reads it (choices by label; related rows by id)."""
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return date_format(value)
    return value


def _edit_history(project: Project) -> list[HistoryEntry]:
    records = list(
        project.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_ROWS + 1]
    )
    # Names of related rows, fetched once for every record shown (not per record).
    related: dict[str, dict] = {}
    for name in ["investor", "industry", "park", "source_mission", "owner", "team"]:
        ids = {getattr(record, f"{name}_id") for record in records} - {None}
        model = Project._meta.get_field(name).related_model
        related[name] = {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)} if ids else {}
    entries = []
    for index, record in enumerate(records[:HISTORY_ROWS]):
        older = records[index + 1] if index + 1 < len(records) else None
        reason = record.history_change_reason or ""
        if record.history_type == "+" or older is None:
            entries.append(HistoryEntry(record.history_date, record.history_user, "created", _("Project created")))
            continue
        if reason in {"deleted", "restored"}:
            title = _("Deleted") if reason == "deleted" else _("Restored")
            entries.append(HistoryEntry(record.history_date, record.history_user, reason, title))
            continue
        if reason == "date completed":
            for name, stage in _ACTUAL_FIELDS.items():
                if getattr(record, name) and not getattr(older, name):
                    title = _("Date completed: “%(stage)s” reached on %(date)s") % {
                        "stage": stage.label,
                        "date": date_format(getattr(record, name)),
                    }
                    entries.append(HistoryEntry(record.history_date, record.history_user, "edited", title))
            continue
        delta = record.diff_against(older)
        changes = []
        for change in delta.changes:
            if change.field in _QUIET_FIELDS:
                continue
            if change.field.endswith("_planned") and change.old is not None:
                continue  # moving a set plan is a re-plan, listed as such with its reason
            model_field = Project._meta.get_field(change.field)
            old, new = change.old, change.new
            if model_field.is_relation:
                names = related.get(change.field, {})
                old, new = names.get(old, old), names.get(new, new)
            changes.append((model_field.verbose_name, _shown(model_field, old), _shown(model_field, new)))
        if changes:
            entries.append(HistoryEntry(record.history_date, record.history_user, "edited", _("Edited"), changes))
    return entries


def project_detail(*, user: User, pk: int, today: dt.date | None = None) -> ProjectDetail:
    """The project page: planned against actual per stage, the moves allowed, the history."""
    today = today or timezone.localdate()
    project = get_object_or_404(
        visible_with_level(user, today=today).select_related(
            "investor", "owner", "team", "industry", "park", "source_mission", "source_visit"
        ),
        pk=pk,
    )
    changes = list(project.stage_changes.select_related("changed_by").order_by("-changed_at", "-pk"))
    replans = list(project.replans.select_related("changed_by").order_by("changed_at", "pk"))
    chased = project.stage in REMINDED_STAGES

    rows = []
    for stage in PIPELINE:
        planned = project.planned_date(stage)
        actual = project.actual_date(stage)
        own = [replan for replan in replans if replan.stage == stage]
        late_days, overdue = 0, False
        if planned and actual and actual > planned:
            late_days = (actual - planned).days
        elif planned and not actual and planned < today and chased and not project.date_unknown(stage):
            late_days, overdue = (today - planned).days, True
        rows.append(
            StageRow(
                stage=stage,
                label=stage.label,
                planned=planned,
                actual=actual,
                first_plan=own[0].old_date if own else None,
                late_days=late_days,
                overdue=overdue,
                replans=own,
                is_current=project.stage == stage,
                date_unknown=project.date_unknown(stage),
            )
        )

    history = _edit_history(project)
    for change in changes:
        title = _("Stage: %(from)s → %(to)s, reached on %(date)s") % {
            "from": change.get_from_stage_display(),
            "to": change.get_to_stage_display(),
            "date": date_format(change.reached_on),
        }
        if change.is_correction:
            title = _("Correction. %(title)s") % {"title": title}
        history.append(HistoryEntry(change.changed_at, change.changed_by, "stage", title, note=change.note))
    for replan in replans:
        title = _("Re-planned “%(stage)s”: %(old)s → %(new)s") % {
            "stage": replan.get_stage_display(),
            "old": date_format(replan.old_date),
            "new": date_format(replan.new_date),
        }
        history.append(HistoryEntry(replan.changed_at, replan.changed_by, "replan", title, note=replan.reason))
    history.sort(key=lambda entry: entry.at, reverse=True)
    return ProjectDetail(project, rows, history, allowed_moves(project), today)


def source_visit_for(visit_id) -> Visit | None:
    """The visit a new project comes from (every user may read visits)."""
    if not str(visit_id or "").isdigit():
        return None
    return Visit.objects.select_related("organisation", "mission").filter(pk=int(visit_id)).first()


# --- The project parts of crm pages -------------------------------------------------


def organisation_project_entries(user: User, organisation: Organisation) -> list[TimelineEntry]:
    """The organisation's projects and their stage changes, as the user may see them."""
    projects = list(visible(user).filter(investor=organisation))
    entries = []
    for project in projects:
        day = timezone.localdate(project.created_at)
        entries.append(
            TimelineEntry(
                on=project.lead_on or day,
                kind="project",
                title=_("Project: %(name)s") % {"name": project.name},
                detail=project.get_stage_display(),
                url=project_url(project),
                sort_key=(project.lead_on or day, 1, project.pk),
                obj=project,
            )
        )
    changes = (
        StageChange.objects.filter(project__in=[project.pk for project in projects])
        .select_related("project", "changed_by")
        .order_by("-reached_on", "-pk")
    )
    for change in changes:
        entries.append(
            TimelineEntry(
                on=change.reached_on,
                kind="stage_change",
                title=_("%(project)s: %(from)s → %(to)s")
                % {
                    "project": change.project.name,
                    "from": change.get_from_stage_display(),
                    "to": change.get_to_stage_display(),
                },
                detail=change.note,
                url=project_url(change.project),
                sort_key=(change.reached_on, 2, change.pk),
                obj=change,
            )
        )
    return entries


def mission_project_entries(user: User, mission: Mission) -> list[TimelineEntry]:
    projects = visible(user).filter(source_mission=mission).select_related("investor").order_by("-created_at")
    return [
        TimelineEntry(
            on=project.lead_on or timezone.localdate(project.created_at),
            kind="project",
            title=project.name,
            detail=project.investor.name,
            url=project_url(project),
            badge=project.get_stage_display(),
            obj=project,
        )
        for project in projects
    ]


def organisations_with_active_project(user: User) -> QuerySet:
    return visible(user).filter(stage__in=REMINDED_STAGES).values("investor_id")


def mission_project_counts(user: User, mission_ids: list[int]) -> dict[int, int]:
    rows = (
        visible(user)
        .filter(source_mission_id__in=mission_ids)
        .order_by()
        .values("source_mission_id")
        .annotate(n=Count("pk"))
    )
    return {row["source_mission_id"]: row["n"] for row in rows}


crm_selectors.hooks.organisation_timeline.append(organisation_project_entries)
crm_selectors.hooks.mission_projects.append(mission_project_entries)
crm_selectors.hooks.organisations_with_active_project = organisations_with_active_project
crm_selectors.hooks.mission_project_counts = mission_project_counts
