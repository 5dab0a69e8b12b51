"""A registration with a decided collision and an open one, for the admin tests."""

from __future__ import annotations

from django.utils import timezone

from claims.models import Collision
from claims.services import claim_register, collision_decide
from core.models import User
from crm.models import Visit
from crm.services import visit_save
from tests.factories import OrganisationFactory, TeamFactory, UserFactory


def add_claim_rows(owner: User) -> None:
    today = timezone.localdate()
    organisation = OrganisationFactory(owner=owner)
    claim = claim_register(organisation=organisation, team=owner.team, first_contact_on=today, by=owner)
    for summary in ("展会交流", "回访"):
        other = UserFactory(team=TeamFactory(), display_name="另一组专员")
        visit_save(visit=Visit(organisation=organisation, date=today, summary=summary), by=other)
    first = Collision.objects.filter(claim=claim).order_by("pk").first()
    judge = UserFactory(role=User.Role.ADMIN, team=None, display_name="仲裁人")
    collision_decide(collision=first, outcome="share", holder_share=70, other_share=30, reason="共同跟进", by=judge)
