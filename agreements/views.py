"""Web pages of investment agreements: the agreement on its project's page (a panel of
projects.views), the form that writes it, the actual figures of a check, the signed
documents, and the list of promise checks due and missed (督办).

Reads go through agreements.selectors (a hidden project's agreement answers 404),
writes through agreements.services.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from agreements import selectors, services
from agreements.forms import AgreementForm, CheckRecordForm, DocumentForm
from agreements.models import TWO_PLACES, Agreement, PromiseCheck
from chains.documents import CONTENT_TYPES, download
from core import audit, permissions
from core.errors import DomainError, NotPermitted, StaleVersion
from core.models import Team
from core.pagination import BoundedPaginator, requested_page
from core.templatetags.amounts import format_amount
from projects.models import SIGNED_OR_LATER, Project
from projects.selectors import project_for
from transfer.exporting import Sheet, write_xlsx

PER_PAGE = 50
STATUS_CLASS = {
    PromiseCheck.Status.PENDING: "text-bg-light border",
    PromiseCheck.Status.LATE: "text-bg-warning",
    PromiseCheck.Status.MET: "text-bg-success",
    PromiseCheck.Status.NOT_MET: "text-bg-danger",
}


def project_url(project_id: int) -> str:
    return reverse("projects:project_detail", args=[project_id]) + "#agreement"


def _shown(check: PromiseCheck, value) -> str:
    """A promised or actual figure as offices read it: money in 万元/亿元, jobs in people."""
    if value is None:
        return "—"
    if check.kind == PromiseCheck.Kind.JOBS:
        return f"{value:,.0f}"
    return format_amount(value)


def dress_check(check: PromiseCheck, status: str) -> None:
    check.current_status = status
    check.status_label = PromiseCheck.Status(status).label
    check.status_class = STATUS_CLASS[status]
    check.promised_shown = _shown(check, check.promised)
    check.actual_shown = _shown(check, check.actual)


# --- The panel on the project's page ---------------------------------------------------


def agreement_panel(request: HttpRequest, project: Project) -> dict | None:
    """The agreement card of a project's page (3 queries), or None when there is nothing
    to show: no agreement, and the user may not write one."""
    agreement = selectors.project_agreement(user=request.user, project=project)
    editable = permissions.can_edit_project(request.user, project)
    if agreement is None and not (editable and project.stage in SIGNED_OR_LATER):
        return None
    today = timezone.localdate()
    checks = list(agreement.checks.all()) if agreement else []
    for check in checks:
        dress_check(check, check.status(today))
        # Per 亩 of land (投资强度, 亩均产出, 亩均税收): how offices compare promises kept.
        if check.actual is not None and check.kind != PromiseCheck.Kind.JOBS:
            check.per_mu = (check.actual / agreement.land_mu).quantize(TWO_PLACES, ROUND_HALF_UP)
        if editable and today.year >= check.due_on.year:
            check.form = CheckRecordForm(
                prefix=f"check-{check.pk}", initial={"actual": check.actual, "note": check.note, "on": today}
            )
    return {
        "template": "agreements/includes/agreement_panel.html",
        "agreement": agreement,
        "checks": checks,
        "documents": list(agreement.documents.all()) if agreement else [],
        "editable": editable,
        "document_form": DocumentForm() if agreement and editable else None,
    }


def agreement_panel_html(request: HttpRequest, *, project: Project) -> str | None:
    """The card as HTML, for the project page's panels (projects.panels)."""
    panel = agreement_panel(request, project)
    if panel is None:
        return None
    return render_to_string(panel["template"], {"panel": panel, "project": project}, request=request)


# --- Writing the agreement -------------------------------------------------------------


def _editable(request: HttpRequest, project: Project) -> None:
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied(services.EDIT_REFUSAL)


def _form_page(request, form, project, agreement=None, status=200) -> HttpResponse:
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "project": project, "agreement": agreement},
        status=status,
    )


def _save(request: HttpRequest, form: AgreementForm, project: Project, agreement: Agreement | None) -> HttpResponse:
    if form.is_valid():
        instance = form.instance
        instance.project = project
        try:
            services.agreement_save(agreement=instance, by=request.user, version=form.cleaned_data.get("version"))
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except StaleVersion as error:
            form.add_error(None, error.message)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Agreement saved; its promises are checked at the end of %(year)s.") % {"year": instance.due_year},
            )
            return HttpResponseRedirect(project_url(project.pk))
    return _form_page(request, form, project, agreement, status=400)


class AgreementCreateView(LoginRequiredMixin, View):
    def _project(self, request: HttpRequest, project_pk: int) -> Project:
        project = project_for(request.user, project_pk)
        _editable(request, project)
        if hasattr(project, "agreement"):
            raise Http404
        return project

    def get(self, request: HttpRequest, project_pk: int) -> HttpResponse:
        project = self._project(request, project_pk)
        signed_on = project.signed_on
        initial = {
            "signed_on": signed_on,
            "park": project.park_id,
            "fixed_asset_investment": project.fixed_asset_investment,
            "annual_output": project.expected_annual_output,
            "jobs": project.jobs,
            "due_year": signed_on.year + 3 if signed_on else None,
        }
        return _form_page(request, AgreementForm(initial=initial), project)

    def post(self, request: HttpRequest, project_pk: int) -> HttpResponse:
        project = self._project(request, project_pk)
        return _save(request, AgreementForm(request.POST, instance=Agreement(project=project)), project, None)


