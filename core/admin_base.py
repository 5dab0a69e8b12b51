"""What every model admin shares: access decided by core.permissions, writes made by
the services.

Django's model-permission tables decide nothing here: officers and managers hold no
Django permissions, and every has_*_permission asks core.permissions, so the admin
and the other entry points cannot disagree. A record a user may not see answers 404,
as if it did not exist; one they may read but not change opens read-only.

A service that refuses a save raises DomainError. The admin lets the request's
transaction roll back, then shows the same form again with the service's message on
the field it concerns (or above the form), so a refused save writes nothing.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router
from django.forms.models import InlineForeignKeyField, construct_instance
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import audit, permissions
from core.admin_history import HistoryDisplayMixin
from core.admin_paging import EstimatedCountAdmin
from core.errors import DomainError, NotPermitted
from core.models import Team

OWNERSHIP_FIELDS = ("owner", "team")


def is_autocomplete(request) -> bool:
    """True for the admin's autocomplete endpoint (the search behind a picker)."""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


def hands_out_records(user) -> bool:
    """Managers and admins may choose a record's owner and team; officers may not."""
    return permissions.is_admin(user) or permissions.is_manager(user)


# --- Forms ------------------------------------------------------------------------


class ServiceForm(forms.ModelForm):
    """A model form that checks the shape of the input and leaves the rules to the service.

    Model constraints are not checked here: the service checks them with a message
    that names the clash ("another organisation already has this credit code: ..."),
    where Django would only say that a constraint is violated. On the second pass of
    a refused save, `service_error` holds the refusal and the form shows it.
    """

    service_error: DomainError | None = None
    # Service argument names that differ from the form's field names.
    service_error_fields: dict[str, str] = {}

    def _post_clean(self) -> None:
        exclude = self._get_validation_exclusions()
        exclude.update(name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField))
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)
        if self._validate_unique:
            self.validate_unique()
        if self.service_error is not None:
            field = self.service_error_fields.get(self.service_error.field, self.service_error.field)
            self.add_error(field if field in self.fields else None, self.service_error.message)


# --- Access -----------------------------------------------------------------------


