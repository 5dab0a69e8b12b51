"""Writes of the industry workbench: targets, leading firms, item entries, documents."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chains.documents import sniff
from chains.models import ChainTarget, IndustryDocument, IndustryMember, LeadingFirm
from core import permissions
from core.errors import DomainError, NotPermitted
from crm.models import Industry, Organisation

if TYPE_CHECKING:
    from core.models import User


def _require_link(link: Industry) -> None:
    if link.level != Industry.Level.LINK:
        raise DomainError(_("Targets and leading firms belong to a chain link."), field="link")


def _require_industry(industry: Industry) -> None:
    if industry.level != Industry.Level.CLUSTER:
        raise DomainError(_("Choose an industry (a cluster or future industry)."), field="industry")


def can_manage_industry(user: User, industry: Industry) -> bool:
    """Admins and managers keep an industry's items; so does the industry's own team."""
    if permissions.is_admin(user) or permissions.is_manager(user):
        return True
    if not permissions.can_create_record(user):
        return False
    return IndustryMember.objects.filter(industry=industry, item=IndustryMember.Item.TEAM, user=user).exists()


# --- Targets --------------------------------------------------------------------------


@transaction.atomic
def target_add(*, link: Industry, organisation: Organisation, by: User, note: str = "") -> ChainTarget:
    """Name an organisation as a target of a chain link (any officer may)."""
    if not permissions.can_create_record(by):
        raise NotPermitted(_("You are not allowed to add targets."))
    _require_link(link)
    if ChainTarget.objects.filter(link=link, organisation=organisation).exists():
        raise DomainError(
            _("%(organisation)s is already a target of %(link)s.") % {"organisation": organisation, "link": link},
            code="duplicate_target",
            field="organisation",
        )
    try:
        with transaction.atomic():
            return ChainTarget.objects.create(link=link, organisation=organisation, note=note.strip(), added_by=by)
    except IntegrityError as error:  # the same target added twice at the same moment
        raise DomainError(
            _("%(organisation)s is already a target of %(link)s.") % {"organisation": organisation, "link": link},
            code="duplicate_target",
            field="organisation",
        ) from error


@transaction.atomic
def target_remove(*, target: ChainTarget, by: User) -> None:
    """Whoever added a target may take it off again; so may managers and admins."""
    if not permissions.can_remove_target(by, target):
        raise NotPermitted(_("Only whoever added this target, a manager or an admin may remove it."))
    target.delete()


# --- Reference data of an industry --------------------------------------------------------


@transaction.atomic
def leading_firm_set(*, link: Industry, organisation: Organisation | None, by: User, note: str = "") -> None:
    """Mark (or with None, unmark) the leading firm of a chain link: admins only."""
    if not permissions.can_edit_reference_data(by):
        raise NotPermitted(_("Only admins change the leading firm of a chain link."))
    _require_link(link)
    if organisation is None:
        LeadingFirm.objects.filter(link=link).delete()
        return
    LeadingFirm.objects.update_or_create(link=link, defaults={"organisation": organisation, "note": note})


@transaction.atomic
def member_add(*, industry: Industry, item: str, record, by: User, role: str = "") -> IndustryMember:
    """Add a user, park, institute, fund or expert to one of an industry's items."""
    if not can_manage_industry(by, industry):
        raise NotPermitted(_("You are not allowed to change this industry's items."))
    _require_industry(industry)
    member = IndustryMember(industry=industry, item=item, role=role)
    field = member_check(member, record)
    if IndustryMember.objects.filter(industry=industry, item=item, **{field: record}).exists():
        raise DomainError(_("%(record)s is already listed.") % {"record": record}, code="duplicate_member")
    member.save()
    return member


@transaction.atomic
def member_remove(*, member: IndustryMember, by: User) -> None:
    if not can_manage_industry(by, member.industry):
        raise NotPermitted(_("You are not allowed to change this industry's items."))
    member.delete()


def member_check(member: IndustryMember, record) -> str:
    """Put `record` on the entry, refusing one of the wrong kind for the item; returns
    the name of the field that holds it."""
    Item = IndustryMember.Item
    field = {Item.TEAM: "user", Item.PARK: "park", Item.INSTITUTE: "organisation", Item.FUND: "organisation"}.get(
        member.item, "contact"
    )
    expected = IndustryMember._meta.get_field(field).related_model
    if not isinstance(record, expected):
        raise DomainError(_("This item lists records of another kind."), field=field)
    kinds = IndustryMember.ORGANISATION_KINDS.get(member.item)
    if kinds and record.kind not in kinds:
        raise DomainError(
            _("%(organisation)s is not of a kind this item lists (%(kinds)s).")
            % {
                "organisation": record,
                "kinds": ", ".join(str(Organisation.Kind(kind).label) for kind in kinds),
            },
            field=field,
        )
    setattr(member, field, record)
    return field


@transaction.atomic
def document_upload(
    *, industry: Industry, kind: str, title: str, issued_on: dt.date, upload, by: User
) -> IndustryDocument:
    """Store a research report or policy after checking what the file really is."""
    if not can_manage_industry(by, industry):
        raise NotPermitted(_("You are not allowed to upload documents for this industry."))
    _require_industry(industry)
    if kind not in IndustryDocument.Kind.values:
        raise DomainError(_("Choose a research report or a policy."), field="kind")
    file_type = sniff(upload)
    document = IndustryDocument(
        industry=industry,
        kind=kind,
        title=title.strip(),
        issued_on=issued_on,
        original_name=(upload.name or "")[-200:],
        file_type=file_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save(f"upload.{file_type}", upload, save=False)
    document.save()
    return document
