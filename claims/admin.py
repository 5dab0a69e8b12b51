"""Admin of first-contact registrations: admins fix a registration (its period, its
end); collisions and decisions are written by the claims page and shown read-only."""

from __future__ import annotations

from django.contrib import admin

from claims.models import Claim, Collision, Decision
from core.admin_base import ReadOnlyInline, ReferenceDataAdmin


class DecisionInline(ReadOnlyInline):
    model = Decision
    fk_name = "claim"
    fields = (
        "decided_at",
        "outcome",
        "holder_team",
        "other_team",
        "holder_share",
        "other_share",
        "reason",
        "decided_by",
    )
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(ReferenceDataAdmin):
    list_display = ("organisation", "team", "first_contact_on", "expires_on", "ended_on")
    list_filter = ("team", "ended_on")
    list_select_related = ("organisation", "team")
    search_fields = ("organisation__name", "organisation__name_en")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("registered_by", "registered_at")
    filter_horizontal = ("shared_with",)
    inlines = (DecisionInline,)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.registered_by = request.user
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


class WrittenByThePage(ReferenceDataAdmin):
    def may_add(self, user) -> bool:
        return False

    def may_change(self, user, obj=None) -> bool:
        return False


@admin.register(Collision)
class CollisionAdmin(WrittenByThePage):
    list_display = ("claim", "team", "organisation", "via", "first_at", "last_on", "times", "resolved_at")
    list_select_related = ("claim__organisation", "claim__team", "team", "organisation")
    list_filter = ("via",)


@admin.register(Decision)
class DecisionAdmin(WrittenByThePage):
    list_display = (
        "claim",
        "outcome",
        "holder_team",
        "other_team",
        "holder_share",
        "other_share",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("claim__organisation", "claim__team", "holder_team", "other_team", "decided_by")
    list_filter = ("outcome",)
