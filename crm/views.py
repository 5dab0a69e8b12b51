"""Web pages of organisations, missions and visits (issue 3).

Views read through crm.selectors and write through crm.services; a DomainError from
a service is shown on the form, and nothing of a refused write is kept.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from core import idempotency, permissions
from core.errors import DomainError
from core.pagination import BoundedPaginator, requested_page
from core.records import stored_version
from crm import collisions, groups, selectors, services
from crm.filters import ContactFilter, MissionFilter, MissionStatus, OrganisationFilter, VisitFilter
from crm.forms import (
    MAX_OFFICERS,
    ContactForm,
    OrganisationForm,
    VisitEditForm,
    VisitForm,
    mission_label,
    style_filter_form,
)
from crm.models import Contact, Mission, Organisation, Visit

PAGE_SIZE = 25


# --- Lists ----------------------------------------------------------------------------


class FilteredListView(LoginRequiredMixin, TemplateView):
    """A list narrowed by the same FilterSet as the API's list, so both count alike.

    `shown_filters` are the fields the page offers; every other filter of the
    FilterSet still applies when it is in the query string. htmx asks for the results
    only (`results_template`) when a filter changes."""

    filterset_class: type[django_filters.FilterSet]
    shown_filters: tuple[str, ...] = ()
    results_template = ""
    results_id = ""

    def rows(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset_class(self.request.GET or None, queryset=self.rows(), request=self.request)
        shown = style_filter_form(filterset.form, shown=self.shown_filters)
        number = requested_page(self.request.GET.get("page"))
        # Counted up to a bound ("more than N" past it): every visit is millions of rows.
        page = BoundedPaginator(filterset.qs, PAGE_SIZE, page_number=number).get_page(number)
        query = self.request.GET.copy()
        query.pop("page", None)
        # Filters in the query string that the page does not offer travel on as hidden fields.
        offered = {"q", "page", *self.shown_filters}
        kept = [(name, value) for name, values in self.request.GET.lists() if name not in offered for value in values]
        context.update(
            filterset=filterset,
            form=filterset.form,
            filters=shown,
            kept=kept,
            results_id=self.results_id,
            page=page,
            query=query.urlencode(),
        )
        self.decorate(page)
        return context

    def decorate(self, page) -> None:
        """Add to the rows of the page what the template shows (in a fixed number of queries)."""

    def get_template_names(self):
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == self.results_id:
            return [self.results_template]
        return [self.template_name]


# --- Organisations --------------------------------------------------------------------


class OrganisationListView(FilteredListView):
    template_name = "crm/organisation_list.html"
    results_template = "crm/includes/organisation_results.html"
    results_id = "organisation-results"
    filterset_class = OrganisationFilter
    shown_filters = ("kind", "industry", "qualification", "country", "has_active_project")

    def rows(self):
        return selectors.organisation_list(user=self.request.user)


class OrganisationDetailView(LoginRequiredMixin, DetailView):
    model = Organisation
    template_name = "crm/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("industry", "park", "owner", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        user = self.request.user
        timeline = selectors.organisation_timeline(user=user, organisation=organisation)
        for entry in timeline:
            if entry.kind == "visit":
                entry.obj.can_edit = permissions.can_edit_record(user, entry.obj)
        contacts = list(organisation.contacts.order_by("-is_active", "name"))
        for contact in contacts:
            contact.organisation = organisation  # already at hand: no query per contact
            contact.can_edit = permissions.can_edit_contact(user, contact)
        context.update(
            timeline=timeline,
            contacts=contacts,
            qualifications=list(organisation.qualifications.all()),
            can_edit=permissions.can_edit_record(user, organisation),
            group=groups.group_members(organisation),
            claim_holder=collisions.holder_of(organisation.pk),
            claim_register_url=collisions.register_url(organisation.pk),
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
    """htmx: the contacts of the organisation picked on the visit form, and the notice
    when another team registered the organisation's group (crm.collisions)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = request.GET.get("organisation")
        form = VisitForm(user=request.user, initial={"organisation": organisation})
        notice = None
        if organisation and organisation.isdigit():
            notice = collisions.notice_for(int(organisation), request.user.team_id)
        return render(request, "crm/includes/visit_contacts.html", {"form": form, "claim_notice": notice})


def warn_of_claim(request: HttpRequest, record) -> None:
    """After a save: tell the writer which team registered the group first (the service
    left its notice on the record; nothing else of that team's work is shown)."""
    notice = getattr(record, "claim_notice", None)
    if notice is not None:
        messages.warning(request, notice.text)


