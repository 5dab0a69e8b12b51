"""Writes of first-contact registrations (首谈报备), collisions (撞单) and arbitration.

Every visit and project written by crm.services and projects.services passes through
`touches_record` (registered in crm.collisions by ClaimsConfig.ready), whatever the
entry point: the web forms, the API, an import, the admin. A lead intake calls
`collision_for` (to warn before saving) and `claim_touch` (inside its write)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from claims.models import Claim, Collision, Decision
from core import permissions
from core.errors import DomainError, NotPermitted
from core.models import AlertLevel, Team, User
from core.notifications import Message, notify
from crm import groups
from crm.collisions import Notice, Touch
from crm.models import Organisation

# --- Reading what holds a group ------------------------------------------------------


def open_claim_for_group(organisation_id: int, today: dt.date | None = None) -> Claim | None:
    """The open registration of the organisation's group, if any."""
    today = today or timezone.localdate()
    ids = groups.group_ids(organisation_id)
    return (
        Claim.objects.filter(organisation_id__in=ids, ended_on=None, expires_on__gte=today)
        .select_related("organisation", "team")
        .order_by("first_contact_on", "pk")
        .first()
    )


def _shares_in(claim: Claim, team_id: int | None) -> bool:
    return team_id == claim.team_id or claim.shared_with.filter(pk=team_id).exists()


def _notice(claim: Claim) -> Notice:
    return Notice(organisation_name=claim.organisation.name, holder_team=str(claim.team), since=claim.first_contact_on)


def peek(organisation_id: int, team_id: int | None) -> Notice | None:
    """What a team working on this organisation would be told (no write)."""
    if team_id is None or organisation_id is None:
        return None
    claim = open_claim_for_group(organisation_id)
    if claim is None or _shares_in(claim, team_id):
        return None
    return _notice(claim)


def holder(organisation_id: int) -> Notice | None:
    claim = open_claim_for_group(organisation_id)
    return _notice(claim) if claim is not None else None


def register_url(organisation_id: int) -> str:
    return reverse("claims:claim_register", args=[organisation_id])


def collision_for(organisation: Organisation, team: Team | None) -> Notice | None:
    """For another app (lead intake): the notice a team gets on this organisation, or
    None when its group is free or held by (or shared with) the team. Reads only."""
    return peek(organisation.pk, team.pk if team else None)


def managers_of(team_ids: set[int]) -> list[User]:
    """Active managers of these teams (their own team or one they manage)."""
    return list(
        User.objects.filter(role=User.Role.MANAGER, is_active=True)
        .filter(Q(team_id__in=team_ids) | Q(managed_teams__in=team_ids))
        .distinct()
        .order_by("pk")
    )


def _tell_managers(collision: Collision) -> None:
    claim = collision.claim
    url = reverse("claims:claim_list") + f"#collision-{collision.pk}"
    messages = []
    for manager in managers_of({claim.team_id, collision.team_id}):
        with translation.override(manager.language or settings.LANGUAGE_CODE):
            title = _("Collision: %(team)s also works on %(organisation)s, registered by %(holder)s") % {
                "team": collision.team,
                "organisation": claim.organisation.name,
                "holder": claim.team,
            }
            body = _("Registered on %(since)s. A manager of both teams or an admin decides who carries it.") % {
                "since": claim.first_contact_on
            }
        messages.append(
            Message(
                recipient=manager,
                key=f"claim-collision:{collision.pk}",
                title=title,
                body=body,
                url=url,
                level=AlertLevel.YELLOW,
                target=claim,
            )
        )
    notify(messages)


# --- Touches: activity renews, another team collides ---------------------------------


