"""Admin of departments responsible (reference data) and of problems (admins only;
writes through problems.services)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core import permissions
from core.admin_base import HistoryMixin, ReferenceDataAdmin, ServiceAdmin
from problems import services
from problems.models import Department, Problem


@admin.register(Department)
class DepartmentAdmin(HistoryMixin, ReferenceDataAdmin, SimpleHistoryAdmin):
    list_display = ("name", "name_en", "contact", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "contact")


@admin.register(Problem)
class ProblemAdmin(HistoryMixin, ServiceAdmin, SimpleHistoryAdmin):
    list_display = ("title", "project", "kind", "department", "raised_on", "due_on", "status", "closed_on")
    list_filter = ("status", "kind", "department")
    list_select_related = ("project", "department")
    search_fields = ("title", "project__name")
    date_hierarchy = "raised_on"
    raw_id_fields = ("project", "visit", "raised_by")
    fields = (
        "project",
        "title",
        "kind",
        "description",
        "raised_on",
        "raised_by",
        "visit",
        "department",
        "department_contact",
        "due_on",
        "status",
        "closed_on",
        "resolution",
    )

    def may_view(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def may_add(self, user) -> bool:
        return permissions.is_admin(user)

    def may_change(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def save_model(self, request, obj, form, change):
        status, resolution, closed_on = obj.status, obj.resolution, obj.closed_on
        saved = services.problem_save(problem=obj, by=request.user)
        if status != saved.status or (status in Problem.CLOSED_STATUSES and resolution != saved.resolution):
            services.problem_change_status(
                problem=saved, to_status=status, resolution=resolution, on=closed_on, by=request.user
            )
            saved.refresh_from_db()
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.problem_delete(problem=obj, by=request.user)
