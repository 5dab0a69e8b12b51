"""Merging two organisations that are one, and undoing it.

Contacts, visits, projects and qualifications of the merged organisation move to the
survivor; the merged organisation is deleted (history keeps it). The Merge row
records what moved and the merged organisation's fields, so an admin can undo it:
the organisation comes back with its id and its records move back, those that still
sit at the survivor.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.errors import DomainError, NotPermitted
from crm.models import Contact, Organisation, Qualification, Visit
from projects.models import Project
from projects.services import project_touch, projects_refresh_last_activity
from transfer.models import Merge

# Survivor fields filled from the merged organisation when the survivor has none.
FILLED_FIELDS = ("name_en", "credit_code", "city", "address", "website", "industry", "park", "description")
_MOVED = {"contacts": Contact, "visits": Visit, "projects": Project}


def similar_to(organisation: Organisation) -> list[Organisation]:
    """Organisations that may be the same one: candidates to merge it into."""
    from crm.selectors import similar_organisations
    from transfer.lookups import Lookups

    # The same name once width, brackets and legal forms are folded, then looser matches.
    _how, same = Lookups().organisation_ids(name=organisation.name, name_en=organisation.name_en)
    found = list(Organisation.objects.filter(pk__in=same - {organisation.pk}).order_by("name")[:8])
    found += similar_organisations(name=organisation.name, name_en=organisation.name_en, limit=8)
    unique = {other.pk: other for other in found if other.pk != organisation.pk}
    return list(unique.values())[:8]


def _check(by) -> None:
    if not permissions.is_admin(by):
        raise NotPermitted(_("Only an admin can merge organisations."))


def _move(model, ids: list[int], attribute: str, to: Organisation, by, reason: str, *, only_from=None) -> None:
    manager = model.all_objects if model is Project else model.objects
    records = manager.filter(pk__in=ids)
    if only_from is not None:
        records = records.filter(**{attribute: only_from})
    fields = [attribute, "version", "updated_at"]
    if model is Project:
        fields.append("last_activity_on")
    for record in records.select_for_update():
        setattr(record, attribute, to)
        record.version += 1
        record._history_user = by
        record._change_reason = reason
        if model is Project:
            project_touch(record)
        record.save(update_fields=fields)


def _snapshot(organisation: Organisation) -> dict:
    data = model_to_dict(organisation, exclude=["id"])
    data.update(
        owner=organisation.owner_id,
        team=organisation.team_id,
        created_at=organisation.created_at,
        version=organisation.version,
        country=str(organisation.country.code or ""),
    )
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}


@transaction.atomic
def organisation_merge(*, survivor: Organisation, absorbed: Organisation, by) -> Merge:
    _check(by)
    if survivor.pk == absorbed.pk:
        raise DomainError(_("An organisation cannot be merged with itself."))
    survivor = Organisation.objects.select_for_update().get(pk=survivor.pk)
    absorbed = Organisation.objects.select_for_update().get(pk=absorbed.pk)
    reason = _("merged into %(name)s (#%(id)s)") % {"name": survivor.name, "id": survivor.pk}
    moved = {
        "contacts": list(absorbed.contacts.values_list("pk", flat=True)),
        "visits": list(Visit.objects.filter(organisation=absorbed).values_list("pk", flat=True)),
        "projects": list(Project.all_objects.filter(investor=absorbed).values_list("pk", flat=True)),
    }
    held = set(survivor.qualifications.values_list("kind", "level"))
    qualifications = list(absorbed.qualifications.all())
    moved["qualifications"] = [q.pk for q in qualifications if (q.kind, q.level) not in held]
    dropped = [{"kind": q.kind, "level": q.level, "year": q.year} for q in qualifications if (q.kind, q.level) in held]
    merge = Merge(
        survivor=survivor,
        absorbed_id=absorbed.pk,
        absorbed_name=absorbed.name,
        absorbed_data=_snapshot(absorbed),
        moved=moved,
        dropped_qualifications=dropped,
        merged_by=by,
    )
    _move(Contact, moved["contacts"], "organisation", survivor, by, reason)
    _move(Visit, moved["visits"], "organisation", survivor, by, reason)
    _move(Project, moved["projects"], "investor", survivor, by, reason)
    projects_refresh_last_activity(investor_ids={survivor.pk})  # the absorbed visits count now
    Qualification.objects.filter(pk__in=moved["qualifications"]).update(organisation=survivor)
    filled = {}
    for name in FILLED_FIELDS:
        column = Organisation._meta.get_field(name).attname
        if not getattr(survivor, column) and getattr(absorbed, column):
            filled[column] = getattr(survivor, column)
            setattr(survivor, column, getattr(absorbed, column))
    merge.survivor_before = filled
    # The absorbed organisation's subsidiaries belong to the survivor's group now (the
    # survivor itself, if it was one, takes the absorbed one's parent). Not undone.
    if survivor.parent_id == absorbed.pk:
        survivor.parent_id = absorbed.parent_id if absorbed.parent_id != survivor.pk else None
        Organisation.objects.filter(pk=survivor.pk).update(parent_id=survivor.parent_id)
    Organisation.objects.filter(parent=absorbed).exclude(pk=survivor.pk).update(parent=survivor)
    absorbed._history_user = by
    absorbed._change_reason = reason
    try:
        with transaction.atomic():
            absorbed.delete()
    except ProtectedError as error:
        # Records of apps above (a first-contact registration, ...) that a merge does not move.
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise DomainError(
            _("%(name)s still has %(kinds)s: settle them before merging.")
            % {"name": absorbed.name, "kinds": "、".join(kinds)}
        ) from error
    if filled:
        survivor.version += 1
        survivor._history_user = by
        survivor._change_reason = _("merged with %(name)s") % {"name": merge.absorbed_name}
        survivor.full_clean()
        survivor.save()
    merge.save()
    return merge


@transaction.atomic
def merge_undo(*, merge: Merge, by) -> Organisation:
    _check(by)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise DomainError(_("This merge was already undone."))
    survivor = Organisation.objects.select_for_update().get(pk=merge.survivor_id)
    if Organisation.objects.filter(pk=merge.absorbed_id).exists():
        raise DomainError(_("An organisation with the merged organisation's id exists again; undo is not possible."))
    reason = _("merge with %(name)s undone") % {"name": survivor.name}
    if merge.survivor_before:
        for column, value in merge.survivor_before.items():
            setattr(survivor, column, value)
        survivor.version += 1
        survivor._history_user = by
        survivor._change_reason = reason
        survivor.save()
    data = dict(merge.absorbed_data)
    restored = Organisation(
        pk=merge.absorbed_id,
        owner_id=data.pop("owner"),
        team_id=data.pop("team"),
        industry_id=data.pop("industry", None),
        park_id=data.pop("park", None),
        **{key: value for key, value in data.items() if key not in ("created_at", "updated_at")},
    )
    restored.version += 1
    restored._history_user = by
    restored._change_reason = reason
    restored.full_clean(validate_unique=True)
    restored.save(force_insert=True)
    _move(Contact, merge.moved.get("contacts", []), "organisation", restored, by, reason, only_from=survivor)
    _move(Visit, merge.moved.get("visits", []), "organisation", restored, by, reason, only_from=survivor)
    _move(Project, merge.moved.get("projects", []), "investor", restored, by, reason, only_from=survivor)
    projects_refresh_last_activity(investor_ids={survivor.pk, restored.pk})  # the visits moved back
    Qualification.objects.filter(pk__in=merge.moved.get("qualifications", []), organisation=survivor).update(
        organisation=restored
    )
    for qualification in merge.dropped_qualifications:
        Qualification.objects.get_or_create(organisation=restored, **qualification)
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    return restored
