"""Reads of first-contact registrations for the claims page (a fixed number of
queries, whatever the number of rows)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from claims.models import Claim, Collision, Decision
from core.models import User


def open_collisions() -> QuerySet[Collision]:
    return (
        Collision.objects.filter(resolved_at=None)
        .select_related("claim__organisation", "claim__team", "team", "organisation", "first_by")
        .order_by("-first_at", "-id")
    )


def claim_list(*, status: str = "open") -> QuerySet[Claim]:
    """Registrations, newest first: open ones (status "open"), ended or lapsed ones
    ("ended"), or all. Each with its teams, its sharing teams and its decisions."""
    today = timezone.localdate()
    claims = Claim.objects.select_related("organisation", "team", "registered_by").prefetch_related(
        "shared_with",
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("holder_team", "other_team", "decided_by").order_by("-decided_at"),
        ),
    )
    if status == "open":
        claims = claims.filter(ended_on=None, expires_on__gte=today)
    elif status == "ended":
        claims = claims.exclude(ended_on=None, expires_on__gte=today)
    return claims.order_by("-first_contact_on", "-id")


def decorate_for(user: User, collisions: list[Collision]) -> None:
    """Mark which collisions the user may decide (no query: team ids are cached)."""
    from claims.services import may_decide

    for collision in collisions:
        collision.can_decide = may_decide(user, collision)
