"""Admin for reminder rules (edited by admins) and sent reminders (a read-only record).

Not imported by projects/admin.py yet: add `from projects import admin_reminders  # noqa: F401`
there. `overdue_level_column` and `OverdueLevelFilter` show the overdue level on the
project list (list_display / list_filter of ProjectAdmin).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.admin_base import AccessMixin, ReferenceDataAdmin
from core.models import AlertLevel
from projects import reminders
from projects.models import Project, Reminder, ReminderRule

LEVEL_COLOURS = {
    AlertLevel.NOTICE: ("#eee", "#333"),
    AlertLevel.BLUE: ("#d6e6ff", "#113f87"),
    AlertLevel.YELLOW: ("#fff1b8", "#6b5200"),
    AlertLevel.RED: ("#ffd4d4", "#8a0f0f"),
}


def level_badge(level: str) -> str:
    if not level:
        return "-"
    background, colour = LEVEL_COLOURS.get(level, LEVEL_COLOURS[AlertLevel.NOTICE])
    return format_html(
        '<span style="background:{};color:{};padding:0 .5em;border-radius:3px;white-space:nowrap">{}</span>',
        background,
        colour,
        AlertLevel(level).label,
    )


@admin.display(description=_("overdue"))
def overdue_level_column(project: Project) -> str:
    """For ProjectAdmin.list_display; with get_queryset wrapped in reminders.with_overdue_level
    the level comes from the annotation, otherwise it is computed per row."""
    level = getattr(project, "overdue_level", None)
    if level is None:
        level = reminders.overdue_level(project)
    return level_badge(level)


class OverdueLevelFilter(admin.SimpleListFilter):
    title = _("overdue level")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [(level, label) for level, label in AlertLevel.choices if level != AlertLevel.NOTICE]

    def queryset(self, request, queryset):
        if self.value():
            return reminders.with_overdue_level(queryset).filter(overdue_level=self.value())
        return queryset


@admin.register(ReminderRule)
class ReminderRuleAdmin(ReferenceDataAdmin):
    list_display = ["__str__", "kind", "days", "level_badge", "audience", "mail_immediately", "is_active"]
    list_editable = ["mail_immediately", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    fields = ["kind", "days", "level", "audience", "mail_immediately", "is_active"]

    @admin.display(description=_("level"), ordering="level")
    def level_badge(self, rule: ReminderRule) -> str:
        return level_badge(rule.level)


@admin.register(Reminder)
class ReminderAdmin(AccessMixin, admin.ModelAdmin):
    """What was sent, when, to how many people: admins and managers read it."""

    list_display = ["created_at", "level_badge", "rule", "subject_display", "stage", "due_on", "recipients"]
    list_filter = ["level", "rule__kind", "created_at"]
    date_hierarchy = "created_at"
    list_select_related = ["rule", "project", "visit__organisation", "mission"]
    search_fields = ["project__name", "mission__title", "visit__organisation__name"]

    def may_view(self, user, obj=None) -> bool:
        return permissions.is_admin(user) or permissions.is_manager(user)

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # A manager sees reminders of projects they may see, and all visits' and missions'.
        visible = permissions.visible_projects(request.user, Project.all_objects.all())
        return queryset.filter(project__isnull=True) | queryset.filter(project__in=visible)

    @admin.display(description=_("level"), ordering="level")
    def level_badge(self, reminder: Reminder) -> str:
        return level_badge(reminder.level)

    @admin.display(description=_("about"))
    def subject_display(self, reminder: Reminder) -> str:
        return str(reminder.subject)
