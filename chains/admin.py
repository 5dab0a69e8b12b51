"""Admin of the industry workbench: chains with their links in order, leading firms,
targets, each industry's items, documents and output target. Reference data: only
admins change it (core.permissions)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chains.documents import sniff
from chains.models import Chain, ChainTarget, IndustryDocument, IndustryMember, IndustryProfile, LeadingFirm
from core import permissions
from core.admin_base import ReferenceDataAdmin
from core.errors import DomainError
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
    list_display = ("link", "organisation", "note", "updated_at")
    list_select_related = ("link", "organisation")
    autocomplete_fields = ("link", "organisation")
    search_fields = ("link__name", "organisation__name")


@admin.register(ChainTarget)
class ChainTargetAdmin(ReferenceDataAdmin):
    list_display = ("organisation", "link", "note", "added_by", "added_at")
    list_select_related = ("link", "organisation", "added_by")
    autocomplete_fields = ("link", "organisation")
    search_fields = ("link__name", "organisation__name")
    readonly_fields = ("added_by", "added_at")

    def save_model(self, request, obj, form, change):
        if not obj.added_by_id:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IndustryProfile)
class IndustryProfileAdmin(ReferenceDataAdmin):
    list_display = ("industry", "output_target", "target_year", "updated_at")
    list_select_related = ("industry",)
    autocomplete_fields = ("industry",)
    fields = ("industry", "output_target", "target_year")


@admin.register(IndustryMember)
class IndustryMemberAdmin(ReferenceDataAdmin):
    list_display = ("industry", "item", "__str__", "role", "added_at")
    list_filter = ("item",)
    list_select_related = ("industry", "user", "park", "organisation", "contact")
    autocomplete_fields = ("industry", "user", "park", "organisation", "contact")
    fields = ("industry", "item", "user", "park", "organisation", "contact", "role")


class DocumentAdminForm(forms.ModelForm):
    """The file is checked by its bytes here too (chains.documents), as on the industry page."""

    class Meta:
        model = IndustryDocument
        fields = ("industry", "kind", "title", "issued_on", "file")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and not self.instance.pk:
            try:
                self.file_type = sniff(upload)
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return upload


@admin.register(IndustryDocument)
class IndustryDocumentAdmin(ReferenceDataAdmin):
    form = DocumentAdminForm
    list_display = ("title", "industry", "kind", "issued_on", "file_type", "size", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("industry",)
    autocomplete_fields = ("industry",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("industry", "kind", "title", "issued_on", "file")
        return ("industry", "kind", "title", "issued_on", *self.get_readonly_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("download", "original_name", "file_type", "size", "uploaded_by", "uploaded_at")

    @admin.display(description=_("file"))
    def download(self, obj) -> str:
        # Through the view that checks the login, never a public media address.
        url = reverse("chains:document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def save_model(self, request, obj, form, change):
        if not change:
            upload = form.cleaned_data["file"]
            obj.file_type = form.file_type
            obj.size = upload.size
            obj.original_name = (upload.name or "")[-200:]
            obj.uploaded_by = request.user
            # The stored name is ours (document_path), whatever the uploader called it.
            obj.file.save(f"upload.{obj.file_type}", upload, save=False)
        super().save_model(request, obj, form, change)