class AgreementUpdateView(LoginRequiredMixin, View):
    def _agreement(self, request: HttpRequest, pk: int) -> Agreement:
        agreement = selectors.agreement_for(request.user, pk)
        _editable(request, agreement.project)
        return agreement

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self._agreement(request, pk)
        form = AgreementForm(instance=agreement, initial={"version": agreement.version})
        return _form_page(request, form, agreement.project, agreement)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self._agreement(request, pk)
        return _save(request, AgreementForm(request.POST, instance=agreement), agreement.project, agreement)


# --- A check's figures and the documents ---------------------------------------------------


class CheckRecordView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        check = selectors.check_for(request.user, pk)
        project = check.agreement.project
        _editable(request, project)
        form = CheckRecordForm(request.POST, prefix=f"check-{check.pk}")
        if not form.is_valid():
            errors = [error for field_errors in form.errors.values() for error in field_errors]
            messages.error(request, " ".join(errors))
            return HttpResponseRedirect(project_url(project.pk))
        data = form.cleaned_data
        try:
            check = services.check_record(
                check=check, actual=data["actual"], on=data["on"], note=data["note"], by=request.user
            )
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            status = PromiseCheck.Status(check.status(timezone.localdate()))
            messages.success(
                request,
                _("%(promise)s: %(status)s, %(ratio)s%% of the promise.")
                % {"promise": check.get_kind_display(), "status": status.label, "ratio": check.ratio},
            )
        return HttpResponseRedirect(project_url(project.pk))


class DocumentUploadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = selectors.agreement_for(request.user, pk)
        _editable(request, agreement.project)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.document_upload(
                    agreement=agreement,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                    by=request.user,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Document uploaded: %(title)s.") % {"title": form.cleaned_data["title"]})
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(project_url(agreement.project_id))


class DocumentDownloadView(LoginRequiredMixin, View):
    """Served to users who may see the project, from storage outside the static files."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return download(selectors.document_for(request.user, pk))


# --- Promise checks due and missed ------------------------------------------------------------


def _listed(request: HttpRequest) -> selectors.CheckList:
    data = request.GET
    return selectors.check_list(
        user=request.user,
        status=data.getlist("status"),
        kind=data.get("kind", ""),
        team=data.get("team", ""),
        today=timezone.localdate(),
    )


class CheckListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        data = request.GET
        today = timezone.localdate()
        result = _listed(request)
        number = requested_page(data.get("page"))
        paginator = BoundedPaginator(result.checks, PER_PAGE, page_number=number)
        page = paginator.get_page(number)
        for check in page.object_list:
            dress_check(check, check.check_status)
            # Days without figures since the due date (a check not met has its figures).
            check.days_late = (today - check.due_on).days if check.current_status == PromiseCheck.Status.LATE else 0
            check.url = project_url(check.agreement.project_id)
        query = QueryDict(mutable=True)
        query.setlist("status", result.status)
        for name in ("kind", "team"):
            if data.get(name):
                query[name] = data[name]
        return render(
            request,
            "agreements/check_list.html",
            {
                "page": page,
                "result": result,
                "statuses": [(s.value, s.label, result.counts.get(s.value, 0)) for s in PromiseCheck.Status],
                "kinds": PromiseCheck.Kind.choices,
                "kind": data.get("kind", ""),
                "teams": Team.objects.order_by("name"),
                "team": data.get("team", ""),
                "query": query.urlencode(),
            },
        )


class CheckListExportView(LoginRequiredMixin, View):
    """The promise check list as .xlsx: the same selector and filters as the page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        checks = _listed(request).checks
        rows = (
            [
                check.agreement.project.name,
                check.agreement.project.team.name if check.agreement.project.team else "",
                str(check.agreement.project.owner),
                check.get_kind_display(),
                check.due_on,
                check.promised,
                check.actual,
                check.ratio,
                str(PromiseCheck.Status(check.check_status).label),
                (today - check.due_on).days if check.check_status == PromiseCheck.Status.LATE else None,
            ]
            for check in checks.iterator(chunk_size=500)
        )
        sheet = Sheet(
            title=_("Promise checks"),
            headers=[
                _("Project"),
                _("Team"),
                _("Owner"),
                _("Promise"),
                _("Due"),
                _("Promised (10k yuan; jobs in people)"),
                _("Actual (10k yuan; jobs in people)"),
                _("Actual over promised (%)"),
                _("Result"),
                _("Days late"),
            ],
            rows=rows,
            widths=[36, 14, 12, 14, 12, 16, 16, 12, 14, 10],
        )
        audit.record("export", request=request, detail={"list": "promise_checks", "query": request.GET.urlencode()})
        response = HttpResponse(write_xlsx([sheet]), content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="promise-checks-{today:%Y%m%d}.xlsx"'
        return response
