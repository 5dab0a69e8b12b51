"""Import pages (upload, check, commit, progress) and list exports."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import audit
from projects.reports.periods import PeriodError
from transfer import exporting, importing, report_exports, tasks
from transfer.importers import IMPORTERS, NEW
from transfer.models import ImportJob
from transfer.reading import MAX_BLANK_ROWS, FileRefused, max_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TITLES = {
    "organisations": gettext_lazy("Import organisations and their contacts"),
    "contacts": gettext_lazy("Import contacts"),
    "missions": gettext_lazy("Import missions"),
    "visits": gettext_lazy("Import visits"),
    "projects": gettext_lazy("Import projects"),
    "funds": gettext_lazy("Import a funds ledger"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt", "class": "form-control"}),
    )


def _kind_or_404(kind: str) -> str:
    if kind not in IMPORTERS:
        raise Http404
    return kind


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            refused = _("The file is larger than %(size)s MB; split it into smaller files.") % {
                "size": max_bytes() // 2**20
            }
        else:
            try:
                job = importing.start_import(kind=kind, data=upload.read(), filename=upload.name, user=request.user)
            except FileRefused as error:
                refused = error.message
            else:
                return redirect("transfer:job", pk=job.pk)
    tasks.dead_imports_mark(user=request.user)
    jobs = ImportJob.objects.filter(user=request.user, kind=kind).defer("content")[:10]
    context = {"kind": kind, "title": TITLES[kind], "form": form, "refused": refused, "jobs": jobs, "kinds": TITLES}
    context["max_bytes"] = max_bytes()
    return render(request, "transfer/import.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    data = exporting.write_xlsx(exporting.template_sheets(kind, str(ImportJob.Kind(kind).label)))
    return _xlsx_response(data, f"template-{kind}.xlsx")


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    # A job whose worker died reads as failed (and can be run again) as soon as its page is seen.
    tasks.dead_imports_mark(user=request.user)
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, user=request.user)


def _job_context(job: ImportJob) -> dict:
    report = job.report or {}
    rows = report.get("rows", [])
    progress = importing.get_progress(job.pk) or (0, job.total_rows)
    done, total = progress
    return {
        "job": job,
        "counts": report.get("counts", {}),
        "errors": [row for row in rows if row["action"] == "error"],
        "warnings": [row for row in rows if row.get("warnings") and row["action"] != "error"],
        "near": [row for row in rows if row["candidates"] and row["action"] != "error"],
        "creates": [row for row in rows if row["action"] == "create" and not row["candidates"]],
        "updates": [row for row in rows if row["action"] == "update" and not row["candidates"]],
        "ignored": report.get("ignored", []),
        "free_columns": [
            (column.key, column.header())
            for column in IMPORTERS[job.kind].importable_columns()
            if column.key not in set(report.get("columns", []))
        ],
        "blank_stop": report.get("blank_stop"),
        "blank_rows": MAX_BLANK_ROWS,
        "organisations": report.get("organisations") or {},
        "undated": report.get("undated") or {},
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 0,
        "new": NEW,
        "title": TITLES[job.kind],
    }


@login_required
@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "transfer/job.html", _job_context(job))


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx polls this while the job runs; once it is done the whole page reloads."""
    job = _own_job(request, pk)
    response = render(request, "transfer/includes/progress.html", _job_context(job))
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != ImportJob.Status.PREVIEWED:
        return redirect("transfer:job", pk=job.pk)
    decisions = {}
    for row in (job.report or {}).get("rows", []):
        if row["candidates"]:
            answer = request.POST.get(f"row-{row['row']}", "")
            if answer:
                decisions[str(row["row"])] = answer
    importing.commit_import(job=job, decisions=decisions)
    return redirect("transfer:job", pk=job.pk)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run again, from the same file, a step whose worker died."""
    job = _own_job(request, pk)
    tasks.import_retry(job=job)
    return redirect("transfer:job", pk=job.pk)


@login_required
@require_POST
def job_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """The user places the headers the importer could not (or ignores them)."""
    job = _own_job(request, pk)
    if job.status == ImportJob.Status.PREVIEWED:
        ignored = (job.report or {}).get("ignored", [])
        choices = {header: request.POST.get(f"column-{index}", "") for index, header in enumerate(ignored)}
        importing.choose_columns(job=job, choices=choices)
    return redirect("transfer:job", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.CANCELLED, finished_at=timezone.now(), content=b""
    )
    return redirect(reverse("transfer:import", args=[job.kind]))


@login_required
@require_GET
def export_list(request: HttpRequest, name: str) -> HttpResponse:
    if name not in exporting.LISTS:
        raise Http404
    records = exporting.filtered(name, request.user, request.GET)
    if records is None:
        return HttpResponseBadRequest(_("The filters of this export are not valid."))
    title = str(ImportJob.Kind(name).label)
    data = exporting.write_xlsx([exporting.list_sheet(name, records.iterator(chunk_size=2000), title)])
    audit.record("export", request=request, detail={"list": name, "query": request.GET.urlencode()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(data, f"{name}-{stamp}.xlsx")


@login_required
@require_GET
def export_report(request: HttpRequest, name: str) -> HttpResponse:
    """A report (projects.reports) as .xlsx, for the period or filters of its page."""
    if name not in report_exports.REPORTS:
        raise Http404
    try:
        sheets = report_exports.report_sheets(name, request.user, request.GET)
    except PeriodError as error:
        return HttpResponseBadRequest(" ".join(str(message) for message in error.errors.values()))
    data = exporting.write_xlsx(sheets)
    audit.record("export", request=request, detail={"report": name, "query": request.GET.urlencode()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(data, f"report-{name}-{stamp}.xlsx")
