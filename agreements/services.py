"""Writes of investment agreements: the agreement and its promise checks, the actual
figures of a check, and the signed documents. The web pages, the API and the admin
all call these functions, so each rule is written once here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_YEARS_TO_DUE,
    Agreement,
    AgreementDocument,
    PromiseCheck,
    due_date,
)
from chains.documents import sniff
from core import permissions
from core.errors import DomainError, NotFound, NotPermitted, StaleVersion
from core.models import User
from crm.models import Park
from projects.models import SIGNED_OR_LATER, Project

EDIT_REFUSAL = gettext_lazy("Only the project's team can change its agreement.")


def _may_edit(project: Project, by: User) -> None:
    if not permissions.can_view_project(by, project):
        raise NotFound(_("No such project."))
    if not permissions.can_edit_project(by, project):
        raise NotPermitted(EDIT_REFUSAL)


def _positive(value, field: str, label: str, *, required: bool) -> None:
    if value is None:
        if required:
            raise DomainError(_("Enter the %(what)s.") % {"what": label}, field=field)
        return
    if value <= 0:
        raise DomainError(_("The %(what)s must be more than zero.") % {"what": label}, field=field)


def _validate(agreement: Agreement, today: dt.date) -> None:
    project = agreement.project
    if project.stage not in SIGNED_OR_LATER:
        raise DomainError(_("Only a signed project has an investment agreement."), field="project")
    if agreement.signed_on is None:
        raise DomainError(_("Enter the date the agreement was signed."), field="signed_on")
    if agreement.signed_on > today:
        raise DomainError(_("The agreement cannot be signed in the future."), field="signed_on")
    _positive(agreement.land_mu, "land_mu", _("land in mu"), required=True)
    _positive(agreement.fixed_asset_investment, "fixed_asset_investment", _("fixed-asset investment"), required=True)
    _positive(agreement.annual_output, "annual_output", _("annual output"), required=False)
    _positive(agreement.annual_tax, "annual_tax", _("annual tax"), required=False)
    if agreement.jobs is not None and agreement.jobs <= 0:
        raise DomainError(_("The number of jobs must be more than zero."), field="jobs")
    year = agreement.due_year
    first, last = agreement.signed_on.year, min(agreement.signed_on.year + MAX_YEARS_TO_DUE, LAST_YEAR)
    if year is None or not (max(first, FIRST_YEAR) <= year <= last):
        raise DomainError(
            _("The year of full production is between the signing year and %(years)s years later (%(first)s–%(last)s).")
            % {"years": MAX_YEARS_TO_DUE, "first": first, "last": last},
            field="due_year",
        )
    if agreement.park_id and not Park.objects.filter(pk=agreement.park_id, is_active=True).exists():
        raise DomainError(_("Choose an active park."), field="park")


def _sync_checks(agreement: Agreement) -> None:
    """One check per promise made, due at the end of the due year; a promise taken off
    the agreement takes its check with it, and changed ones keep their actual figures."""
    existing = {check.kind: check for check in agreement.checks.all()}
    due_on = due_date(agreement.due_year)
    for kind, field in PromiseCheck.PROMISE_FIELDS.items():
        value = getattr(agreement, field)
        check = existing.get(kind)
        if value is None:
            if check is not None:
                check.delete()
            continue
        promised = Decimal(value)
        if check is None:
            PromiseCheck.objects.create(agreement=agreement, kind=kind, promised=promised, due_on=due_on)
        elif check.promised != promised or check.due_on != due_on:
            check.promised, check.due_on = promised, due_on
            check.save(update_fields=["promised", "due_on"])


@transaction.atomic
def agreement_save(*, agreement: Agreement, by: User, version: int | None = None) -> Agreement:
    """Create an agreement for a signed project, or save edits to one; its promise
    checks follow. `version`, when given, must be the stored one (else StaleVersion)."""
    project = Project.objects.select_for_update().get(pk=agreement.project_id)
    agreement.project = project
    _may_edit(project, by)
    today = timezone.localdate()
    if agreement._state.adding:
        if Agreement.objects.filter(project=project).exists():
            raise DomainError(_("This project already has an agreement; edit it instead."), field="project")
        agreement.created_by = by
    else:
        stored = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if stored.project_id != project.pk:
            raise DomainError(_("An agreement stays with its project."), field="project")
        if version is not None and version != stored.version:
            raise StaleVersion(
                _("Someone else changed this agreement meanwhile. Check it and try again."),
                current_version=stored.version,
            )
        agreement.version = stored.version + 1
    _validate(agreement, today)
    agreement.save()
    _sync_checks(agreement)
    return agreement


@transaction.atomic
def agreement_delete(*, agreement: Agreement, by: User) -> None:
    """Take an agreement off (an admin's correction of a mistaken record): its checks
    and documents go with it; their history stays."""
    if not permissions.is_admin(by):
        raise NotPermitted(_("Only an admin can delete an agreement."))
    agreement.delete()


@transaction.atomic
def check_record(
    *, check: PromiseCheck, actual: Decimal, by: User, on: dt.date | None = None, note: str = ""
) -> PromiseCheck:
    """Enter what was actually reached for a promise; the check then reads met or not met."""
    check = PromiseCheck.objects.select_for_update().select_related("agreement__project").get(pk=check.pk)
    _may_edit(check.agreement.project, by)
    today = timezone.localdate()
    on = on or today
    if actual is None or actual < 0:
        raise DomainError(_("Enter the actual figure, zero or more."), field="actual")
    if check.kind == PromiseCheck.Kind.JOBS and actual != int(actual):
        raise DomainError(_("Jobs are counted in whole people."), field="actual")
    if on > today:
        raise DomainError(_("Figures cannot be recorded on a future date."), field="on")
    if on.year < check.due_on.year:
        raise DomainError(
            _("This promise is checked from %(year)s on, the year it is due.") % {"year": check.due_on.year},
            field="on",
        )
    check.actual, check.recorded_on, check.recorded_by, check.note = actual, on, by, note.strip()[:300]
    check.save(update_fields=["actual", "recorded_on", "recorded_by", "note"])
    return check


@transaction.atomic
def document_upload(*, agreement: Agreement, title: str, upload, by: User) -> AgreementDocument:
    """Store a signed document after checking what the file really is (PDF, Word, Excel)."""
    _may_edit(agreement.project, by)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    file_type = sniff(upload)
    document = AgreementDocument(
        agreement=agreement,
        title=title[:200],
        original_name=(upload.name or "")[-200:],
        file_type=file_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save(f"upload.{file_type}", upload, save=False)
    document.save()
    return document
