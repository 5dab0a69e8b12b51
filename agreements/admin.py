"""Admin of agreements, promise checks and signed documents: as visible as their
project, written through agreements.services like every other entry point."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agreements import services
from agreements.models import Agreement, AgreementDocument, PromiseCheck
from core import permissions
from core.admin_base import AccessMixin, ReadOnlyInline, RecordAdmin
from projects.models import SIGNED_OR_LATER, Project


def _visible_only(request, queryset, path: str):
    if permissions.is_admin(request.user):
        return queryset
    visible = permissions.visible_projects(request.user, Project.objects.all())
    return queryset.filter(**{f"{path}__in": visible.values("pk")})


class PromiseCheckInline(ReadOnlyInline):
    model = PromiseCheck
    fields = ("kind", "promised", "due_on", "actual", "recorded_on", "recorded_by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class DocumentInline(ReadOnlyInline):
    model = AgreementDocument
    fields = ("title", "file_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    list_display = ("project", "signed_on", "land_mu", "park", "fixed_asset_investment", "intensity", "due_year")
    list_filter = ("due_year", "park", "project__team")
    list_select_related = ("project", "park")
    search_fields = ("project__name", "project__investor__name")
    autocomplete_fields = ("project",)
    readonly_fields = ("intensity", "created_by", "created_at", "updated_at", "version")
    fields = (
        "project",
        "signed_on",
        "land_mu",
        "park",
        "fixed_asset_investment",
        "intensity",
        "annual_output",
        "annual_tax",
        "due_year",
        "jobs",
        "notes",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    )
    inlines = (PromiseCheckInline, DocumentInline)
    # Its checks and documents go with a deleted agreement (nobody deletes them alone).
    follows_deletion = ("agreements.PromiseCheck", "agreements.AgreementDocument")

    @admin.display(description=_("investment intensity (10k yuan per mu)"))
    def intensity(self, obj: Agreement):
        return obj.investment_intensity if obj.pk else "—"

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)  # get_queryset hides what the project hides

    def may_add(self, user) -> bool:
        return permissions.can_create_record(user)

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_project(user, obj.project)

    def may_delete(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["project"] if obj is not None and "project" not in fields else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            projects = Project.objects.filter(stage__in=SIGNED_OR_LATER, agreement__isnull=True)
            if not permissions.is_admin(request.user):
                projects = projects.filter(team_id__in=permissions.team_ids_of(request.user))
            kwargs["queryset"] = projects
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return _visible_only(request, super().get_queryset(request), "project")

    def save_model(self, request, obj, form, change):
        services.agreement_save(agreement=obj, by=request.user)

    def delete_model(self, request, obj):
        services.agreement_delete(agreement=obj, by=request.user)


@admin.register(PromiseCheck)
class PromiseCheckAdmin(RecordAdmin):
    list_display = ("agreement", "kind", "due_on", "promised", "actual", "recorded_on")
    list_filter = ("kind", "due_on", "agreement__project__team")
    list_select_related = ("agreement__project",)
    search_fields = ("agreement__project__name",)
    fields = ("agreement", "kind", "promised", "due_on", "actual", "recorded_on", "note", "recorded_by")
    readonly_fields = ("agreement", "kind", "promised", "due_on", "recorded_by")

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)

    def may_add(self, user) -> bool:
        return False  # checks follow the agreement's promises

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_project(user, obj.agreement.project)

    def may_delete(self, user, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return _visible_only(request, super().get_queryset(request), "agreement__project")

    def save_model(self, request, obj, form, change):
        services.check_record(check=obj, actual=obj.actual, on=obj.recorded_on, note=obj.note or "", by=request.user)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(AccessMixin, admin.ModelAdmin):
    """Signed documents: uploaded on the project's page; here to find and read them."""

    list_display = ("title", "agreement", "file_type", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("agreement__project", "uploaded_by")
    search_fields = ("title", "agreement__project__name")
    readonly_fields = ("agreement", "title", "file", "original_name", "file_type", "size", "uploaded_by")

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return _visible_only(request, super().get_queryset(request), "agreement__project")
