"""Reads of agreements and promise checks. Visibility follows the project: a
confidential project's agreement, checks and documents are as hidden as the project
(core.permissions.visible_projects), for every page, the API and the admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Prefetch, QuerySet, Value, When, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agreements.models import Agreement, AgreementDocument, PromiseCheck
from core import permissions
from core.models import User
from projects.models import Project

Status = PromiseCheck.Status
# What needs supervision (督办): due without figures, or figures below the promise.
MISSED = (Status.LATE, Status.NOT_MET)


def visible_projects(user: User) -> QuerySet:
    return permissions.visible_projects(user, Project.objects.all())


def visible_agreements(user: User) -> QuerySet:
    return Agreement.objects.filter(project__in=visible_projects(user))


def with_status(checks: QuerySet, today: dt.date) -> QuerySet:
    """Annotate `check_status` (a PromiseCheck.Status value), as PromiseCheck.status() reads it."""
    return checks.annotate(
        check_status=Case(
            When(actual__isnull=True, due_on__gte=today, then=Value(Status.PENDING.value)),
            When(actual__isnull=True, then=Value(Status.LATE.value)),
            When(actual__gte=F("promised"), then=Value(Status.MET.value)),
            default=Value(Status.NOT_MET.value),
            output_field=CharField(),
        )
    )


def visible_checks(user: User, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return with_status(PromiseCheck.objects.filter(agreement__project__in=visible_projects(user)), today)


def project_agreement(*, user: User, project: Project) -> Agreement | None:
    """The agreement of a project the user sees, with its checks and documents (3 queries)."""
    if not permissions.can_view_project(user, project):
        return None
    return (
        Agreement.objects.filter(project=project)
        .select_related("park")
        .prefetch_related(
            Prefetch("checks", queryset=PromiseCheck.objects.order_by("kind")),
            Prefetch("documents", queryset=AgreementDocument.objects.select_related("uploaded_by")),
        )
        .first()
    )


def agreement_for(user: User, pk: int) -> Agreement:
    """One agreement the user may see, or 404 (as if hidden ones did not exist)."""
    return get_object_or_404(visible_agreements(user).select_related("project", "park"), pk=pk)


def check_for(user: User, pk: int) -> PromiseCheck:
    return get_object_or_404(
        PromiseCheck.objects.filter(agreement__project__in=visible_projects(user)).select_related("agreement__project"),
        pk=pk,
    )


def document_for(user: User, pk: int) -> AgreementDocument:
    return get_object_or_404(AgreementDocument.objects.filter(agreement__in=visible_agreements(user)), pk=pk)


@dataclass
class CheckList:
    checks: QuerySet
    status: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def check_list(
    *, user: User, status: list[str] | None = None, kind: str = "", team: str = "", today: dt.date | None = None
) -> CheckList:
    """Promise checks the user may see, most overdue first; by default those that need
    supervision (late or not met)."""
    today = today or timezone.localdate()
    checks = visible_checks(user, today)
    if kind in PromiseCheck.Kind.values:
        checks = checks.filter(kind=kind)
    if team.isdigit():
        checks = checks.filter(agreement__project__team_id=int(team))
    counts = {row["check_status"]: row["n"] for row in _counts(checks)}
    chosen = [value for value in (status or []) if value in Status.values] or list(MISSED)
    checks = (
        checks.filter(check_status__in=chosen)
        .select_related("agreement__project__team", "agreement__project__owner", "agreement__park")
        .order_by("due_on", "agreement__project__name", "kind")
    )
    return CheckList(checks=checks, status=chosen, counts={value: counts.get(value, 0) for value in Status.values})


def _counts(checks: QuerySet):
    return checks.order_by().values("check_status").annotate(n=Count("id"))


SHOWN = 10  # missed checks listed on My work and on the supervision list


@dataclass
class MissedChecks:
    rows: list[PromiseCheck]
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def missed_checks(
    *, user: User, mine: bool = False, team_ids: set[int] | frozenset[int] | None = None, today: dt.date | None = None
) -> MissedChecks:
    """Late or not-met checks the user sees, most overdue first: the first SHOWN and how
    many there are, in one query (the total is a window over the rows before the limit).
    `mine`: of the user's own projects; `team_ids`: of those teams' projects (My work);
    neither: every one the user sees (the supervision list)."""
    checks = visible_checks(user, today).filter(check_status__in=MISSED)
    if mine:
        checks = checks.filter(agreement__project__owner=user)
    elif team_ids is not None:
        checks = checks.filter(agreement__project__team_id__in=team_ids)
    rows = list(
        checks.select_related("agreement__project__team", "agreement__project__owner")
        .annotate(total=Window(Count("id")))
        .order_by("due_on", "agreement__project__name", "kind")[:SHOWN]
    )
    return MissedChecks(rows=rows, count=rows[0].total if rows else 0)
