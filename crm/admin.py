"""Admin for organisations, contacts, qualifications, missions, visits and the
reference data (industries, parks). Writes go through crm.services."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_base import (
    EditableFilter,
    ReadOnlyInline,
    RecordAdmin,
    ReferenceDataAdmin,
    ServiceAdmin,
)
from core.errors import DomainError
from crm import services
from crm.models import Contact, ExchangeRate, Industry, Mission, Organisation, Park, Qualification, Visit
from crm.search import organisations_matching

RECORD_FIELDSET = (_("Responsibility"), {"fields": ("owner", "team", "created_at", "updated_at")})
RECORD_READONLY = ("created_at", "updated_at")


def row_error(record, error: DomainError) -> DomainError:
    """A refusal for one inline row, shown above the form: it names the row, and its
    field belongs to the row, not to the form above."""
    return DomainError(_("%(record)s: %(message)s") % {"record": record, "message": error.message}, code=error.code)


# --- Reference data -------------------------------------------------------------


@admin.register(Industry)
class IndustryAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("name", "name_en", "level", "category", "parent", "position")
    list_filter = ("level", "category")
    list_select_related = ("parent",)
    search_fields = ("name", "name_en")


@admin.register(Park)
class ParkAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("name", "name_en", "kind", "address", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_en", "address")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReferenceDataAdmin):
    """The rates an import turns foreign amounts into yuan with (transfer.money)."""

    readable_by_all = True
    list_display = ("currency", "year", "date", "per", "rate", "source")
    list_filter = ("currency", "year")
    search_fields = ("currency", "source")


# --- Organisations --------------------------------------------------------------


class OrganisationRowsInline(admin.TabularInline):
    """Rows edited on the organisation's page by whoever may edit the organisation."""

    extra = 0

    def _may_edit(self, request, obj) -> bool:
        if obj is None:  # a new organisation
            return permissions.can_create_record(request.user)
        return permissions.can_edit_record(request.user, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)


class ContactInline(OrganisationRowsInline):
    model = Contact
    fields = ("name", "name_en", "title", "phone", "email", "wechat", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class QualificationInline(OrganisationRowsInline):
    model = Qualification
    fields = ("kind", "level", "year")


class VisitInline(ReadOnlyInline):
    model = Visit
    fields = ("date", "kind", "intention", "summary", "next_step", "owner")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "owner")


