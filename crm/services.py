"""Writes to organisations, contacts, missions and visits. Every entry point (admin,
web, API, import) calls these, so the rules below hold everywhere.

crm does not import projects: a write here that projects must follow (a visit to an
investor is activity on its projects) calls the functions registered in `hooks`,
which projects.services fills in when it is imported."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext as _

from core import bulk, permissions
from core.errors import DomainError, NotPermitted
from core.records import (
    delete_owned_record,
    full_clean_or_refuse,
    prepare_owned_record,
    stored_version,
    validation_error_to_domain,
)
from crm import collisions, groups
from crm.credit_code import normalise as normalise_credit_code
from crm.models import VISIT_HISTORY, Contact, Industry, Mission, Organisation, Qualification, Visit

if TYPE_CHECKING:
    from core.models import User


@dataclass
class Hooks:
    # Called in the writing transaction with the ids of the organisations whose visits
    # were added, deleted, or moved in date or to another organisation.
    visits_changed: list[Callable[[set[int]], None]] = field(default_factory=list)


hooks = Hooks()


def _visits_changed(organisation_ids: set[int]) -> None:
    for hook in hooks.visits_changed:
        hook(organisation_ids)


# --- Organisations --------------------------------------------------------------


MAX_ALIASES = 20
MAX_ALIAS_LENGTH = 200


def clean_aliases(aliases) -> list[str]:
    """An organisation's other names as kept: stripped, blanks and repeats dropped (in the
    order given); DomainError when there are too many or one is too long."""
    if aliases in (None, ""):
        return []
    if isinstance(aliases, str):
        aliases = aliases.splitlines()
    if not isinstance(aliases, list | tuple) or not all(isinstance(alias, str) for alias in aliases):
        raise DomainError(_("Other names must be a list of names."), field="aliases")
    kept = list(dict.fromkeys(" ".join(alias.split()) for alias in aliases if alias.strip()))
    if len(kept) > MAX_ALIASES:
        raise DomainError(_("At most %(count)d other names can be kept.") % {"count": MAX_ALIASES}, field="aliases")
    for alias in kept:
        if len(alias) > MAX_ALIAS_LENGTH:
            raise DomainError(
                _("An other name may have at most %(count)d characters.") % {"count": MAX_ALIAS_LENGTH},
                field="aliases",
            )
    return kept


def _tidy_names(organisation: Organisation) -> None:
    organisation.name = organisation.name.strip()
    organisation.name_en = organisation.name_en.strip()
    organisation.aliases = clean_aliases(organisation.aliases)


@transaction.atomic
def organisation_save(*, organisation: Organisation, by: User) -> Organisation:
    """Create or update an organisation (owner and team default to the user's). Its
    search key (crm.search) is written from the names, other names and code as it is saved."""
    prepare_owned_record(organisation, by=by)
    _tidy_names(organisation)
    if organisation.credit_code:
        organisation.credit_code = normalise_credit_code(organisation.credit_code)
        clash = Organisation.objects.filter(credit_code=organisation.credit_code).exclude(pk=organisation.pk).first()
        if clash:
            raise DomainError(
                _("Another organisation already has this credit code: %(name)s.") % {"name": clash.name},
                code="duplicate_credit_code",
                field="credit_code",
            )
    if organisation.exchange and not organisation.stock_code:
        raise DomainError(_("A listed organisation needs its stock code."), field="stock_code")
    _check_parent(organisation)
    full_clean_or_refuse(organisation)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        # Two people saved the same new credit code at the same moment; one lost.
        raise DomainError(
            _("Another organisation already has this credit code."), code="duplicate_credit_code", field="credit_code"
        ) from error
    return organisation


def _check_parent(organisation: Organisation) -> None:
    """A parent may not be the organisation itself nor one of its subsidiaries (a cycle
    would make the group endless); the database refuses the first case too."""
    if organisation.parent_id is None or organisation.pk is None:
        return
    if organisation.parent_id == organisation.pk or organisation.parent_id in groups.descendant_ids(organisation.pk):
        raise DomainError(
            _("%(parent)s is part of %(organisation)s's own group below it: it cannot be its parent.")
            % {"parent": organisation.parent, "organisation": organisation.name},
            code="group_cycle",
            field="parent",
        )


@transaction.atomic
def organisations_create_many(*, organisations: list[Organisation], by: User) -> list[Organisation]:
    """Create many new organisations in a few statements (an import naming investors the
    CRM does not have yet), under the rules organisation_save applies: owner and team
    default to the user's, names are stripped, credit codes normalised, valid and unique
    (among these and with the stored ones); the database checks the rest. DomainError if
    one is refused, and then none is written."""
    if not organisations:
        return []
    checked = {"name", "credit_code"}
    others = [field.name for field in Organisation._meta.fields if field.name not in checked]
    codes: dict[str, Organisation] = {}
    for organisation in organisations:
        if organisation.pk is not None or not organisation._state.adding:
            raise ValueError("organisations_create_many is for new organisations; organisation_save edits stored ones.")
        prepare_owned_record(organisation, by=by)
        _tidy_names(organisation)
        if organisation.credit_code:
            organisation.credit_code = normalise_credit_code(organisation.credit_code)
            if organisation.credit_code in codes:
                raise DomainError(
                    _("Another organisation already has this credit code: %(name)s.")
                    % {"name": codes[organisation.credit_code].name},
                    code="duplicate_credit_code",
                    field="credit_code",
                )
            codes[organisation.credit_code] = organisation
        try:
            # The fields an import sets; uniqueness is checked below for all at once.
            organisation.clean_fields(exclude=others)
        except ValidationError as error:
            raise validation_error_to_domain(error) from error
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        clash = Organisation.objects.filter(credit_code__in=ordered[start : start + 500]).first()
        if clash:
            raise DomainError(
                _("Another organisation already has this credit code: %(name)s.") % {"name": clash.name},
                code="duplicate_credit_code",
                field="credit_code",
            )
    with transaction.atomic():
        bulk.create_with_history(organisations, by=by, now=timezone.now())
    return organisations


@transaction.atomic
def organisation_delete(*, organisation: Organisation, by: User) -> None:
    delete_owned_record(organisation, by=by)


# --- Contacts -------------------------------------------------------------------


@transaction.atomic
def contact_save(*, contact: Contact, by: User) -> Contact:
    prepare_owned_record(contact, by=by, can_edit=permissions.can_edit_contact)
    contact.name = contact.name.strip()
    full_clean_or_refuse(contact)
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    delete_owned_record(contact, by=by, can_edit=permissions.can_edit_contact)


# --- Qualifications -------------------------------------------------------------


def _check_qualification_rights(qualification: Qualification, by: User) -> None:
    if not permissions.can_edit_record(by, qualification.organisation):
        raise NotPermitted(_("You can change the qualifications of organisations you may edit only."))


@transaction.atomic
def qualification_save(*, qualification: Qualification, by: User) -> Qualification:
    """A qualification follows its organisation's rights; the year is a plausible one."""
    _check_qualification_rights(qualification, by)
    if qualification.pk:
        _check_qualification_rights(stored_version(qualification), by)
    if qualification.year and not (1980 <= qualification.year <= timezone.localdate().year + 1):
        raise DomainError(_("Enter the year the qualification was granted."), field="year")
    full_clean_or_refuse(qualification)
    qualification.save()
    return qualification


@transaction.atomic
def qualification_delete(*, qualification: Qualification, by: User) -> None:
    _check_qualification_rights(stored_version(qualification), by)
    qualification.delete()


# --- Missions -------------------------------------------------------------------


@transaction.atomic
def mission_save(
    *,
    mission: Mission,
    by: User,
    participants: Iterable[User] | None = None,
    industries: Iterable[Industry] | None = None,
) -> Mission:
    prepare_owned_record(mission, by=by)
    if mission.start_date and mission.end_date and mission.end_date < mission.start_date:
        raise DomainError(_("A mission cannot end before it starts."), field="end_date")
    full_clean_or_refuse(mission)
    mission.save()
    if participants is not None:
        mission.participants.set(participants)
    if industries is not None:
        mission.industries.set(industries)
    return mission


@transaction.atomic
def mission_delete(*, mission: Mission, by: User) -> None:
    delete_owned_record(mission, by=by)


# --- Visits ---------------------------------------------------------------------


def _check_visit(visit: Visit, contacts: Iterable[Contact] | None) -> None:
    today = timezone.localdate()
    if visit.date and visit.date > today:
        raise DomainError(
            _("A visit is logged once it has happened: %(date)s is in the future.") % {"date": visit.date},
            field="date",
        )
    if visit.follow_up_on and visit.date and visit.follow_up_on < visit.date:
        raise DomainError(_("The follow-up date cannot be before the visit."), field="follow_up_on")
    if visit.mission_id and visit.date:
        mission = visit.mission
        if not (mission.start_date <= visit.date <= mission.end_date):
            raise DomainError(
                _("This visit's date is outside the mission %(mission)s (%(start)s to %(end)s).")
                % {"mission": mission.title, "start": mission.start_date, "end": mission.end_date},
                field="mission",
            )
    for contact in contacts or []:
        if contact.organisation_id != visit.organisation_id:
            raise DomainError(
                _("%(contact)s does not work at %(organisation)s.")
                % {"contact": contact.name, "organisation": visit.organisation},
                field="contacts",
            )


def _loaded(record, names: tuple[str, ...]) -> list[str]:
    """Of the foreign keys `names`, those whose stored object the caller already holds
    (read from the database in this request): model validation need not look them up again."""
    held = []
    for name in names:
        field = record._meta.get_field(name)
        if field.is_cached(record) and getattr(record, name) is not None and not getattr(record, name)._state.adding:
            held.append(name)
    return held


def _link_new_visit(visit: Visit, name: str, records: list) -> None:
    """Link a just-created visit to `records` in one insert. A new visit has no links,
    so what add() reads first (the existing ones) is skipped; its signals are sent as
    add() sends them (visit_save writes the history row itself, once)."""
    ids = list(dict.fromkeys(record.pk for record in records))
    if not ids:
        return
    manager = getattr(visit, name)
    through = manager.through
    using = router.db_for_write(through, instance=visit)
    signal = {"sender": through, "instance": visit, "reverse": False, "model": manager.model, "using": using}
    m2m_changed.send(action="pre_add", pk_set=set(ids), **signal)
    through.objects.using(using).bulk_create(
        [through(**{f"{manager.source_field_name}_id": visit.pk, f"{manager.target_field_name}_id": pk}) for pk in ids]
    )
    m2m_changed.send(action="post_add", pk_set=set(ids), **signal)


@transaction.atomic
def visit_save(
    *,
    visit: Visit,
    by: User,
    officers: Iterable[User] | None = None,
    contacts: Iterable[Contact] | None = None,
) -> Visit:
    """Create or update a visit; the officer who logs it is always among its officers."""
    creating = visit._state.adding
    stored = prepare_owned_record(visit, by=by)
    contacts = list(contacts) if contacts is not None else None
    # Contacts not sent again stay on the visit, so they too must fit its organisation.
    kept_contacts = list(visit.contacts.all()) if contacts is None and not creating else None
    _check_visit(visit, contacts if contacts is not None else kept_contacts)
    held = _loaded(visit, ("owner", "organisation", "mission"))
    if creating and "owner" in held and visit.team_id is not None and visit.team_id == visit.owner.team_id:
        held.append("team")  # copied from the owner read above (prepare_owned_record)
    full_clean_or_refuse(visit, exclude=held)
    officer_list = list(officers) if officers is not None else None
    if creating:
        officer_list = officer_list or []
        if visit.owner not in officer_list:
            officer_list.append(visit.owner)
        # One history row for the new visit, written once its officers and contacts are
        # linked, instead of one for the visit and another for its links.
        visit.skip_history_when_saving = True
        try:
            visit.save()
            _link_new_visit(visit, "officers", officer_list)
            _link_new_visit(visit, "contacts", contacts or [])
        finally:
            del visit.skip_history_when_saving
        VISIT_HISTORY.create_historical_record(visit, "+")
    else:
        visit.save()
        if officer_list is not None:
            visit.officers.set(officer_list)
        if contacts is not None:
            visit.contacts.set(contacts)
    if stored is None:
        _visits_changed({visit.organisation_id})
    elif (stored.organisation_id, stored.date) != (visit.organisation_id, visit.date):
        _visits_changed({stored.organisation_id, visit.organisation_id})
    # A new visit, or one moved to another organisation, is work on that group: it renews
    # the team's own registration or is a collision with another team's (crm.collisions).
    visit.claim_notice = None
    if stored is None or stored.organisation_id != visit.organisation_id:
        touch = collisions.Touch(
            organisation_id=visit.organisation_id, team_id=visit.team_id, by=by, via="visit", on=visit.date
        )
        visit.claim_notice = collisions.record([touch])[0]
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, by: User) -> None:
    deleted = delete_owned_record(visit, by=by)
    _visits_changed({deleted.organisation_id})
