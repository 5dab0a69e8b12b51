"""Admin of the industry workbench: chains with their links in order, leading firms,
targets, each industry's items, documents and output target. Reference data: only
admins change it (core.permissions)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chains.models import Chain, ChainTarget, IndustryDocument, IndustryMember, IndustryProfile, LeadingFirm
from core import permissions
from core.admin_base import ReferenceDataAdmin
from crm.models import Industry


class AdminOnlyInline(admin.TabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_view_record(request.user, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_reference_data(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_reference_data(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_reference_data(request.user)


class LinkInline(AdminOnlyInline):
    """A chain's links, upstream first: `position` keeps the order the admin gives."""

    model = Industry
    fk_name = "parent"
    fields = ("position", "name", "name_en")
    ordering = ("position", "name")
    verbose_name = _("chain link")
    verbose_name_plural = _("chain links, upstream first")
    extra = 1


@admin.register(Chain)
class ChainAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("name", "name_en", "parent", "position", "category")
    list_filter = ("category",)
    list_select_related = ("parent",)
    search_fields = ("name", "name_en")
    fields = ("parent", "name", "name_en", "category", "position")
    inlines = (LinkInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(level=Industry.Level.CHAIN)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Industry.objects.filter(level=Industry.Level.CLUSTER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.level = Industry.Level.CHAIN
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        links = formset.save(commit=False)
        for link in links:
            # A link is always a link of this chain, in the chain's category.
            link.level = Industry.Level.LINK
            link.category = form.instance.category
            link.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()


@admin.register(LeadingFirm)
class LeadingFirmAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("link", "organisation", "note", "updated_at")
    list_select_related = ("link", "organisation")
    autocomplete_fields = ("organisation",)
    search_fields = ("link__name", "organisation__name")


@admin.register(ChainTarget)
class ChainTargetAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("organisation", "link", "note", "added_by", "added_at")
    list_select_related = ("link", "organisation", "added_by")
    autocomplete_fields = ("organisation",)
    search_fields = ("link__name", "organisation__name")
    readonly_fields = ("added_by", "added_at")

    def save_model(self, request, obj, form, change):
        if not obj.added_by_id:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IndustryProfile)
class IndustryProfileAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("industry", "output_target", "target_year", "updated_at")
    list_select_related = ("industry",)
    fields = ("industry", "output_target", "target_year")


@admin.register(IndustryMember)
class IndustryMemberAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("industry", "item", "__str__", "role", "added_at")
    list_filter = ("item",)
    list_select_related = ("industry", "user", "park", "organisation", "contact")
    autocomplete_fields = ("organisation", "contact")
    fields = ("industry", "item", "user", "park", "organisation", "contact", "role")


@admin.register(IndustryDocument)
class IndustryDocumentAdmin(ReferenceDataAdmin):
    readable_by_all = True
    list_display = ("title", "industry", "kind", "issued_on", "file_type", "size", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("industry",)
    readonly_fields = ("file", "original_name", "file_type", "size", "uploaded_by", "uploaded_at")
    fields = ("industry", "kind", "title", "issued_on", *readonly_fields)

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the industry page, where the file is checked
