"""Writes of funds in place: record, correct and remove a month's entry.

The web form, the API, the import and Django admin all come here, so the rules are
written once: the month is a whole month not after the current one; amounts are not
negative; a dollar figure belongs to a project with foreign capital; one entry per
project, month and kind (the database refuses a second one too); only whoever may
edit the project records its funds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.errors import DomainError, NotPermitted
from funds.models import FundsEntry
from funds.selectors import is_signed
from projects.models import Project

if TYPE_CHECKING:
    from core.models import User


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _check(*, project: Project, month: dt.date, amount: Decimal, usd_amount: Decimal | None, by: User) -> None:
    if not permissions.can_edit_project(by, project):
        raise NotPermitted(_("Only the project's team records its funds in place."))
    if not is_signed(project):
        raise DomainError(_("Funds in place are recorded once the project is signed."), field="project")
    if month.day != 1:
        raise DomainError(_("Give the month as its first day (e.g. 2026-03-01)."), field="month")
    if month > month_start(timezone.localdate()):
        raise DomainError(_("Funds cannot be recorded for a month that has not begun."), field="month")
    if amount is None or amount < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount")
    if usd_amount is not None:
        if usd_amount < 0:
            raise DomainError(_("The dollar amount cannot be negative."), field="usd_amount")
        if project.capital_origin == Project.CapitalOrigin.DOMESTIC:
            raise DomainError(
                _("Foreign capital actually used is for projects with foreign or HK/Macau/Taiwan capital."),
                field="usd_amount",
            )


def _duplicate(project: Project, month: dt.date, kind: str) -> DomainError:
    return DomainError(
        _("%(project)s already has %(kind)s for %(month)s: correct that entry instead.")
        % {"project": project.name, "kind": FundsEntry.Kind(kind).label, "month": f"{month:%Y-%m}"},
        code="duplicate_funds",
        field="month",
    )


def _save(entry: FundsEntry) -> FundsEntry:
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:  # the same month and kind saved at the same moment
        raise _duplicate(entry.project, entry.month, entry.kind) from error
    return entry


@transaction.atomic
def funds_entry_create(
    *,
    project: Project,
    month: dt.date,
    amount: Decimal,
    by: User,
    kind: str = FundsEntry.Kind.PAID_IN_CAPITAL,
    usd_amount: Decimal | None = None,
    note: str = "",
) -> FundsEntry:
    _check(project=project, month=month, amount=amount, usd_amount=usd_amount, by=by)
    if FundsEntry.objects.filter(project=project, month=month, kind=kind).exists():
        raise _duplicate(project, month, kind)
    entry = FundsEntry(
        project=project,
        month=month,
        kind=kind,
        amount=amount,
        usd_amount=usd_amount,
        note=note.strip(),
        entered_by=by,
    )
    entry._history_user = by
    return _save(entry)


@transaction.atomic
def funds_entry_update(*, entry: FundsEntry, by: User, **changes) -> FundsEntry:
    """Correct an entry: any of month, kind, amount, usd_amount, note."""
    unknown = set(changes) - {"month", "kind", "amount", "usd_amount", "note"}
    if unknown:
        raise TypeError(f"funds_entry_update() got unexpected fields {sorted(unknown)}")
    entry = FundsEntry.objects.select_for_update().select_related("project").get(pk=entry.pk)
    for name, value in changes.items():
        setattr(entry, name, value.strip() if name == "note" else value)
    _check(project=entry.project, month=entry.month, amount=entry.amount, usd_amount=entry.usd_amount, by=by)
    if (
        FundsEntry.objects.filter(project=entry.project, month=entry.month, kind=entry.kind)
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise _duplicate(entry.project, entry.month, entry.kind)
    entry.entered_by = by
    entry._history_user = by
    return _save(entry)


@transaction.atomic
def funds_entry_record(
    *,
    project: Project,
    month: dt.date,
    amount: Decimal,
    by: User,
    kind: str = FundsEntry.Kind.PAID_IN_CAPITAL,
    usd_amount: Decimal | None = None,
    note: str = "",
) -> tuple[FundsEntry, bool]:
    """The phone form and the import: the month's figure of this kind, new or corrected.
    Returns the entry and whether it was created."""
    existing = FundsEntry.objects.filter(project=project, month=month, kind=kind).first()
    if existing is None:
        entry = funds_entry_create(
            project=project, month=month, amount=amount, by=by, kind=kind, usd_amount=usd_amount, note=note
        )
        return entry, True
    changes = {"amount": amount, "usd_amount": usd_amount}
    if note:
        changes["note"] = note
    return funds_entry_update(entry=existing, by=by, **changes), False


@transaction.atomic
def funds_entry_delete(*, entry: FundsEntry, by: User) -> None:
    if not permissions.can_edit_project(by, entry.project):
        raise NotPermitted(_("Only the project's team records its funds in place."))
    entry._history_user = by
    entry.delete()
