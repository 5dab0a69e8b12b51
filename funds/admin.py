"""Admin of funds in place: as visible as their project, changed by the project's
team; every write goes through funds.services (rules and history as on the page)."""

from __future__ import annotations

from django.contrib import admin

from core import permissions
from core.admin_base import RecordAdmin
from funds import services
from funds.models import FundsEntry
from projects.models import Project

FIELDS = ("month", "kind", "amount", "usd_amount", "note")


@admin.register(FundsEntry)
class FundsEntryAdmin(RecordAdmin):
    list_display = ("project", "month", "kind", "amount", "usd_amount", "entered_by", "updated_at")
    list_filter = ("kind", "project__team")
    search_fields = ("project__name", "project__investor__name")
    date_hierarchy = "month"
    autocomplete_fields = ("project",)
    list_select_related = ("project", "entered_by")
    fields = ("project", *FIELDS, "entered_by", "created_at", "updated_at")
    readonly_fields = ("entered_by", "created_at", "updated_at")
    service_error_fields = {"usd_amount": "usd_amount"}

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)  # get_queryset hides what their project hides

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_project(user, obj.project)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = permissions.visible_projects(request.user, Project.objects.all())
        return queryset.filter(project__in=visible.values("pk"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "project"] if obj is not None and "project" not in fields else fields

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data.get(name) for name in FIELDS if name in form.cleaned_data}
        values["note"] = values.get("note") or ""
        if change:
            saved = services.funds_entry_update(entry=obj, by=request.user, **values)
        else:
            saved = services.funds_entry_create(project=obj.project, by=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.funds_entry_delete(entry=obj, by=request.user)
