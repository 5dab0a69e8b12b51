"""Admin for notifications and e-mail digests: a read-only record for admins.

Not imported by core/admin.py yet: add `from core import admin_notifications  # noqa: F401`.
"""

from __future__ import annotations

from django.contrib import admin

from core import permissions
from core.admin_base import AccessMixin
from core.models import EmailDigest, Notification


class ReadOnlyForAdmins(AccessMixin, admin.ModelAdmin):
    def may_view(self, user, obj=None) -> bool:
        return permissions.is_admin(user)

    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyForAdmins):
    list_display = ["created_at", "recipient", "level", "title", "read_at", "mail", "emailed_at"]
    list_filter = ["level", "mail", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["title", "recipient__username", "recipient__display_name", "key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    exclude = ["content_type", "object_id"]


@admin.register(EmailDigest)
class EmailDigestAdmin(ReadOnlyForAdmins):
    list_display = ["day", "recipient", "size", "created_at", "sent_at"]
    list_filter = ["day"]
    list_select_related = ["recipient"]