class AccessMixin(EstimatedCountAdmin):
    """has_*_permission from core.permissions; subclasses answer the may_* questions.

    Lists count their rows through core.admin_paging (an estimate past a limit).

    `obj` is None for questions about the model as a whole (may the user open the
    list, is there an "add" button).
    """

    def may_view(self, user, obj=None) -> bool:
        raise NotImplementedError

    def may_add(self, user) -> bool:
        raise NotImplementedError

    def may_change(self, user, obj=None) -> bool:
        raise NotImplementedError

    def may_delete(self, user, obj=None) -> bool:
        return self.may_change(user, obj)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_view(request.user, obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return self.may_add(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.may_delete(request.user, obj)

    # --- ids that cannot name a record ("151/change" from a mistyped address, "abc")

    def malformed_id(self, object_id) -> bool:
        try:
            self.model._meta.pk.to_python(unquote(str(object_id)))
        except (ValidationError, ValueError, TypeError):
            return True
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's own message ("... doesn't exist. Perhaps it was deleted?"), then back
        # to the list the user came from rather than the admin's index.
        super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        own = self.model._meta
        changelist = reverse(f"admin:{own.app_label}_{own.model_name}_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(changelist)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and self.malformed_id(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if self.malformed_id(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if self.malformed_id(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index for a missing object; a hidden one must look
        # exactly like a missing one, and both answer 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such record."))
        return obj


class ReferenceDataAdmin(AccessMixin, admin.ModelAdmin):
    """Reference data: only admins change it; `readable_by_all` lets every user read it."""

    readable_by_all = False

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_edit_reference_data(user) or (
            self.readable_by_all and permissions.can_view_record(user, obj)
        )

    def may_add(self, user) -> bool:
        return permissions.can_edit_reference_data(user)

    def may_change(self, user, obj=None) -> bool:
        return permissions.can_edit_reference_data(user)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent as a record of what happened; never edited here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None) -> bool:
        # The parent's admin already decided whether its page may be seen.
        return True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Records saved through services -----------------------------------------------


class ServiceAdmin(AccessMixin, admin.ModelAdmin):
    """Base for records whose writes go through a service.

    Subclasses implement save_model and delete_model by calling the service; the
    service's DomainError is shown on the form. M2M fields named in
    `service_m2m_fields` are passed to the service by save_model and skipped by
    save_related (which would otherwise overwrite what the service set).
    """

    form = ServiceForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    service_m2m_fields: tuple[str, ...] = ()
    # Models ("app.Model") whose rows go with a deleted record (a visit's reminders).
    follows_deletion: tuple[str, ...] = ()
    # DomainError.field values that name a differently-called form field.
    service_error_fields: dict[str, str] = {}

    # --- what the user may do (owned records: organisations, contacts, missions, visits)

    def may_view(self, user, obj=None) -> bool:
        return permissions.can_view_record(user, obj)

    def may_add(self, user) -> bool:
        return permissions.can_create_record(user)

    def may_change(self, user, obj=None) -> bool:
        if obj is None:
            return permissions.can_create_record(user)
        return permissions.can_edit_record(user, obj)

    def get_actions(self, request):
        # Bulk delete would bypass the delete service.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "_viewing_history", False):
            opts = self.model._meta
            editable = [f.name for f in (*opts.fields, *opts.many_to_many) if f.editable and not f.auto_created]
            return fields + [name for name in editable if name not in fields]
        if not hands_out_records(request.user):
            # The service fills them in for officers, who cannot hand records on.
            model_fields = {f.name for f in self.model._meta.fields}
            fields += [name for name in OWNERSHIP_FIELDS if name in model_fields and name not in fields]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "team" and not permissions.is_admin(request.user):
            kwargs["queryset"] = Team.objects.filter(pk__in=permissions.team_ids_of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # modelform_factory builds a new class on every call, so it may be adjusted here.
        form = super().get_form(request, obj, change, **kwargs)
        if "owner" in form.base_fields and obj is None:
            form.base_fields["owner"].required = False
            form.base_fields["owner"].help_text = _("Leave empty to own it yourself.")
        form.service_error_fields = {**form.service_error_fields, **self.service_error_fields}
        form.service_error = getattr(request, "_service_error", None)
        return form

    # --- writes

    def save_model(self, request, obj, form, change):
        raise NotImplementedError(f"{type(self).__name__} must save through a service")

    def delete_model(self, request, obj):
        raise NotImplementedError(f"{type(self).__name__} must delete through a service")

    def delete_queryset(self, request, queryset):
        # Should a bulk delete be offered again, it too goes through the service.
        for obj in queryset:
            self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        instance = form.instance
        for field in instance._meta.many_to_many:
            if field.name in form.cleaned_data and field.name not in self.service_m2m_fields:
                field.save_form_data(instance, form.cleaned_data[field.name])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method != "POST" or getattr(request, "_service_error", None) is not None:
                raise
            if isinstance(error, NotPermitted):
                # Shown on the form (not as a 403), so recorded here.
                audit.record("permission_denied", request=request, detail={"method": "POST", "reason": str(error)})
            # The first pass's transaction rolled back; a second pass validates the
            # same input again and shows the refusal on the form.
            request._service_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if self.follows_deletion:
            # Django asks for the delete permission on every row a deletion takes with it;
            # these rows nobody edits by hand, and the delete service removes them.
            skip = {str(apps.get_model(label)._meta.verbose_name) for label in self.follows_deletion}
            perms_needed = {name for name in perms_needed if str(name) not in skip}
        if protected:
            # Django names every protecting record, and some may be hidden from this
            # user (a confidential project); name their kinds only.
            collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
            collector.collect(objs)
            protected = sorted({capfirst(str(o._meta.verbose_name_plural)) for o in collector.protected})
        return deleted, counts, perms_needed, protected


class HistoryMixin(HistoryDisplayMixin):
    """simple_history's pages, read-only, and as private as the record itself.

    simple_history would show a hidden record's history (it falls back to the last
    historical version) and its revert form saves past the services, so both are
    narrowed here: history is for reading. What changed is shown in words
    (core.admin_history).
    """

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_view(self, request, object_id, extra_context=None):
        if self.malformed_id(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not permissions.is_admin(request.user):
            # 404 when hidden or missing; admins may still read a deleted record's history.
            self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        if self.malformed_id(object_id):
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if self.history_version_malformed(version_id):
            return self._get_obj_does_not_exist_redirect(request, self.model.history.model._meta, version_id)
        if not permissions.is_admin(request.user):
            self.get_object(request, unquote(object_id))
        request._viewing_history = True
        return super().history_form_view(request, object_id, version_id, extra_context)


class RecordAdmin(HistoryMixin, ServiceAdmin, SimpleHistoryAdmin):
    """A record saved through a service, with its history (who, when, before, after)."""


class EditableFilter(admin.SimpleListFilter):
    """Narrows a list to the records the user may change (core.permissions.editable_records)."""

    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("editable", _("Ones I can change"))]

    def queryset(self, request, queryset):
        if self.value() == "editable":
            return permissions.editable_records(request.user, queryset)
        return queryset