class MissionAutocompleteView(LoginRequiredMixin, View):
    """htmx: missions matching what is typed in the visit form's mission box, likeliest
    first for the visit's date (only those a visit may be logged against)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = (request.GET.get("mission_query") or request.GET.get("q") or "").strip()[:100]
        today = timezone.localdate()
        try:
            on = dt.date.fromisoformat(request.GET.get("date") or "")
        except ValueError:
            on = today
        results = selectors.mission_search(
            query, user=request.user, on=on, missions=selectors.missions_for_visits(today=today)
        )
        options = [(mission, mission_label(mission)) for mission in results]
        return render(request, "crm/includes/mission_options.html", {"options": options, "query": query})


class OfficerAutocompleteView(LoginRequiredMixin, View):
    """htmx: active officers matching what is typed in a visit form's officer box; those
    already picked (and, for "other officers", the user) are left out."""

    FIELDS = ("officers", "other_officers")

    def get(self, request: HttpRequest) -> HttpResponse:
        field = request.GET.get("field")
        field = field if field in self.FIELDS else "officers"
        query = (request.GET.get(f"{field}_query") or request.GET.get("q") or "").strip()[:100]
        exclude = {int(pk) for pk in request.GET.getlist(field)[:MAX_OFFICERS] if pk.isdigit()}
        if field == "other_officers":
            exclude.add(request.user.pk)
        results = selectors.officer_search(query, exclude=exclude)
        return render(
            request, "crm/includes/officer_options.html", {"results": results, "query": query, "field": field}
        )


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
        if self.request.method == "POST":
            return initial  # what was posted counts; the guesses below cost queries
        organisation_id = self.request.GET.get("organisation")
        if organisation_id and organisation_id.isdigit():
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation:
                initial.update(organisation=organisation.pk, organisation_query=organisation.name)
        mission_id = self.request.GET.get("mission")
        mission = None
        if mission_id and mission_id.isdigit():
            mission = Mission.objects.filter(pk=mission_id).first()
        # Only a mission the officer came from is chosen for them. One merely under way is
        # offered (get_context_data): chosen silently, it went onto visits made at home.
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
        form = context.get("form")
        if form is not None and not form["mission"].value():
            # A mission of the officer's under way today: offered, one tap applies it.
            today = timezone.localdate()
            context["suggested_mission"] = selectors.missions_under_way(user=self.request.user, on=today).first()
        if form is not None and str(form["organisation"].value() or "").isdigit():
            context["claim_notice"] = collisions.notice_for(
                int(form["organisation"].value()), self.request.user.team_id
            )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A retried POST (a connection cut before the answer) logs the visit once.
        return idempotency.form_post(request, lambda: super(VisitCreateView, self).post(request, *args, **kwargs))

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
        warn_of_claim(self.request, visit)
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


class MissionListView(FilteredListView):
    template_name = "crm/mission_list.html"
    results_template = "crm/includes/mission_results.html"
    results_id = "mission-results"
    filterset_class = MissionFilter
    shown_filters = ("region", "kind")

    def rows(self):
        status = self.request.GET.get("status", "")
        return selectors.mission_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = context["form"]["status"].value() or ""
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("status", None)
        tabs = [("", _("All"))] + [(value, label) for value, label in MissionStatus.choices]
        context.update(status=status, tabs=tabs, query_without_status=query.urlencode())
        return context

    def decorate(self, page) -> None:
        missions = list(page.object_list)
        counts = selectors.mission_project_counts(user=self.request.user, missions=missions)
        visits = selectors.mission_visit_counts(missions)
        today = timezone.localdate()
        for mission in page.object_list:
            mission.project_count = counts.get(mission.pk, 0)
            mission.visit_count, mission.organisation_count = visits.get(mission.pk, (0, 0))
            mission.status = selectors.mission_status(mission, today)


class MissionDetailView(LoginRequiredMixin, DetailView):
    model = Mission
    template_name = "crm/mission_detail.html"
    context_object_name = "mission"

    def get_queryset(self):
        return Mission.objects.select_related("leader", "owner", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detail = selectors.mission_detail(user=self.request.user, mission=self.object)
        for visit in detail.visits:
            visit.can_edit = permissions.can_edit_record(self.request.user, visit)
        context["detail"] = detail
        return context


# --- Visits and contacts lists --------------------------------------------------------


class VisitListView(FilteredListView):
    template_name = "crm/visit_list.html"
    results_template = "crm/includes/visit_results.html"
    results_id = "visit-results"
    filterset_class = VisitFilter
    shown_filters = ("kind", "intention", "officer", "follow_up_open", "date_after", "date_before")

    def rows(self):
        return selectors.visit_list(user=self.request.user)

    def decorate(self, page) -> None:
        for visit in page.object_list:
            visit.can_edit = permissions.can_edit_record(self.request.user, visit)


class ContactListView(FilteredListView):
    template_name = "crm/contact_list.html"
    results_template = "crm/includes/contact_results.html"
    results_id = "contact-results"
    filterset_class = ContactFilter
    shown_filters = ("is_active",)

    def rows(self):
        return selectors.contact_list(user=self.request.user)


# --- Editing, with versions ---------------------------------------------------------------


class StaleVersion(Exception):
    """Someone saved the record after this form was opened."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("stale version")
        self.current = current


