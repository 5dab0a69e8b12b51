"""Saving owned records (organisation, contact, mission, visit, project): the common
steps every service takes, so that the permission and ownership rules apply alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core import permissions
from core.errors import DomainError, NotFound, NotPermitted

if TYPE_CHECKING:
    from core.models import User


def stored_version(record: models.Model, *, lock: bool = False) -> models.Model:
    """The record as the database has it (a form may have changed the instance)."""
    manager = type(record)._base_manager
    if lock:
        manager = manager.select_for_update()
    try:
        return manager.get(pk=record.pk)
    except type(record).DoesNotExist:
        raise NotFound(_("This record no longer exists.")) from None


def validation_error_to_domain(error: ValidationError) -> DomainError:
    """First message of a model validation error, with the field it concerns."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = errors[0].messages[0] if hasattr(errors[0], "messages") else str(errors[0])
        return DomainError(message, code="invalid", field=None if field == "__all__" else field)
    return DomainError(error.messages[0], code="invalid")


def full_clean_or_refuse(record: models.Model, exclude: list[str] | None = None) -> None:
    try:
        record.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        raise validation_error_to_domain(error) from error


# For each model: the fields with a fixed default their own validation accepts
# (name, attribute, default), found once per process.
_VALID_DEFAULTS: dict[type[models.Model], list[tuple[str, str, object]]] = {}


def _valid_defaults(model: type[models.Model]) -> list[tuple[str, str, object]]:
    if model not in _VALID_DEFAULTS:
        sample, found = model(), []
        for field in model._meta.concrete_fields:
            if not field.has_default() or callable(field.default):
                continue
            default = field.get_default()
            try:
                field.clean(default, sample)
            except ValidationError:
                continue
            found.append((field.name, field.attname, default))
        _VALID_DEFAULTS[model] = found
    return _VALID_DEFAULTS[model]


def clean_new_record(record: models.Model, *, exclude: list[str]) -> None:
    """full_clean of a new record created among thousands (an import): the same checks
    (every field, the model's clean()), less the fields still holding a fixed default
    already known valid. Uniqueness and constraints are left to the caller and the
    database."""
    skip = set(exclude)
    for name, attname, default in _valid_defaults(type(record)):
        value = getattr(record, attname)
        if value == default and type(value) is type(default):
            skip.add(name)
    record.full_clean(exclude=skip, validate_unique=False, validate_constraints=False)


def prepare_owned_record(
    record: models.Model,
    *,
    by: User,
    can_edit: Callable[[User, models.Model], bool] = permissions.can_edit_record,
) -> models.Model | None:
    """Check that `by` may save `record` and fill in owner and team on creation.

    Returns the stored version for an update (None for a new record). Permission is
    judged on the stored version, so a form cannot lift a record into its own scope.
    """
    if not permissions.can_create_record(by):
        raise NotPermitted(_("You are not allowed to make this change."))
    if record.pk is None or record._state.adding:
        if not getattr(record, "owner_id", None):
            record.owner = by
        elif record.owner_id != by.pk and not (permissions.is_admin(by) or permissions.is_manager(by)):
            raise NotPermitted(_("Officers create records in their own name."))
        if not getattr(record, "team_id", None):
            record.team_id = record.owner.team_id
        elif not permissions.is_admin(by) and record.team_id not in permissions.team_ids_of(by):
            raise NotPermitted(_("You can only create records for your own team."))
        record._history_user = by
        return None
    stored = stored_version(record)
    if not can_edit(by, stored):
        raise NotPermitted(_("You are not allowed to change this record: it belongs to another officer or team."))
    if (record.owner_id, record.team_id) != (stored.owner_id, stored.team_id):
        # Handing a record to another officer or team is a manager's or an admin's call.
        if not (permissions.is_admin(by) or permissions.is_manager(by)):
            raise NotPermitted(_("Only a manager or an admin can hand a record to another officer or team."))
        if not permissions.is_admin(by) and record.team_id not in permissions.team_ids_of(by):
            raise NotPermitted(_("You can only hand records to your own teams."))
    record.version = stored.version + 1
    record._history_user = by
    return stored


def delete_owned_record(record: models.Model, *, by: User, can_edit=permissions.can_edit_record) -> models.Model:
    """Delete the stored version of `record`; returns it (as it was before deletion)."""
    stored = stored_version(record)
    if not can_edit(by, stored):
        raise NotPermitted(_("You are not allowed to delete this record: it belongs to another officer or team."))
    stored._history_user = by
    try:
        stored.delete()
    except models.ProtectedError as error:
        names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise DomainError(
            _("This record cannot be deleted while %(things)s refer to it.") % {"things": "、".join(names)},
            code="protected",
        ) from error
    return stored
