"""Admin for the people of the office (users, teams, departments) and the worker's
heartbeat: admins only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core import (
    admin_notifications,  # noqa: F401  (registers the notification admins)
    permissions,
)
from core.admin_base import AccessMixin, ReferenceDataAdmin, is_autocomplete
from core.admin_paging import EstimatedCountAdmin
from core.models import AuditEvent, Department, Heartbeat, Team, User

# Roles, not groups, decide what a user may do (core.permissions).
admin.site.unregister(Group)
admin.site.site_header = _("Investment promotion CRM")
admin.site.site_title = _("Investment promotion CRM")
admin.site.index_title = _("Records and reference data")


@admin.register(User)
class UserAdmin(AccessMixin, DjangoUserAdmin):
    # Staff and superuser flags follow the role (User.save); groups and Django
    # permissions are not used, so none of them is offered here.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email", "phone")}),
        (_("Role and teams"), {"fields": ("role", "team", "managed_teams", "is_active")}),
        (_("Preferences"), {"fields": ("language", "email_reminders")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "role", "team", "display_name"),
            },
        ),
    )
    list_display = ("username", "display_name", "role", "team", "email", "phone", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team",)
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "phone")
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("managed_teams",)

    def may_view(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def has_view_permission(self, request, obj=None) -> bool:
        # Pickers on visits, missions and records search colleagues through this
        # admin's autocomplete; the user pages themselves stay with the admins.
        if obj is None and is_autocomplete(request) and permissions.can_create_record(request.user):
            return True
        return super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return permissions.is_admin(request.user)

    def may_add(self, user) -> bool:
        return permissions.can_edit_reference_data(user)

    def may_change(self, user, obj=None) -> bool:
        return permissions.can_edit_reference_data(user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not permissions.is_admin(request.user):
            queryset = queryset.filter(is_active=True)
        return queryset


@admin.register(Team)
class TeamAdmin(ReferenceDataAdmin):
    list_display = ("name", "name_en", "department", "member_count")
    list_filter = ("department",)
    list_select_related = ("department",)
    search_fields = ("name", "name_en")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj) -> int:
        return obj.member_count


@admin.register(Department)
class DepartmentAdmin(ReferenceDataAdmin):
    list_display = ("name", "name_en", "team_count")
    search_fields = ("name", "name_en")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_count=Count("teams", distinct=True))

    @admin.display(description=_("teams"), ordering="team_count")
    def team_count(self, obj) -> int:
        return obj.team_count


@admin.register(Heartbeat)
class HeartbeatAdmin(ReferenceDataAdmin):
    """When the background worker last proved it runs; written by core.tasks only."""

    list_display = ("name", "seen_at")

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(EstimatedCountAdmin, admin.ModelAdmin):
    """The audit log: admins read it; nobody, superusers included, adds, changes or deletes."""

    list_display = ("at", "event", "username", "ip_address", "path")
    list_filter = ("event", "at")
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = ("at", "event", "user", "username", "ip_address", "path", "detail")

    def has_module_permission(self, request) -> bool:
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