def check_version(record: models.Model, version: int | None) -> None:
    """Inside the save's transaction: lock the row and compare versions (the API's rule).

    A record deleted meanwhile is refused by stored_version (NotFound, a DomainError)."""
    current = stored_version(record, lock=True)
    if version != current.version:
        raise StaleVersion(current)


def _comparable(value):
    """A value as the form and the record both hold it: records by id, countries by code."""
    value = getattr(value, "pk", getattr(value, "code", value))
    return "" if value is None else str(value)


def _display(record: models.Model, name: str, value) -> str:
    field = record._meta.get_field(name)
    value = getattr(value, "code", value)  # a country
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def newer_values(form, current: models.Model) -> list[dict]:
    """The fields where the saved record differs from what the user typed."""
    rows = []
    for name in form._meta.fields:
        if name not in form.cleaned_data:
            continue
        field = current._meta.get_field(name)
        saved = getattr(current, name) if field.is_relation else field.value_from_object(current)
        typed = form.cleaned_data[name]
        if _comparable(saved) != _comparable(typed):
            rows.append(
                {
                    "label": form.fields[name].label,
                    "saved": _display(current, name, saved),
                    "typed": _display(current, name, typed),
                }
            )
    return rows


class VersionedEditView(LoginRequiredMixin, View):
    """Create or edit one record through its service.

    An officer may open what core.permissions lets them edit (403 otherwise; a record
    that does not exist is a 404). A save based on an older version is refused: the
    form keeps what the user typed, lists the newer saved values, and now carries the
    newer version, so saving again is a deliberate choice. A DomainError from the
    service is shown next to its field; the transaction keeps nothing of a refused save.
    """

    model: type[models.Model]
    form_class: type
    template_name = "crm/record_form.html"

    def get_object(self):
        return None

    def may_edit(self, record) -> bool:
        return permissions.can_edit_record(self.request.user, record)

    def form_kwargs(self, record) -> dict:
        return {"instance": record}

    def new_record(self):
        return self.model()

    def save(self, form) -> models.Model:
        raise NotImplementedError

    def success_url(self, record) -> str:
        raise NotImplementedError

    def title(self, record) -> str:
        raise NotImplementedError

    def cancel_url(self, record) -> str:
        return self.success_url(record) if record.pk else reverse("crm:organisation_list")

    def _record(self, **kwargs):
        record = self.get_object()
        if record is not None and not self.may_edit(record):
            raise PermissionDenied(_("You are not allowed to change this record."))
        return record

    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        record = self._record() or self.new_record()
        return self.render(self.form_class(**self.form_kwargs(record)), record)

    def post(self, request: HttpRequest, **kwargs) -> HttpResponse:
        record = self._record() or self.new_record()
        if record.pk is None:
            # A retried create (a connection cut before the answer) saves once.
            return idempotency.form_post(request, lambda: self._post(request, record))
        return self._post(request, record)

    def _post(self, request: HttpRequest, record) -> HttpResponse:
        form = self.form_class(request.POST, **self.form_kwargs(record))
        if not form.is_valid():
            return self.render(form, record)
        try:
            with transaction.atomic():
                if record.pk:
                    check_version(record, form.cleaned_data.get("version"))
                saved = self.save(form)
        except StaleVersion as stale:
            data = request.POST.copy()
            data["version"] = str(stale.current.version)
            form.data = data
            form.add_error(
                None,
                _(
                    "Someone else saved this record while you were editing it. Their values are shown "
                    "below; the form keeps what you typed. Save again to replace their values with yours."
                ),
            )
            return self.render(form, record, newer=newer_values(form, stale.current))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.render(form, record)
        messages.success(request, _("Saved: %(record)s.") % {"record": saved})
        warn_of_claim(request, saved)
        return HttpResponseRedirect(self.success_url(saved))

    def render(self, form, record, *, newer: list | None = None) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "record": record,
                "title": self.title(record),
                "newer": newer or [],
                "cancel_url": self.cancel_url(record),
            },
        )


