"""The demo zone shows registrations: two groups, an open collision in the Japan and
Korea manager's notifications, and a shared credit decided by the director."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from claims.models import Claim, Collision, Decision
from core.models import Notification, User
from crm import groups

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    cheap_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), cheap_hashing, transaction.atomic():
        call_command("seed_demo", "--if-empty", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_the_demo_has_two_groups_a_collision_to_decide_and_a_shared_credit(demo, client):
    claims = list(Claim.objects.select_related("organisation", "team").order_by("first_contact_on"))
    assert len(claims) == 2
    for claim in claims:
        assert len(groups.group_ids(claim.organisation_id)) == 2
    waiting = Collision.objects.get(resolved_at=None)
    assert waiting.claim.team.name == "日韩招商组" and waiting.team.name == "欧洲招商组"
    decision = Decision.objects.get()
    assert (decision.outcome, decision.holder_share, decision.other_share) == ("share", 60, 40)
    manager = User.objects.get(username="manager")
    assert Notification.objects.filter(recipient=manager, key=f"claim-collision:{waiting.pk}").exists()
    client.force_login(manager)
    page = client.get("/claims/").content.decode()
    assert f'id="collision-{waiting.pk}"' in page and "莱茵费尔斯传感器有限公司" in page
