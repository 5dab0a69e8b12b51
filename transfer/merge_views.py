"""Admin pages for merging organisations and undoing merges.

They are plain views in the admin's look rather than a ModelAdmin: a merge is made
from an organisation's admin page (templates/admin/crm/organisation/change_form.html
links here) and undone from the list of merges; nobody adds or edits Merge rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.errors import DomainError
from crm.models import Organisation
from transfer import merging
from transfer.models import Merge


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Keep this organisation"),
        help_text=gettext_lazy("Its contacts, visits and projects are joined by those of the one merged into it."),
        widget=forms.NumberInput,
    )


def _admin_only(request) -> None:
    if not permissions.is_admin(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def merge_start(request, organisation_id: int):
    _admin_only(request)
    absorbed = get_object_or_404(Organisation, pk=organisation_id)
    form = MergeForm(request.POST or None)
    form.fields["survivor"].queryset = Organisation.objects.exclude(pk=absorbed.pk)
    candidates = merging.similar_to(absorbed)
    if request.method == "POST" and form.is_valid():
        survivor = form.cleaned_data["survivor"]
        try:
            merge = merging.organisation_merge(survivor=survivor, absorbed=absorbed, by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(absorbed)s was merged into %(survivor)s (%(count)s records moved); it can be undone here.")
                % {"absorbed": merge.absorbed_name, "survivor": survivor.name, "count": merge.moved_count},
            )
            return redirect("transfer:merge_list")
    context = {
        **admin.site.each_context(request),
        "title": _("Merge %(name)s into another organisation") % {"name": absorbed.name},
        "absorbed": absorbed,
        "candidates": candidates,
        "form": form,
        "counts": {
            "contacts": absorbed.contacts.count(),
            "visits": absorbed.visits.count(),
            "projects": absorbed.projects.count(),
        },
    }
    return TemplateResponse(request, "transfer/admin_merge_form.html", context, status=400 if form.errors else 200)


@login_required
def merge_list(request):
    _admin_only(request)
    merges = Merge.objects.select_related("survivor", "merged_by", "undone_by")[:200]
    context = {**admin.site.each_context(request), "title": _("Merges of organisations"), "merges": merges}
    return TemplateResponse(request, "transfer/admin_merge_list.html", context)


@login_required
@require_POST
def merge_undo(request, pk: int):
    _admin_only(request)
    merge = get_object_or_404(Merge, pk=pk)
    try:
        restored = merging.merge_undo(merge=merge, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is back.") % {"name": restored.name})
    return redirect("transfer:merge_list")
