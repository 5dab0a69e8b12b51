"""The page where a manager splits a project's credit between teams (分成)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.errors import DomainError, NotFound, NotPermitted
from projects import selectors
from projects.credit import Share, can_split_credit, credit_of, project_set_credit
from projects.forms import CreditFormSet
from projects.models import Project

# Empty rows offered below the split, so a second or third team can be added without script.
BLANK_ROWS = 2


class ProjectCreditView(LoginRequiredMixin, View):
    template_name = "projects/project_credit.html"

    @staticmethod
    def _project(request: HttpRequest, pk: int) -> Project:
        project = selectors.project_for(request.user, pk)  # 404 when hidden
        if not can_split_credit(request.user, project):
            raise PermissionDenied(_("Only a manager of the project's team or an admin can split its credit."))
        return project

    def _render(self, request, project, formset, status=200) -> HttpResponse:
        context = {"project": project, "formset": formset, "credit": credit_of(project)}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        rows = list(project.credits.order_by("-share", "team__name").values("team", "share", "note"))
        if not rows and project.team_id:
            rows = [{"team": project.team_id, "share": 100, "note": ""}]
        rows += [{}] * BLANK_ROWS
        formset = CreditFormSet(initial=rows, prefix="credit")
        formset.extra = 0
        return self._render(request, project, formset)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self._project(request, pk)
        formset = CreditFormSet(request.POST, prefix="credit")
        if not formset.is_valid():
            return self._render(request, project, formset, status=400)
        shares = [
            Share(form.cleaned_data["team"], form.cleaned_data["share"], form.cleaned_data.get("note") or "")
            for form in formset.forms
            if form.cleaned_data.get("team")
        ]
        # A single row of 100% for the project's own team is no split at all.
        if len(shares) == 1 and shares[0].team.pk == project.team_id and shares[0].share == 100 and not shares[0].note:
            shares = []
        try:
            project_set_credit(project=project, shares=shares, by=request.user)
        except NotFound as error:
            raise PermissionDenied(error.message) from error
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            formset._non_form_errors = formset.error_class([error.message])
            return self._render(request, project, formset, status=400)
        messages.success(request, _("The credit split of “%(name)s” is saved.") % {"name": project.name})
        return HttpResponseRedirect(reverse("projects:project_detail", args=[project.pk]))
