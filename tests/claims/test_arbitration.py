"""A manager of both teams, or an admin, decides a collision: keep, transfer or share
with a credit split; the decision and its reason stay in the history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from claims.models import Claim, Collision, Decision
from claims.services import collision_for
from core.errors import DomainError
from crm.models import Visit
from crm.services import visit_save
from tests.claims.conftest import english_login
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collision(claim, subsidiary, other_officer):
    visit_save(visit=Visit(organisation=subsidiary, date=timezone.localdate(), summary="欧洲组拜访"), by=other_officer)
    return Collision.objects.get()


def decide(client, collision, **data):
    return client.post(f"/claims/collisions/{collision.pk}/decide/", data, follow=True)


def test_a_shared_credit_is_recorded_and_the_other_team_then_works_freely(
    client, collision, both_teams_manager, subsidiary, other_officer
):
    english_login(client, both_teams_manager)
    page = client.get("/claims/").content.decode()
    assert f'id="collision-{collision.pk}"' in page and "Decide" in page
    response = decide(client, collision, outcome="share", holder_share=60, other_share=40, reason="双方共同对接")
    assert response.status_code == 200
    decision = Decision.objects.get()
    assert (decision.outcome, decision.holder_share, decision.other_share, decision.reason) == (
        "share",
        60,
        40,
        "双方共同对接",
    )
    assert (decision.holder_team, decision.other_team, decision.decided_by) == (
        collision.claim.team,
        other_officer.team,
        both_teams_manager,
    )
    collision.refresh_from_db()
    assert collision.resolved_at is not None
    assert list(collision.claim.shared_with.all()) == [other_officer.team]
    # Team B now works on the group as a partner: no notice, no new collision.
    assert collision_for(subsidiary, other_officer.team) is None
    page = client.get("/claims/").content.decode()
    assert "双方共同对接" in page and "60%" in page and "40%" in page


def test_a_transfer_moves_the_group_to_the_other_team(client, collision, both_teams_manager, subsidiary, officer):
    english_login(client, both_teams_manager)
    decide(client, collision, outcome="transfer", reason="欧洲组掌握决策人")
    claim = Claim.objects.get()
    assert claim.team == collision.team
    # Now team A is the one told.
    assert collision_for(subsidiary, officer.team).holder_team == str(collision.team)


def test_keep_leaves_the_holder_and_the_reason_is_kept(client, collision, both_teams_manager):
    english_login(client, both_teams_manager)
    decide(client, collision, outcome="keep", reason="日韩组先接触")
    assert Claim.objects.get().team == collision.claim.team
    assert Decision.objects.get().outcome == "keep"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "share", "holder_share": 60, "other_share": 30, "reason": "x"}, "add up to 90%"),
        ({"outcome": "keep", "reason": ""}, "This field is required"),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_changes(client, collision, both_teams_manager, data, message):
    english_login(client, both_teams_manager)
    response = decide(client, collision, **data)
    assert message in response.content.decode()
    assert not Decision.objects.exists()
    collision.refresh_from_db()
    assert collision.resolved_at is None


def test_a_manager_of_one_team_only_may_not_decide(client, collision, manager, other_officer):
    english_login(client, manager)
    page = client.get("/claims/").content.decode()
    assert "A manager of both teams or an admin decides." in page
    response = client.post(f"/claims/collisions/{collision.pk}/decide/", {"outcome": "keep", "reason": "我们先到"})
    assert response.status_code == 403
    english_login(client, other_officer)
    assert (
        client.post(f"/claims/collisions/{collision.pk}/decide/", {"outcome": "keep", "reason": "x"}).status_code == 403
    )
    assert not Decision.objects.exists()


def test_an_admin_decides(client, collision, admin_user):
    english_login(client, admin_user)
    decide(client, collision, outcome="keep", reason="先报先得")
    assert Decision.objects.get().decided_by == admin_user


def test_a_decided_collision_cannot_be_decided_twice(collision, admin_user):
    from claims.services import collision_decide

    collision_decide(collision=collision, outcome="keep", reason="先报先得", by=admin_user)
    with pytest.raises(DomainError, match="decided already"):
        collision_decide(collision=collision, outcome="transfer", reason="改判", by=admin_user)


def test_officers_see_registrations_but_not_collisions(client, collision, other_officer):
    english_login(client, other_officer)
    page = client.get("/claims/").content.decode()
    assert "株式会社村田製作所" in page and f'id="collision-{collision.pk}"' not in page


def test_the_list_reads_a_fixed_number_of_queries(
    client, collision, both_teams_manager, officer, django_assert_max_num_queries
):
    from claims.services import claim_register

    english_login(client, both_teams_manager)
    client.get("/claims/")  # warm the session and the caches
    with django_assert_max_num_queries(14) as few:
        client.get("/claims/")
    for _n in range(5):
        claim_register(
            organisation=OrganisationFactory(owner=officer),
            team=officer.team,
            first_contact_on=timezone.localdate(),
            by=officer,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/claims/")


def test_the_pages_read_in_chinese(client, collision, both_teams_manager, subsidiary):
    from django.utils import translation

    both_teams_manager.language = "zh-hans"
    both_teams_manager.save(update_fields=["language"])
    client.force_login(both_teams_manager)
    with translation.override("zh-hans"):
        listing = client.get("/claims/").content.decode()
        assert (
            "待裁定的撞单" in listing
            and "共享并分成" in listing
            and "欧洲招商组对接村田（中国）投资有限公司" in listing
        )
        page = client.get(f"/crm/organisations/{subsidiary.pk}/").content.decode()
        assert "集团与首谈报备" in page and "日韩招商组自" in page
        form = client.get(f"/claims/register/{subsidiary.pk}/").content.decode()
        assert "首谈报备" in form and "保护期" in form
