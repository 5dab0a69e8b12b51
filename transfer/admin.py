"""Admin: merges of organisations (start one from an organisation's page, undo one),
and the list of imports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.errors import DomainError
from crm.models import Organisation
from transfer import merging
from transfer.models import ImportJob, Merge


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label=gettext_lazy("Keep this organisation"),
        help_text=gettext_lazy("Its contacts, visits and projects are joined by those of the one merged into it."),
    )


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ("absorbed_name", "survivor", "merged_by", "merged_at", "undone_at")
    list_select_related = ("survivor", "merged_by")
    readonly_fields = [field.name for field in Merge._meta.fields]
    actions = ["undo"]

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

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions if permissions.is_admin(request.user) else {}

    @admin.action(description=gettext_lazy("Undo the selected merges"))
    def undo(self, request, queryset):
        for merge in queryset:
            try:
                restored = merging.merge_undo(merge=merge, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{merge}: {error}", messages.ERROR)
            else:
                self.message_user(request, _("%(name)s is back.") % {"name": restored.name}, messages.SUCCESS)

    def get_urls(self):
        urls = [
            path(
                "start/<int:organisation_id>/",
                self.admin_site.admin_view(self.merge_view),
                name="transfer_merge_start",
            ),
        ]
        return urls + super().get_urls()

    def merge_view(self, request, organisation_id: int):
        if not permissions.is_admin(request.user):
            raise PermissionDenied
        absorbed = get_object_or_404(Organisation, pk=organisation_id)
        form = MergeForm(request.POST or None)
        form.fields["survivor"].queryset = Organisation.objects.exclude(pk=absorbed.pk).order_by("name")
        if request.method == "POST" and form.is_valid():
            survivor = form.cleaned_data["survivor"]
            try:
                merge = merging.organisation_merge(survivor=survivor, absorbed=absorbed, by=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("%(absorbed)s was merged into %(survivor)s (%(count)s records moved); it can be undone here.")
                    % {"absorbed": merge.absorbed_name, "survivor": survivor.name, "count": merge.moved_count},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:transfer_merge_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge %(name)s into another organisation") % {"name": absorbed.name},
            "absorbed": absorbed,
            "form": form,
            "counts": {
                "contacts": absorbed.contacts.count(),
                "visits": absorbed.visits.count(),
                "projects": absorbed.projects.count(),
            },
            "opts": Organisation._meta,
            "original": absorbed,
        }
        return TemplateResponse(request, "transfer/admin_merge_form.html", context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "kind", "user", "status", "total_rows", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("user",)
    exclude = ("content",)
    readonly_fields = [field.name for field in ImportJob._meta.fields if field.name != "content"]

    def has_module_permission(self, request) -> bool:
        return permissions.is_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
