"""Organisation groups, and registering a first contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim
from claims.services import claim_register, collision_for
from core.errors import DomainError, NotPermitted
from crm import groups
from crm.services import organisation_save
from tests.claims.conftest import english_login
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_subsidiary_and_its_parent_are_one_group(parent_firm, subsidiary, officer):
    branch = OrganisationFactory(name="村田（无锡）电子有限公司", parent=subsidiary, owner=officer)
    stranger = OrganisationFactory(owner=officer)
    assert groups.group_root_id(branch.pk) == parent_firm.pk
    assert groups.group_ids(subsidiary.pk) == {parent_firm.pk, subsidiary.pk, branch.pk}
    assert groups.group_ids(stranger.pk) == {stranger.pk}


def test_a_parent_below_the_organisation_is_refused(parent_firm, subsidiary, officer):
    parent_firm.parent = subsidiary
    with pytest.raises(DomainError, match="cannot be its parent"):
        organisation_save(organisation=parent_firm, by=officer)
    parent_firm.refresh_from_db()
    assert parent_firm.parent_id is None


def test_the_database_refuses_an_organisation_as_its_own_parent(parent_firm):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(parent_firm).objects.filter(pk=parent_firm.pk).update(parent=parent_firm.pk)


def test_the_edit_form_takes_the_parent_by_name(client, officer, parent_firm):
    firm = OrganisationFactory(name="村田电子（无锡）有限公司", owner=officer)
    english_login(client, officer)
    form = client.get(f"/crm/organisations/{firm.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(parent_name="株式会社村田製作所", version=firm.version, is_in_zone="")
    response = client.post(f"/crm/organisations/{firm.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    firm.refresh_from_db()
    assert firm.parent == parent_firm
    page = client.get(f"/crm/organisations/{firm.pk}/").content.decode()
    assert "株式会社村田製作所" in page and "No team has registered this group." in page


def test_a_group_held_by_a_team_cannot_be_registered_again(claim, subsidiary, other_officer):
    with pytest.raises(DomainError, match="registered first by 日韩招商组"):
        claim_register(
            organisation=subsidiary, team=other_officer.team, first_contact_on=timezone.localdate(), by=other_officer
        )
    assert Claim.objects.count() == 1


def test_an_officer_registers_for_their_own_team_only(subsidiary, officer, other_team):
    with pytest.raises(NotPermitted):
        claim_register(organisation=subsidiary, team=other_team, first_contact_on=timezone.localdate(), by=officer)


def test_a_lapsed_registration_ends_and_another_team_may_register(claim, subsidiary, other_officer):
    later = timezone.localdate() + dt.timedelta(days=200)  # 30 + 200 days after the first contact: past 180
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: later)
        assert collision_for(subsidiary, other_officer.team) is None
        new = claim_register(organisation=subsidiary, team=other_officer.team, first_contact_on=later, by=other_officer)
    claim.refresh_from_db()
    assert claim.ended_on == claim.expires_on and new.team == other_officer.team


def test_a_first_contact_too_long_ago_is_refused(subsidiary, officer):
    with pytest.raises(DomainError, match="more than 180 days ago"):
        claim_register(
            organisation=subsidiary,
            team=officer.team,
            first_contact_on=timezone.localdate() - dt.timedelta(days=181),
            by=officer,
        )


def test_register_from_the_organisation_page(client, officer, subsidiary, parent_firm):
    english_login(client, officer)
    page = client.get(f"/crm/organisations/{subsidiary.pk}/").content.decode()
    assert f"/claims/register/{subsidiary.pk}/" in page
    response = client.post(
        f"/claims/register/{subsidiary.pk}/",
        {"team": officer.team_id, "first_contact_on": timezone.localdate().isoformat(), "note": "东京拜访"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.organisation, claim.team, claim.expires_on) == (
        subsidiary,
        officer.team,
        timezone.localdate() + dt.timedelta(days=180),
    )
    # The parent's page shows the holder too: the registration covers the group.
    page = client.get(f"/crm/organisations/{parent_firm.pk}/").content.decode()
    assert "Registered by 日韩招商组 since" in page


def test_a_registration_in_the_future_is_refused_on_the_form(client, officer, subsidiary):
    english_login(client, officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        f"/claims/register/{subsidiary.pk}/", {"team": officer.team_id, "first_contact_on": tomorrow}
    )
    assert response.status_code == 200
    assert "once it has happened" in response.content.decode()
    assert not Claim.objects.exists()


def test_many_rows_read_the_groups_at_once_and_agree_with_one_row(
    claim, parent_firm, subsidiary, officer, other_officer, django_assert_max_num_queries
):
    from claims.services import peek, snapshot

    branch = OrganisationFactory(name="村田（无锡）电子有限公司", parent=subsidiary, owner=officer)
    strangers = [OrganisationFactory(owner=officer) for _ in range(5)]
    assert groups.roots_of({branch.pk, subsidiary.pk, strangers[0].pk}) == {
        branch.pk: parent_firm.pk,
        subsidiary.pk: parent_firm.pk,
        strangers[0].pk: strangers[0].pk,
    }
    with django_assert_max_num_queries(8):
        peek_many = snapshot()
        answers = {
            organisation.pk: peek_many(organisation.pk, other_officer.team_id)
            for organisation in [parent_firm, subsidiary, branch, *strangers]
        }
    for organisation_id, answer in answers.items():
        assert answer == peek(organisation_id, other_officer.team_id)
    assert answers[branch.pk].holder_team == "日韩招商组" and answers[strangers[0].pk] is None
    assert peek_many(branch.pk, officer.team_id) is None  # the holder itself is not warned


def test_merging_moves_the_subsidiaries_and_refuses_while_a_registration_holds_the_absorbed(
    claim, parent_firm, subsidiary, officer, admin_user
):
    from transfer.merging import organisation_merge

    duplicate = OrganisationFactory(name="村田製作所", owner=officer)
    branch = OrganisationFactory(name="村田（无锡）电子有限公司", parent=duplicate, owner=officer)
    organisation_merge(survivor=parent_firm, absorbed=duplicate, by=admin_user)
    branch.refresh_from_db()
    assert branch.parent == parent_firm
    # The registered parent cannot be absorbed into its subsidiary without a decision.
    with pytest.raises(DomainError, match="first-contact registrations"):
        organisation_merge(survivor=subsidiary, absorbed=parent_firm, by=admin_user)
    assert type(parent_firm).objects.filter(pk=parent_firm.pk).exists()


def test_the_api_sets_the_parent_and_refuses_a_cycle(parent_firm, subsidiary, officer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(officer)
    answer = api.get(f"/api/v1/organisations/{subsidiary.pk}/").json()
    assert answer["parent"] == parent_firm.pk
    response = api.patch(
        f"/api/v1/organisations/{parent_firm.pk}/",
        {"parent": subsidiary.pk},
        format="json",
        HTTP_IF_MATCH=f'"{parent_firm.version}"',
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and response.json()["code"] == "group_cycle"
    parent_firm.refresh_from_db()
    assert parent_firm.parent_id is None