class OrganisationEditView(VersionedEditView):
    model = Organisation
    form_class = OrganisationForm

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Organisation, pk=self.kwargs["pk"])

    def save(self, form):
        return services.organisation_save(organisation=form.instance, by=self.request.user)

    def success_url(self, record) -> str:
        return reverse("crm:organisation_detail", args=[record.pk])

    def title(self, record) -> str:
        if record.pk:
            return _("Edit %(name)s") % {"name": record.name}
        return _("New organisation")


class ContactEditView(VersionedEditView):
    """A new contact of an organisation, or changes to one."""

    model = Contact
    form_class = ContactForm

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Contact.objects.select_related("organisation"), pk=self.kwargs["pk"])

    def new_record(self):
        organisation = get_object_or_404(Organisation, pk=self.kwargs["organisation_pk"])
        return Contact(organisation=organisation)

    def may_edit(self, record) -> bool:
        return permissions.can_edit_contact(self.request.user, record)

    def save(self, form):
        return services.contact_save(contact=form.instance, by=self.request.user)

    def success_url(self, record) -> str:
        return reverse("crm:organisation_detail", args=[record.organisation_id])

    def cancel_url(self, record) -> str:
        return self.success_url(record)

    def title(self, record) -> str:
        if record.pk:
            return _("Edit contact %(name)s") % {"name": record.name}
        return _("New contact at %(organisation)s") % {"organisation": record.organisation.name}


class VisitEditView(VersionedEditView):
    model = Visit
    form_class = VisitEditForm
    template_name = "crm/visit_edit.html"

    def form_kwargs(self, record) -> dict:
        return {"instance": record, "user": self.request.user}

    def get_object(self):
        return get_object_or_404(
            Visit.objects.select_related("organisation").prefetch_related("officers", "contacts"),
            pk=self.kwargs["pk"],
        )

    def save(self, form):
        user = self.request.user
        data = form.cleaned_data
        visit = form.instance
        contacts = list(data["contacts"])
        if data.get("new_contact_name"):
            try:
                contacts.append(
                    services.contact_save(
                        contact=Contact(
                            organisation_id=visit.organisation_id,
                            name=data["new_contact_name"],
                            title=data.get("new_contact_title") or "",
                        ),
                        by=user,
                    )
                )
            except DomainError as error:
                field = {"name": "new_contact_name", "title": "new_contact_title"}.get(error.field or "")
                raise DomainError(error.message, code=error.code, field=field) from error
        return services.visit_save(visit=visit, by=user, officers=list(data["officers"]), contacts=contacts)

    def success_url(self, record) -> str:
        return reverse("crm:organisation_detail", args=[record.organisation_id])

    def title(self, record) -> str:
        return _("Edit the visit to %(organisation)s on %(date)s") % {
            "organisation": record.organisation.name,
            "date": record.date,
        }


class FollowUpDoneView(LoginRequiredMixin, View):
    """Mark a visit's follow-up done today (a button on lists and timelines)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = get_object_or_404(Visit.objects.prefetch_related("officers"), pk=pk)
        if not permissions.can_edit_record(request.user, visit):
            raise PermissionDenied(_("You are not allowed to change this visit."))
        back = request.POST.get("next")
        if not (
            back and url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure())
        ):
            back = reverse("crm:visit_list")
        version = request.POST.get("version", "")
        try:
            with transaction.atomic():
                check_version(visit, int(version) if version.isdigit() else None)
                visit.follow_up_done_on = timezone.localdate()
                services.visit_save(visit=visit, by=request.user)
        except StaleVersion:
            messages.error(
                request,
                _("Someone else changed this visit meanwhile; nothing was marked. Look at it again and retry."),
            )
            return HttpResponseRedirect(back)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(back)
        messages.success(
            request, _("Follow-up with %(organisation)s marked done.") % {"organisation": visit.organisation.name}
        )
        return HttpResponseRedirect(back)