class QualificationFilter(admin.SimpleListFilter):
    title = _("qualification")
    parameter_name = "qualification"

    def lookups(self, request, model_admin):
        return Qualification.Kind.choices

    def queryset(self, request, queryset):
        if self.value():
            # A subquery, not a join: one row per organisation, counts unchanged.
            holders = Qualification.objects.filter(kind=self.value()).values("organisation_id")
            return queryset.filter(pk__in=holders)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = (
        "name",
        "name_en",
        "kind",
        "credit_code",
        "country",
        "city",
        "industry",
        "qualification_count",
        "owner",
        "team",
    )
    list_filter = ("kind", "is_in_zone", QualificationFilter, EditableFilter, "industry", "park", "exchange", "team")
    list_select_related = ("industry", "owner", "team")
    search_fields = ("name", "name_en", "credit_code", "city", "stock_code")
    autocomplete_fields = ("owner", "parent")
    readonly_fields = RECORD_READONLY
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "name",
                    "name_en",
                    "aliases",
                    "credit_code",
                    "parent",
                    "country",
                    "city",
                    "address",
                    "website",
                )
            },
        ),
        (_("Industry and location"), {"fields": ("industry", "park", "is_in_zone")}),
        (_("Listing"), {"fields": ("exchange", "stock_code", "listed_on")}),
        (None, {"fields": ("description",)}),
        RECORD_FIELDSET,
    )
    inlines = (ContactInline, QualificationInline, VisitInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(qualification_count=Count("qualifications", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        # The one search rule (pinyin, other names, Traditional forms), or the city and stock code.
        if not search_term.strip():
            return queryset, False
        found, _duplicates = super().get_search_results(request, Organisation.objects.all(), search_term)
        matching = organisations_matching(Organisation.objects.all(), search_term)
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=matching.values("pk"))), False

    @admin.display(description=_("qualifications"), ordering="qualification_count")
    def qualification_count(self, obj) -> int:
        return obj.qualification_count

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj, by=request.user)

    def delete_model(self, request, obj):
        services.organisation_delete(organisation=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Contact:
            # Qualifications have no service yet; the inline lets only those who
            # may edit the organisation change them.
            return super().save_formset(request, form, formset, change)
        contacts = formset.save(commit=False)
        for contact in formset.deleted_objects:
            self._for_row(contact, services.contact_delete, contact=contact, by=request.user)
        for contact in contacts:
            self._for_row(contact, services.contact_save, contact=contact, by=request.user)

    @staticmethod
    def _for_row(record, service, **kwargs) -> None:
        try:
            service(**kwargs)
        except DomainError as error:
            raise row_error(record, error) from error


# --- Contacts and qualifications --------------------------------------------------


@admin.register(Contact)
class ContactAdmin(RecordAdmin):
    list_display = ("name", "title", "organisation", "phone", "email", "wechat", "is_active", "owner")
    list_filter = ("is_active", "team")
    list_select_related = ("organisation", "owner")
    search_fields = ("name", "name_en", "organisation__name", "organisation__name_en", "phone", "email", "wechat")
    autocomplete_fields = ("organisation", "owner")
    readonly_fields = RECORD_READONLY
    fieldsets = (
        (None, {"fields": ("organisation", "name", "name_en", "title", "is_active")}),
        (_("How to reach"), {"fields": ("phone", "email", "wechat")}),
        (None, {"fields": ("notes",)}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        # Contact.__str__ names the organisation, in autocomplete results too. (With a
        # select_related here, the changelist no longer applies list_select_related.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_contact(user, obj)

    def save_model(self, request, obj, form, change):
        services.contact_save(contact=obj, by=request.user)

    def delete_model(self, request, obj):
        services.contact_delete(contact=obj, by=request.user)


@admin.register(Qualification)
class QualificationAdmin(ServiceAdmin):
    list_display = ("organisation", "kind", "level", "year")
    list_filter = ("kind", "level", "year")
    list_select_related = ("organisation",)
    search_fields = ("organisation__name", "organisation__name_en", "organisation__credit_code")
    autocomplete_fields = ("organisation",)

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_record(user, obj.organisation)

    def save_model(self, request, obj, form, change):
        services.qualification_save(qualification=obj, by=request.user)

    def delete_model(self, request, obj):
        services.qualification_delete(qualification=obj, by=request.user)


# --- Missions and visits ----------------------------------------------------------


@admin.register(Mission)
class MissionAdmin(RecordAdmin):
    list_display = (
        "title",
        "kind",
        "region",
        "start_date",
        "end_date",
        "leader",
        "participant_count",
        "visit_count",
        "owner",
    )
    list_filter = ("kind", "region", EditableFilter, "team")
    list_select_related = ("leader", "owner")
    date_hierarchy = "start_date"
    search_fields = ("title", "cities", "goals")
    autocomplete_fields = ("leader", "participants", "industries", "owner")
    readonly_fields = RECORD_READONLY
    fieldsets = (
        (None, {"fields": ("title", "kind", "region", "countries", "cities", "start_date", "end_date")}),
        (_("People"), {"fields": ("leader", "participants")}),
        (_("Purpose and outcome"), {"fields": ("industries", "goals", "summary")}),
        RECORD_FIELDSET,
    )
    service_m2m_fields = ("participants", "industries")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                participant_count=Count("participants", distinct=True),
                visit_count=Count("visits", distinct=True),
            )
        )

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, obj) -> int:
        return obj.participant_count

    @admin.display(description=_("visits"), ordering="visit_count")
    def visit_count(self, obj) -> int:
        return obj.visit_count

    def save_model(self, request, obj, form, change):
        services.mission_save(
            mission=obj,
            by=request.user,
            participants=form.cleaned_data.get("participants"),
            industries=form.cleaned_data.get("industries"),
        )

    def delete_model(self, request, obj):
        services.mission_delete(mission=obj, by=request.user)


class FollowUpFilter(admin.SimpleListFilter):
    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        open_ones = queryset.filter(follow_up_on__isnull=False, follow_up_done_on__isnull=True)
        if self.value() == "open":
            return open_ones
        if self.value() == "overdue":
            return open_ones.filter(follow_up_on__lt=timezone.localdate())
        if self.value() == "done":
            return queryset.filter(follow_up_done_on__isnull=False)
        return queryset


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    follows_deletion = ("projects.Reminder",)
    list_display = (
        "date",
        "organisation",
        "kind",
        "intention",
        "mission",
        "officer_names",
        "next_step",
        "follow_up_on",
        "owner",
    )
    list_filter = ("kind", "intention", FollowUpFilter, EditableFilter, "team")
    list_select_related = ("organisation", "mission", "owner")
    date_hierarchy = "date"
    search_fields = (
        "organisation__name",
        "organisation__name_en",
        "organisation__credit_code",
        "summary",
        "location",
        "next_step",
    )
    autocomplete_fields = ("organisation", "contacts", "officers", "mission", "owner")
    readonly_fields = RECORD_READONLY
    fieldsets = (
        (None, {"fields": ("organisation", "date", "kind", "mission", "location")}),
        (_("People"), {"fields": ("officers", "contacts")}),
        (_("What was said"), {"fields": ("summary", "intention", "next_step", "follow_up_on", "follow_up_done_on")}),
        RECORD_FIELDSET,
    )
    service_m2m_fields = ("officers", "contacts")

    def get_queryset(self, request):
        # Visit.__str__ names the organisation, in autocomplete results too. (With a
        # select_related here, the changelist no longer applies list_select_related.)
        return super().get_queryset(request).select_related(*self.list_select_related).prefetch_related("officers")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "contacts":
            # Contact.__str__ names the organisation.
            kwargs["queryset"] = Contact.objects.select_related("organisation")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("officers"))
    def officer_names(self, obj) -> str:
        return "、".join(str(officer) for officer in obj.officers.all())

    def save_model(self, request, obj, form, change):
        services.visit_save(
            visit=obj,
            by=request.user,
            officers=form.cleaned_data.get("officers"),
            contacts=form.cleaned_data.get("contacts"),
        )

    def delete_model(self, request, obj):
        services.visit_delete(visit=obj, by=request.user)
