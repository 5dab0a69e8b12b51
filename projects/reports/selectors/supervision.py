"""The supervision list (督办): every late milestone, a page at a time.

A row is one (project, planned stage) whose planned date is past and not reached, for
a project still being chased. The database finds, counts, orders and pages the rows:
one branch per planned stage (each a range scan of that stage's partial "due" index),
joined by UNION ALL and ordered there. Only the rows of the page shown are then read
in full (project, owner, team, investor, re-plans, last contact): a page costs the
same few queries whether a zone has ten late milestones or a hundred thousand. The
totals (late by level, due soon) are one aggregate query.

The download iterates over every row in chunks, with the same ordering and filters.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.i18n import display_name
from core.models import AlertLevel, User
from crm.models import Visit
from projects.models import PLANNED_STAGES, Project, ReminderRule, Replan, not_reached, planned_field
from projects.reminders import REMINDED_STAGES
from projects.reports.selectors.common import Column, Table, visible

SUPERVISION_ORDERINGS = [
    "days_late",
    "-days_late",
    "planned",
    "-planned",
    "project",
    "-project",
    "owner",
    "-owner",
    "last_contact",
    "-last_contact",
    "level",
    "-level",
]
DEFAULT_ORDERING = "-days_late"
# Rows read per query when the download walks through every row.
CHUNK = 2000


def supervision_options(query) -> dict:
    """The page's and the download's reading of ?ordering=, ?level= and ?major=: a value
    it does not know falls back to the default (the API answers 400 instead)."""
    ordering = query.get("ordering", DEFAULT_ORDERING)
    level = query.get("level", "")
    return {
        "ordering": ordering if ordering in SUPERVISION_ORDERINGS else DEFAULT_ORDERING,
        "level": level if level in AlertLevel.values else None,
        "major": {"true": True, "false": False}.get(query.get("major", "")),
    }


LEVEL_RANK = {"": 0, "notice": 1, "blue": 2, "yellow": 3, "red": 4}


def _level_for(days: int, ladder: list[tuple[int, str]]) -> str:
    level = ""
    for threshold, rung in ladder:
        if days >= threshold:
            level = rung
    return level


def _rules() -> tuple[list[tuple[int, str]], int]:
    """The overdue ladder (days late, level; fewest days first) and how many days ahead a
    milestone counts as due soon (the farthest active "coming" rule): one query."""
    Kind = ReminderRule.Kind
    ladder, ahead = [], 0
    rows = (
        ReminderRule.objects.filter(kind__in=[Kind.MILESTONE_OVERDUE, Kind.MILESTONE_COMING], is_active=True)
        .order_by("days")
        .values_list("kind", "days", "level")
    )
    for kind, days, level in rows:
        if kind == Kind.MILESTONE_OVERDUE:
            ladder.append((days, level))
        else:
            ahead = max(ahead, days)
    return ladder, ahead


def _buckets(ladder: list[tuple[int, str]]) -> list[tuple[int, int | None, str]]:
    """The ladder as intervals of days late: (from, until or None, level), from one day
    late; the days before the first rung have level "" ."""
    first = ""  # a late milestone is late by one day at least
    for days, level in ladder:
        if days <= 1:
            first = level
    bounds = [(1, first)] + [(days, level) for days, level in ladder if days > 1]
    result = []
    for index, (start, level) in enumerate(bounds):
        until = bounds[index + 1][0] if index + 1 < len(bounds) else None
        result.append((start, until, level))
    return result


def _days_late_q(planned: str, today: dt.date, start: int, until: int | None) -> Q:
    """Late by `start` days or more and by fewer than `until`, as a range of planned dates."""
    q = Q(**{f"{planned}__lte": today - dt.timedelta(days=start)})
    if until is not None:
        q &= Q(**{f"{planned}__gt": today - dt.timedelta(days=until)})
    return q


def _late_q(stage, today: dt.date) -> Q:
    return not_reached(stage) & Q(**{f"{planned_field(stage)}__lt": today})


def _owner_name() -> Coalesce:
    """str(User) in SQL: display name, else full name, else user name."""
    full = Trim(Concat("owner__first_name", Value(" "), "owner__last_name"))
    return Coalesce(NullIf("owner__display_name", Value("")), NullIf(full, Value("")), "owner__username")


@dataclass
class Totals:
    late: int = 0
    by_level: dict[str, int] = field(default_factory=dict)  # level ("" below the first rung) -> rows
    due_soon: int = 0  # planned within the next `due_soon_days`, not reached
    due_soon_days: int = 0

    def levels(self) -> list[tuple[str, str, int]]:
        """(level, label, rows), most urgent first, as the page shows them."""
        labels = dict(AlertLevel.choices)
        ordered = sorted(self.by_level, key=lambda level: -LEVEL_RANK.get(level, 0))
        return [(level, str(labels.get(level, _("Below the first level"))), self.by_level[level]) for level in ordered]


class LateMilestones:
    """The rows of the list, read from the database a slice at a time.

    `count()` comes from the totals (no query); `rows[a:b]` reads one page (four
    queries, whatever the size of the list); iterating reads every row in chunks.
    """

    def __init__(self, *, user: User, today: dt.date, ordering: str, level: str | None, major: bool | None):
        self.user, self.today, self.ordering, self.level, self.major = user, today, ordering, level, major
        self.ladder, self.due_soon_days = _rules()
        self.totals = self._totals()

    # --- Sizes -------------------------------------------------------------------------------

    def count(self) -> int:
        if self.level:
            return self.totals.by_level.get(self.level, 0)
        return self.totals.late

    def __len__(self) -> int:
        return self.count()

    def _projects(self) -> QuerySet:
        projects = visible(self.user).filter(stage__in=REMINDED_STAGES)
        if self.major is not None:
            projects = projects.filter(is_major=self.major)
        return projects

    def _totals(self) -> Totals:
        """Late rows per level and rows due soon: one query, UNION ALL of one aggregate
        per planned stage (each an index-only range scan of that stage's late index)."""
        today, ahead = self.today, self.due_soon_days
        buckets = _buckets(self.ladder)
        branches = []
        for stage in PLANNED_STAGES:
            planned = planned_field(stage)
            aggregates = {
                f"n{index}": Count("pk", filter=_days_late_q(planned, today, start, until))
                for index, (start, until, _level) in enumerate(buckets)
            }
            aggregates["soon"] = Count("pk", filter=Q(**{f"{planned}__gte": today}))
            branch = self._projects().filter(
                not_reached(stage), **{f"{planned}__lte": today + dt.timedelta(days=ahead)}
            )
            branches.append(branch.order_by().values(m_stage=Value(stage.value)).annotate(**aggregates))
        totals = Totals(due_soon_days=ahead, by_level={level: 0 for _start, _until, level in buckets})
        for row in branches[0].union(*branches[1:], all=True):
            for index, (_start, _until, level) in enumerate(buckets):
                totals.by_level[level] += row[f"n{index}"]
                totals.late += row[f"n{index}"]
            totals.due_soon += row["soon"]
        return totals

    # --- The ordered rows --------------------------------------------------------------------

    def _level_q(self, planned: str) -> Q:
        q = Q(pk__in=[])
        for start, until, level in _buckets(self.ladder):
            if level == self.level:
                q |= _days_late_q(planned, self.today, start, until)
        return q

    def _rank(self, planned: str) -> Case:
        whens = [
            When(_days_late_q(planned, self.today, start, until), then=Value(LEVEL_RANK.get(level, 0)))
            for start, until, level in _buckets(self.ladder)
        ]
        return Case(*whens, default=Value(0), output_field=IntegerField())

    def _ordered(self):
        """(pk, stage, planned) of every row, ordered: UNION ALL of one branch per stage."""
        key = self.ordering.lstrip("-")
        branches = []
        for stage in PLANNED_STAGES:
            planned = planned_field(stage)
            branch = self._projects().filter(_late_q(stage, self.today))
            if self.level:
                branch = branch.filter(self._level_q(planned))
            extra = {}
            if key == "project":
                extra["sort_key"] = F("name")
            elif key == "owner":
                extra["sort_key"] = _owner_name()
            elif key == "last_contact":
                extra["sort_key"] = Subquery(
                    Visit.objects.filter(organisation=OuterRef("investor_id")).order_by("-date").values("date")[:1]
                )
            elif key == "level":
                extra["sort_key"] = self._rank(planned)
            else:
                extra["sort_key"] = Value(0, output_field=IntegerField())
            branch = branch.annotate(m_stage=Value(stage.value), m_planned=F(planned), **extra).order_by()
            branches.append(branch.values_list("pk", "m_stage", "m_planned", "sort_key"))
        union = branches[0].union(*branches[1:], all=True)
        descending = self.ordering.startswith("-")
        if key in ("days_late", "planned"):
            # Days late grow as the planned date gets older.
            older_first = descending if key == "days_late" else not descending
            primary = [F("m_planned").asc() if older_first else F("m_planned").desc()]
        else:
            sort_key = F("sort_key")
            primary = [sort_key.desc(nulls_last=True) if descending else sort_key.asc(nulls_last=True)]
        # Ties: the latest first (days late), then the newest project, then the stage.
        return union.order_by(*primary, F("m_planned").asc(), F("pk").desc(), F("m_stage").asc())

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ValueError("No step in a slice of the supervision list.")
            start, stop = index.start or 0, index.stop
            if start < 0 or (stop is not None and stop < 0):
                raise ValueError("No negative index in the supervision list.")
            if stop is not None and stop <= start:
                return []
            return self._rows(list(self._ordered()[start:stop]))
        rows = self[index : index + 1]
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[dict]:
        chunk: list = []
        for item in self._ordered().iterator(chunk_size=CHUNK):
            chunk.append(item)
            if len(chunk) == CHUNK:
                yield from self._rows(chunk)
                chunk = []
        yield from self._rows(chunk)

    # --- One page's rows in full ---------------------------------------------------------------

    def _rows(self, keys: list[tuple]) -> list[dict]:
        """The rows of (pk, stage, planned, sort key): three queries (projects, re-plans,
        last contact with their investors)."""
        if not keys:
            return []
        ids = {pk for pk, *_rest in keys}
        projects = Project.objects.select_related("owner", "team", "investor").in_bulk(ids)
        replans: dict[tuple[int, str], list[Replan]] = defaultdict(list)
        stages = {stage for _pk, stage, *_rest in keys}
        for replan in Replan.objects.filter(project__in=ids, stage__in=stages).order_by("changed_at", "pk"):
            replans[(replan.project_id, replan.stage)].append(replan)
        investors = {project.investor_id for project in projects.values()}
        last_contact = dict(
            Visit.objects.filter(organisation__in=investors)
            .order_by()
            .values("organisation")
            .annotate(latest=Max("date"))
            .values_list("organisation", "latest")
        )
        labels = dict(AlertLevel.choices)
        stage_labels = {stage.value: stage.label for stage in PLANNED_STAGES}
        rows = []
        for pk, stage, planned, _sort_key in keys:
            project = projects[pk]
            days = (self.today - planned).days
            rung = _level_for(days, self.ladder)
            history = replans.get((pk, stage), [])
            rows.append(
                {
                    "project_id": pk,
                    "project": project.name,
                    "investor": project.investor.name,
                    "is_major": project.is_major,
                    "stage": stage,
                    "stage_label": str(stage_labels[stage]),
                    "planned": planned,
                    "original_planned": history[0].old_date if history else planned,
                    "days_late": days,
                    "level": rung,
                    "level_label": str(labels.get(rung, "")),
                    "owner_id": project.owner_id,
                    "owner": str(project.owner),
                    "team": display_name(project.team),
                    "last_contact": last_contact.get(project.investor_id),
                    "replan_count": len(history),
                    "replans": [
                        {
                            "old_date": replan.old_date,
                            "new_date": replan.new_date,
                            "reason": replan.reason,
                            "changed_at": replan.changed_at,
                        }
                        for replan in history
                    ],
                    "replan_history": "; ".join(
                        f"{replan.old_date} → {replan.new_date} ({replan.reason})" for replan in history
                    ),
                    "links": {"project": _project_url(pk)},
                }
            )
        return rows


@dataclass
class SupervisionTable(Table):
    """The list's table; `rows` is a LateMilestones (sliced by a paginator, or iterated)."""

    totals: Totals = field(default_factory=Totals)


COLUMNS = [
    ("project", _("Project"), "text"),
    ("investor", capfirst(_("investor")), "text"),  # 投资方, as on every other page
    ("stage_label", _("Milestone"), "text"),
    ("planned", _("Planned"), "date"),
    ("original_planned", _("First planned"), "date"),
    ("days_late", _("Days late"), "int"),
    ("level_label", _("Level"), "text"),
    ("owner", _("Owner"), "text"),
    ("team", _("Team"), "text"),
    ("last_contact", _("Last contact"), "date"),
    ("replan_count", _("Re-plans"), "int"),
    ("replan_history", _("Re-plan history"), "text"),
]


def supervision(
    *,
    user: User,
    today: dt.date | None = None,
    ordering: str = DEFAULT_ORDERING,
    major: bool | None = None,
    level: str | None = None,
) -> SupervisionTable:
    """Every late milestone of a project still being chased, with the totals: two queries
    now (rules, totals); each page or chunk read from `rows` four more."""
    rows = LateMilestones(
        user=user,
        today=today or timezone.localdate(),
        ordering=ordering if ordering in SUPERVISION_ORDERINGS else DEFAULT_ORDERING,
        level=level or None,
        major=major,
    )
    return SupervisionTable(
        "supervision",
        _("Supervision list: late milestones"),
        [Column(key, label, kind) for key, label, kind in COLUMNS],
        rows,  # type: ignore[arg-type]
        totals=rows.totals,
    )


def _project_url(pk: int) -> str:
    try:
        return reverse("projects:project_detail", args=[pk])
    except NoReverseMatch:
        return reverse("admin:projects_project_change", args=[pk])