def claim_touch(*, touch: Touch) -> Notice | None:
    """Work of a team on an organisation (call inside the writing transaction): renews
    the team's own (or shared) registration of the group; on another team's, records
    the collision, tells both teams' managers once, and returns what to tell the writer."""
    if touch.team_id is None or touch.organisation_id is None:
        return None
    claim = open_claim_for_group(touch.organisation_id)
    if claim is None:
        return None
    if _shares_in(claim, touch.team_id):
        renewed = touch.on + dt.timedelta(days=claim.protection_days)
        Claim.objects.filter(pk=claim.pk, expires_on__lt=renewed).update(expires_on=renewed)
        Claim.objects.filter(pk=claim.pk, last_activity_on__lt=touch.on).update(last_activity_on=touch.on)
        return None
    open_collision = Collision.objects.filter(claim=claim, team_id=touch.team_id, resolved_at=None)
    if open_collision.exists():
        open_collision.update(times=F("times") + 1)
        open_collision.filter(last_on__lt=touch.on).update(last_on=touch.on)
        return _notice(claim)
    try:
        with transaction.atomic():
            collision = Collision.objects.create(
                claim=claim,
                team_id=touch.team_id,
                organisation_id=touch.organisation_id,
                via=touch.via if touch.via in Collision.Via.values else Collision.Via.VISIT,
                first_by=touch.by,
                last_on=touch.on,
            )
    except IntegrityError:
        # Another writer of the same team opened it meanwhile: count on theirs.
        open_collision.update(times=F("times") + 1)
        return _notice(claim)
    _tell_managers(collision)
    return _notice(claim)


def open_claims_by_organisation(today: dt.date | None = None) -> dict[int, Claim]:
    """Every organisation of a group with an open registration, with that registration:
    a few queries whatever the number of organisations (for an import's many rows)."""
    today = today or timezone.localdate()
    claims = list(
        Claim.objects.filter(ended_on=None, expires_on__gte=today)
        .select_related("organisation", "team")
        .prefetch_related("shared_with")
        .order_by("first_contact_on", "pk")
    )
    roots = groups.roots_of({claim.organisation_id for claim in claims})
    by_root: dict[int, Claim] = {}
    for claim in claims:
        by_root.setdefault(roots[claim.organisation_id], claim)
    return {member: by_root[root] for member, root in groups.members_of(set(by_root)).items()}


def snapshot():
    """peek for many rows: the open registrations read once; each answer then costs no query."""
    held = open_claims_by_organisation()

    def peek_held(organisation_id: int | None, team_id: int | None) -> Notice | None:
        claim = held.get(organisation_id)
        if claim is None or team_id is None:
            return None
        if team_id == claim.team_id or any(team.pk == team_id for team in claim.shared_with.all()):
            return None
        return _notice(claim)

    return peek_held


def touches_record(touches: Sequence[Touch]) -> list[Notice | None]:
    """claim_touch for each touch. Many touches (an import's rows) read the open
    registrations once; only touches of a registered group cost more, once for each
    organisation, team and kind of work."""
    if len(touches) == 1:
        return [claim_touch(touch=touches[0])]
    held = open_claims_by_organisation()
    answers: dict[tuple, Notice | None] = {}
    result = []
    for touch in touches:
        key = (touch.organisation_id, touch.team_id, touch.via)
        if key not in answers:
            answers[key] = claim_touch(touch=touch) if touch.organisation_id in held else None
        result.append(answers[key])
    return result


# --- Registering ---------------------------------------------------------------------


def may_register_for(user: User, team: Team | None) -> bool:
    return team is not None and (permissions.is_admin(user) or team.pk in permissions.team_ids_of(user))


@transaction.atomic
def claim_register(
    *, organisation: Organisation, team: Team | None, first_contact_on: dt.date, by: User, note: str = ""
) -> Claim:
    """Register a first contact: the team holds the organisation's group for the
    protection period from its first contact. Refused when the group is held already."""
    if not may_register_for(by, team):
        raise NotPermitted(_("You can register first contacts for your own teams only."))
    today = timezone.localdate()
    if first_contact_on > today:
        raise DomainError(_("A first contact is registered once it has happened."), field="first_contact_on")
    claim = Claim(
        organisation=organisation,
        team=team,
        first_contact_on=first_contact_on,
        last_activity_on=first_contact_on,
        registered_by=by,
        note=note.strip(),
    )
    claim.expires_on = first_contact_on + dt.timedelta(days=claim.protection_days)
    if claim.expires_on < today:
        raise DomainError(
            _("The first contact is more than %(days)s days ago: its protection would already have ended.")
            % {"days": claim.protection_days},
            field="first_contact_on",
        )
    # Two registrations of one group at the same moment: the second waits here.
    root_id = groups.group_root_id(organisation.pk)
    Organisation.objects.select_for_update().filter(pk=root_id).first()
    held = open_claim_for_group(organisation.pk, today)
    if held is not None:
        if held.team_id == team.pk:
            message = _("%(team)s already holds this group (registered on %(since)s).")
        else:
            message = _("%(organisation)s (or its group) was registered first by %(team)s on %(since)s.")
        raise DomainError(
            message % {"team": held.team, "since": held.first_contact_on, "organisation": held.organisation.name},
            code="claim_held",
        )
    # Registrations of the group that lapsed are ended, on the day they lapsed.
    for lapsed in Claim.objects.filter(organisation_id__in=groups.group_ids(organisation.pk), ended_on=None):
        lapsed.ended_on = lapsed.expires_on
        lapsed._history_user = by
        lapsed.save(update_fields=["ended_on"])
    claim._history_user = by
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:
        raise DomainError(_("This organisation was registered meanwhile."), code="claim_held") from error
    return claim


