"""Web pages of organisations, missions and visits (issue 3).

Views read through crm.selectors and write through crm.services; a DomainError from
a service is shown on the form, and nothing of a refused write is kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from core.errors import DomainError
from crm import selectors, services
from crm.forms import MissionFilterForm, OrganisationFilterForm, VisitForm
from crm.models import Contact, Mission, Organisation, Visit

PAGE_SIZE = 25


# --- Organisations --------------------------------------------------------------------


class OrganisationListView(LoginRequiredMixin, TemplateView):
    template_name = "crm/organisation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = OrganisationFilterForm(self.request.GET or None)
        rows = selectors.organisation_list(user=self.request.user, filters=form.to_filter())
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, query=query.urlencode())
        return context

    def get_template_names(self):
        # htmx swaps just the results when a filter changes.
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "organisation-results":
            return ["crm/includes/organisation_results.html"]
        return [self.template_name]


class OrganisationDetailView(LoginRequiredMixin, DetailView):
    model = Organisation
    template_name = "crm/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("industry", "park", "owner", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        context.update(
            timeline=selectors.organisation_timeline(user=self.request.user, organisation=organisation),
            contacts=list(organisation.contacts.order_by("-is_active", "name")),
            qualifications=list(organisation.qualifications.all()),
        )
        return context


class OrganisationAutocompleteView(LoginRequiredMixin, View):
    """htmx: the options under the organisation box of the visit form."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("organisation_query") or request.GET.get("q") or "").strip()
        results = selectors.organisation_search(query) if query else []
        return render(request, "crm/includes/organisation_options.html", {"results": results, "query": query})


class SimilarOrganisationsView(LoginRequiredMixin, View):
    """htmx: a warning while a new organisation's name is typed."""

    def get(self, request: HttpRequest) -> HttpResponse:
        similar = selectors.similar_organisations(
            name=request.GET.get("new_organisation_name", ""),
            name_en=request.GET.get("new_organisation_name_en", ""),
            credit_code=request.GET.get("new_organisation_credit_code", ""),
        )
        return render(request, "crm/includes/similar_organisations.html", {"similar": similar})


class VisitContactsView(LoginRequiredMixin, View):
    """htmx: the contacts of the organisation picked on the visit form."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = VisitForm(user=request.user, initial={"organisation": request.GET.get("organisation")})
        return render(request, "crm/includes/visit_contacts.html", {"form": form})


# --- Visits ---------------------------------------------------------------------------

# Fields a service names in a DomainError, by the object being saved, to the form's fields.
_ORGANISATION_FIELDS = {"name": "new_organisation_name", "name_en": "new_organisation_name_en"}
_CONTACT_FIELDS = {"name": "new_contact_name", "title": "new_contact_title"}


class VisitCreateView(LoginRequiredMixin, FormView):
    template_name = "crm/visit_form.html"
    form_class = VisitForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        today = timezone.localdate()
        initial = {"date": today}
        organisation_id = self.request.GET.get("organisation")
        if organisation_id and organisation_id.isdigit():
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation:
                initial.update(organisation=organisation.pk, organisation_query=organisation.name)
        mission_id = self.request.GET.get("mission")
        mission = None
        if mission_id and mission_id.isdigit():
            mission = Mission.objects.filter(pk=mission_id).first()
        # A mission under way today for the user is the likely one; the officer can clear it.
        mission = mission or selectors.missions_under_way(user=self.request.user, on=today).first()
        if mission:
            initial["mission"] = mission.pk
            if mission.end_date < today:
                # Logged from a past mission's page: a date inside the mission is the likely one.
                initial["date"] = mission.end_date
            if mission.cities:
                initial["location"] = mission.cities
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self._next_url() or ""
        return context

    def _next_url(self) -> str | None:
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return None

    def form_valid(self, form: VisitForm) -> HttpResponse:
        user = self.request.user
        data = form.cleaned_data
        stage = "visit"
        try:
            with transaction.atomic():
                organisation = data["organisation"]
                if organisation is None:
                    stage = "organisation"
                    organisation = services.organisation_save(organisation=form.new_organisation, by=user)
                contacts = list(data["contacts"])
                if data.get("new_contact_name"):
                    stage = "contact"
                    contacts.append(
                        services.contact_save(
                            contact=Contact(
                                organisation=organisation,
                                name=data["new_contact_name"],
                                title=data.get("new_contact_title") or "",
                            ),
                            by=user,
                        )
                    )
                stage = "visit"
                visit = Visit(
                    organisation=organisation,
                    date=data["date"],
                    kind=data["kind"],
                    mission=data.get("mission"),
                    location=data.get("location") or "",
                    summary=data["summary"],
                    intention=data["intention"],
                    next_step=data.get("next_step") or "",
                    follow_up_on=data.get("follow_up_on"),
                )
                services.visit_save(
                    visit=visit, by=user, officers=[user, *data.get("other_officers", [])], contacts=contacts
                )
        except DomainError as error:
            form.add_error(self._field_for(form, stage, error.field), error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit to %(organisation)s logged.") % {"organisation": organisation.name})
        return HttpResponseRedirect(self._next_url() or reverse("crm:organisation_detail", args=[organisation.pk]))

    @staticmethod
    def _field_for(form: VisitForm, stage: str, field: str | None) -> str | None:
        if not field:
            return None
        if stage == "organisation":
            field = _ORGANISATION_FIELDS.get(field, f"new_organisation_{field}")
        elif stage == "contact":
            field = _CONTACT_FIELDS.get(field, f"new_contact_{field}")
        return field if field in form.fields else None


# --- Missions -------------------------------------------------------------------------


class MissionListView(LoginRequiredMixin, TemplateView):
    template_name = "crm/mission_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MissionFilterForm(self.request.GET or None)
        status = region = ""
        if form.is_valid():
            status, region = form.cleaned_data["status"], form.cleaned_data["region"]
        rows = selectors.mission_list(user=self.request.user, status=status, region=region)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        counts = selectors.mission_project_counts(user=self.request.user, missions=list(page.object_list))
        today = timezone.localdate()
        for mission in page.object_list:
            mission.project_count = counts.get(mission.pk, 0)
            mission.status = selectors.mission_status(mission, today)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, status=status, query=query.urlencode())
        return context


class MissionDetailView(LoginRequiredMixin, DetailView):
    model = Mission
    template_name = "crm/mission_detail.html"
    context_object_name = "mission"

    def get_queryset(self):
        return Mission.objects.select_related("leader", "owner", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["detail"] = selectors.mission_detail(user=self.request.user, mission=self.object)
        return context
