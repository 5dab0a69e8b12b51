"""Credit split (分成): a project's credit shared between teams.

project_set_credit is the one write: the web form, the API and the admin inline all
call it with the whole split, so the rule a single row cannot carry (the shares of a
project add up to exactly 100%) is checked on every path. A share between 0 and 100
and one row per team are CHECK and UNIQUE constraints too (ProjectCredit.Meta).

A project without rows is credited 100% to its own team; an empty split removes the
rows (back to 100% for the project's team).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.errors import DomainError, NotFound, NotPermitted
from core.i18n import display_name
from core.models import Team
from core.records import stored_version
from projects.models import Project, ProjectCredit

if TYPE_CHECKING:
    from core.models import User

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Share:
    team: Team
    share: Decimal
    note: str = ""


def can_split_credit(user: User, project: Project) -> bool:
    """Splitting credit is a manager's decision (of the project's team) or an admin's."""
    return permissions.can_delete_project(user, project)


def check_shares(shares: Iterable[Share]) -> list[Share]:
    """The split as given, checked: each share above 0 and at most 100 with two
    decimals, each team once, the shares adding up to 100 (or no share at all)."""
    shares = list(shares)
    seen: set[int] = set()
    total = Decimal(0)
    for item in shares:
        try:
            share = Decimal(item.share)
        except (InvalidOperation, TypeError, ValueError):
            raise DomainError(_("Enter each share as a number of percent."), field="share") from None
        if not share.is_finite() or share <= 0 or share > HUNDRED or share != share.quantize(CENT):
            raise DomainError(
                _("A team's share is more than 0%% and at most 100%%, with at most two decimals (%(share)s).")
                % {"share": item.share},
                code="credit_share_out_of_range",
                field="share",
            )
        if item.team.pk in seen:
            raise DomainError(
                _("The team %(team)s appears twice in the split.") % {"team": display_name(item.team)},
                code="credit_team_twice",
                field="team",
            )
        seen.add(item.team.pk)
        total += share
    if shares and total != HUNDRED:
        raise DomainError(
            _("The shares add up to %(total)s%%; they must add up to 100%%.") % {"total": total.normalize()},
            code="credit_shares_not_100",
            field="share",
        )
    return shares


@transaction.atomic
def project_set_credit(*, project: Project, shares: Iterable[Share], by: User) -> list[ProjectCredit]:
    """Replace the project's credit split with `shares` (all of it, at once).

    The project row is locked, so two managers saving splits at once write one after
    the other, never a mix of both. History keeps every row removed and added."""
    locked = stored_version(project, lock=True)
    if locked.is_deleted or not permissions.can_view_project(by, locked):
        raise NotFound(_("No such project."))
    if not can_split_credit(by, locked):
        raise NotPermitted(_("Only a manager of the project's team or an admin can split its credit."))
    checked = check_shares(shares)
    for row in ProjectCredit.objects.filter(project=locked):
        row._history_user = by
        row.delete()
    rows = []
    for item in checked:
        row = ProjectCredit(project=locked, team=item.team, share=Decimal(item.share), note=item.note.strip())
        row._history_user = by
        row.save()
        rows.append(row)
    return rows


def credit_of(project: Project) -> list[tuple[Team, Decimal]]:
    """The teams credited with the project and their shares (100% to its team without rows)."""
    rows = list(project.credits.select_related("team").order_by("-share", "team__name"))
    if not rows:
        return [(project.team, HUNDRED)] if project.team_id else []
    return [(row.team, row.share) for row in rows]