@transaction.atomic
def claim_release(*, claim: Claim, by: User) -> Claim:
    """The holding team gives the group up (or an admin ends the registration)."""
    if not (permissions.is_admin(by) or (permissions.is_manager(by) and claim.team_id in permissions.team_ids_of(by))):
        raise NotPermitted(_("A manager of the holding team or an admin may end a registration."))
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.ended_on is None:
        claim.ended_on = timezone.localdate()
        claim._history_user = by
        claim.save(update_fields=["ended_on"])
    return claim


# --- Arbitration ---------------------------------------------------------------------


def may_decide(user: User, collision: Collision) -> bool:
    """A manager of both teams, or an admin."""
    if permissions.is_admin(user):
        return True
    if not permissions.is_manager(user):
        return False
    return {collision.claim.team_id, collision.team_id} <= permissions.team_ids_of(user)


@transaction.atomic
def collision_decide(
    *,
    collision: Collision,
    outcome: str,
    reason: str,
    by: User,
    holder_share: int | None = None,
    other_share: int | None = None,
) -> Decision:
    """Keep the group with its holder, transfer it to the other team, or share it with a
    credit split (shares in whole per cent adding up to 100). Kept as a Decision."""
    collision = (
        Collision.objects.select_for_update().select_related("claim", "claim__team", "team").get(pk=collision.pk)
    )
    if not may_decide(by, collision):
        raise NotPermitted(_("A manager of both teams or an admin decides a collision."))
    if collision.resolved_at is not None:
        raise DomainError(_("This collision was decided already."), code="decided")
    if outcome not in Decision.Outcome.values:
        raise DomainError(_("Choose keep, transfer or share."), field="outcome")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), field="reason")
    if outcome == Decision.Outcome.SHARE:
        if holder_share is None or other_share is None or holder_share <= 0 or other_share <= 0:
            raise DomainError(_("A shared credit gives each team a share above 0%."), field="holder_share")
        if holder_share + other_share != 100:
            raise DomainError(
                _("The shares add up to %(total)s%%; they must add up to 100%%.")
                % {"total": holder_share + other_share},
                field="holder_share",
            )
    else:
        holder_share = other_share = None
    claim = Claim.objects.select_for_update().get(pk=collision.claim_id)
    decision = Decision.objects.create(
        claim=claim,
        collision=collision,
        outcome=outcome,
        holder_team_id=claim.team_id,
        other_team_id=collision.team_id,
        holder_share=holder_share,
        other_share=other_share,
        reason=reason,
        decided_by=by,
    )
    today = timezone.localdate()
    claim._history_user = by
    claim._change_reason = f"{outcome}: {reason}"[:100]
    if outcome == Decision.Outcome.TRANSFER:
        claim.team_id = collision.team_id
        claim.last_activity_on = max(claim.last_activity_on, today)
        claim.expires_on = max(claim.expires_on, today + dt.timedelta(days=claim.protection_days))
        claim.save()
        claim.shared_with.remove(collision.team_id)
    elif outcome == Decision.Outcome.SHARE:
        claim.save()
        claim.shared_with.add(collision.team_id)
    collision.resolved_at = timezone.now()
    collision.save(update_fields=["resolved_at"])
    return decision
