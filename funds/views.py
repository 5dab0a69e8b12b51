"""Web pages of funds in place: a project's funds (record a month from a phone) and
the monthly report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import permissions
from core.errors import DomainError, NotFound
from funds import report, selectors, services
from funds.forms import FundsEntryForm
from funds.models import FundsEntry
from projects.reports.periods import MIN_YEAR
from projects.selectors import project_for


def _page(request: HttpRequest, project, form, status: int = 200) -> HttpResponse:
    context = {
        "project": project,
        "funds": selectors.project_funds(user=request.user, project=project, shown=60),
        "form": form,
        "editable": permissions.can_edit_project(request.user, project),
        "signed": selectors.is_signed(project),
    }
    return render(request, "funds/project_funds.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_funds(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's funds in place; its team records a month's figure here."""
    project = project_for(request.user, pk)
    if request.method == "GET":
        return _page(request, project, FundsEntryForm(project=project))
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied
    form = FundsEntryForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry, created = services.funds_entry_record(
                project=project,
                month=data["month"],
                kind=data["kind"],
                amount=data["amount"],
                usd_amount=data.get("usd_amount"),
                note=data.get("note") or "",
                by=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            values = {"kind": entry.get_kind_display(), "month": f"{entry.month:%Y-%m}"}
            if created:
                messages.success(request, _("%(kind)s for %(month)s recorded.") % values)
            else:
                messages.success(request, _("%(kind)s for %(month)s corrected.") % values)
            back = request.POST.get("next") or ""
            target = reverse("projects:project_detail", args=[pk]) if back == "project" else request.path
            return HttpResponseRedirect(target)
    return _page(request, project, form, status=400)


@login_required
@require_http_methods(["POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.entry_for(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    try:
        services.funds_entry_delete(entry=entry, by=request.user)
    except DomainError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("The entry was removed."))
    return HttpResponseRedirect(reverse("funds:project_funds", args=[entry.project_id]))


@login_required
@require_http_methods(["GET"])
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The monthly report (月报): one month, every section; the export writes the same."""
    errors = {}
    try:
        month = report.parse_month(request.GET)
    except report.MonthError as error:
        errors = error.errors
        month = report.parse_month({})
    today = timezone.localdate()
    context = {
        "report": report.monthly_report(user=request.user, month=month),
        "month": month,
        "month_errors": errors,
        "years": list(range(today.year, MIN_YEAR - 1, -1))[:15],
        "months": list(range(1, 13)),
        "period_query": urlencode(month.params()),
        "tab": "monthly",
        "kinds": FundsEntry.Kind,
    }
    return render(request, "funds/monthly_report.html", context, status=400 if errors else 200)
