"""Web pages of problems (协调事项) and of the aftercare visit, under /problems/.

Pages read through problems.selectors (visibility applied there: a hidden project's
problems answer 404) and write through problems.services; a DomainError from a service
is shown on the form and nothing of the refused write is kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import audit, idempotency, permissions
from core.errors import DomainError, NotPermitted
from core.pagination import BoundedPaginator, requested_page
from crm.forms import style_filter_form
from problems import exports, selectors, services
from problems.filters import ProblemFilter
from problems.forms import AftercareVisitForm, ProblemForm, StatusForm
from problems.models import Problem
from projects.selectors import LEVEL_CLASS, project_for

PAGE_SIZE = 25
SHOWN_FILTERS = ("status", "department", "kind", "age", "team")


def _show_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- The office-wide list (协调事项) -------------------------------------------------------


def filtered_problems(user, query) -> ProblemFilter:
    return ProblemFilter(query, queryset=selectors.problem_rows(user), request=None)


class ProblemListView(LoginRequiredMixin, TemplateView):
    template_name = "problems/problem_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = filtered_problems(self.request.user, self.request.GET)
        filters = style_filter_form(filterset.form, shown=SHOWN_FILTERS)
        number = requested_page(self.request.GET.get("page"))
        rows = filterset.qs.order_by("due_on", "pk") if filterset.is_valid() else Problem.objects.none()
        page = BoundedPaginator(rows, PAGE_SIZE, page_number=number).get_page(number)
        selectors.decorate(page.object_list, timezone.localdate())
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            form=filterset.form,
            filters=filters,
            page=page,
            query=query.urlencode(),
            level_class=LEVEL_CLASS,
        )
        return context


class ProblemExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = filtered_problems(request.user, request.GET)
        if not filterset.is_valid():
            return HttpResponseBadRequest(_("The filters of this export are not valid."))
        data = exports.problem_workbook(filterset.qs.order_by("due_on", "pk"), today=timezone.localdate())
        audit.record("export", request=request, detail={"list": "problems", "query": request.GET.urlencode()})
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return exports.xlsx_response(data, f"problems-{stamp}.xlsx")


# --- One problem ---------------------------------------------------------------------------


def _detail(request: HttpRequest, problem: Problem, *, status_form=None) -> HttpResponse:
    editable = permissions.can_edit_project(request.user, problem.project)
    history = list(
        problem.history.select_related("history_user", "department").order_by("-history_date", "-history_id")[:20]
    )
    if status_form is None:
        status_form = StatusForm(initial={"status": problem.status, "on": timezone.localdate()})
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "editable": editable,
            "status_form": status_form,
            "history": history,
            "level_class": LEVEL_CLASS,
        },
    )


class ProblemDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, selectors.problem_for(request.user, pk))


class ProblemStatusView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        problem = selectors.problem_for(request.user, pk)
        if not permissions.can_edit_project(request.user, problem.project):
            raise PermissionDenied(services.REFUSAL)
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                services.problem_change_status(
                    problem=problem,
                    to_status=form.cleaned_data["status"],
                    resolution=form.cleaned_data.get("resolution") or "",
                    on=form.cleaned_data.get("on"),
                    by=request.user,
                )
            except NotPermitted as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Status changed."))
                return HttpResponseRedirect(reverse("problems:problem_detail", args=[problem.pk]))
        return _detail(request, problem, status_form=form)


class ProblemFormView(LoginRequiredMixin, View):
    """Raise a problem on a project (`project_pk`) or edit one (`pk`)."""

    template_name = "problems/problem_form.html"

    def _problem(self, request: HttpRequest, pk: int | None, project_pk: int | None) -> Problem:
        if pk is not None:
            problem = selectors.problem_for(request.user, pk)
        else:
            problem = Problem(project=project_for(request.user, project_pk))
        if not permissions.can_edit_project(request.user, problem.project):
            raise PermissionDenied(services.REFUSAL)
        return problem

    def get(self, request: HttpRequest, pk: int | None = None, project_pk: int | None = None) -> HttpResponse:
        problem = self._problem(request, pk, project_pk)
        return self._render(request, ProblemForm(instance=problem), problem)

    def post(self, request: HttpRequest, pk: int | None = None, project_pk: int | None = None) -> HttpResponse:
        if pk is None:
            return idempotency.form_post(request, lambda: self._save(request, pk, project_pk))
        return self._save(request, pk, project_pk)

    def _save(self, request: HttpRequest, pk: int | None, project_pk: int | None) -> HttpResponse:
        problem = self._problem(request, pk, project_pk)
        form = ProblemForm(request.POST, instance=problem)
        if form.is_valid():
            try:
                saved = services.problem_save(problem=form.instance, by=request.user)
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Problem saved."))
                return HttpResponseRedirect(reverse("problems:problem_detail", args=[saved.pk]))
        return self._render(request, form, problem)

    def _render(self, request: HttpRequest, form: ProblemForm, problem: Problem) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "problem": problem, "project": problem.project})


# --- The aftercare visit (服务走访) ----------------------------------------------------------


class AftercareVisitView(LoginRequiredMixin, View):
    """Log a visit to a project's investor and, if it raised one, a problem: one save."""

    template_name = "problems/aftercare_form.html"

    def _project(self, request: HttpRequest, project_pk: int):
        project = project_for(request.user, project_pk)
        if not permissions.can_edit_project(request.user, project):
            raise PermissionDenied(services.REFUSAL)
        return project

    def get(self, request: HttpRequest, project_pk: int) -> HttpResponse:
        project = self._project(request, project_pk)
        return self._render(request, AftercareVisitForm(project=project), project)

    def post(self, request: HttpRequest, project_pk: int) -> HttpResponse:
        return idempotency.form_post(request, lambda: self._save(request, project_pk))

    def _save(self, request: HttpRequest, project_pk: int) -> HttpResponse:
        project = self._project(request, project_pk)
        form = AftercareVisitForm(request.POST, project=project)
        if form.is_valid():
            try:
                with transaction.atomic():
                    _visit, problem = services.aftercare_visit_save(
                        visit=form.visit(),
                        by=request.user,
                        contacts=list(form.cleaned_data["contacts"]),
                        problem=form.problem(),
                    )
            except DomainError as error:
                _show_error(form, error)
            else:
                if problem is not None:
                    messages.success(request, _("Visit logged and problem raised."))
                else:
                    messages.success(request, _("Visit logged."))
                return HttpResponseRedirect(reverse("projects:project_detail", args=[project.pk]))
        return self._render(request, form, project)

    def _render(self, request: HttpRequest, form: AftercareVisitForm, project) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "project": project})
