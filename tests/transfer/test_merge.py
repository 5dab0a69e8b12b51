"""Two records of one company made one by an admin, and the merge undone."""

from __future__ import annotations

import pytest

from core.errors import NotPermitted
from crm.models import Contact, Organisation, Qualification, Visit
from projects.models import Project
from tests.factories import ContactFactory, OrganisationFactory, ProjectFactory, VisitFactory, credit_code
from tests.transfer.conftest import login
from transfer.merging import merge_undo, organisation_merge
from transfer.models import Merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(officer):
    survivor = OrganisationFactory(name="村田（中国）投资有限公司", credit_code="", city="", owner=officer)
    absorbed = OrganisationFactory(name="村田投资有限公司", credit_code=credit_code(9), city="无锡", owner=officer)
    ContactFactory(organisation=absorbed, name="田中", owner=officer)
    VisitFactory(organisation=absorbed, owner=officer)
    ProjectFactory(investor=absorbed, owner=officer, name="村田新工厂")
    Qualification.objects.create(organisation=absorbed, kind="high_tech", year=2022)
    Qualification.objects.create(organisation=survivor, kind="little_giant", year=2021)
    Qualification.objects.create(organisation=absorbed, kind="little_giant", year=2020)
    return survivor, absorbed


def test_a_merge_moves_everything_to_the_survivor_and_undo_puts_it_back(twins, admin_user):
    survivor, absorbed = twins
    absorbed_id = absorbed.pk
    merge = organisation_merge(survivor=survivor, absorbed=absorbed, by=admin_user)

    assert not Organisation.objects.filter(pk=absorbed_id).exists()
    assert Contact.objects.get().organisation == survivor
    assert Visit.objects.get().organisation == survivor
    assert Project.objects.get().investor == survivor
    survivor.refresh_from_db()
    assert (survivor.credit_code, survivor.city) == (credit_code(9), "无锡")  # empty fields filled
    assert sorted(survivor.qualifications.values_list("kind", flat=True)) == ["high_tech", "little_giant"]
    assert merge.moved_count == 4
    assert Visit.objects.get().history.first().history_change_reason.startswith("merged into")

    restored = merge_undo(merge=merge, by=admin_user)
    assert restored.pk == absorbed_id
    assert (restored.name, restored.credit_code, restored.city) == ("村田投资有限公司", credit_code(9), "无锡")
    assert Contact.objects.get().organisation_id == absorbed_id
    assert Visit.objects.get().organisation_id == absorbed_id
    assert Project.objects.get().investor_id == absorbed_id
    assert sorted(restored.qualifications.values_list("kind", "year")) == [("high_tech", 2022), ("little_giant", 2020)]
    survivor.refresh_from_db()
    assert (survivor.credit_code, survivor.city) == ("", "")
    assert list(survivor.qualifications.values_list("kind", flat=True)) == ["little_giant"]
    merge.refresh_from_db()
    assert merge.undone_by == admin_user


def test_records_added_to_the_survivor_after_the_merge_stay_on_undo(twins, admin_user, officer):
    survivor, absorbed = twins
    merge = organisation_merge(survivor=survivor, absorbed=absorbed, by=admin_user)
    later = VisitFactory(organisation=survivor, owner=officer)
    merge_undo(merge=merge, by=admin_user)
    later.refresh_from_db()
    assert later.organisation == survivor


def test_only_an_admin_merges(twins, manager):
    survivor, absorbed = twins
    with pytest.raises(NotPermitted):
        organisation_merge(survivor=survivor, absorbed=absorbed, by=manager)
    assert Organisation.objects.count() == 2


def test_the_merge_is_reached_from_the_organisations_admin_page_and_undone_from_the_list(client, twins, admin_user):
    survivor, absorbed = twins
    login(client, admin_user)
    page = client.get(f"/admin/crm/organisation/{absorbed.pk}/change/").content.decode()
    start = f"/transfer/merge/{absorbed.pk}/"
    assert start in page
    form = client.get(start).content.decode()
    assert "1 contacts, 1 visits and 1 projects" in form
    assert f'value="{survivor.pk}"' in form  # offered as a similar organisation
    response = client.post(start, {"survivor": survivor.pk})
    assert response.status_code == 302
    merge = Merge.objects.get()
    assert Visit.objects.get().organisation == survivor

    listing = client.get("/transfer/merges/").content.decode()
    assert "村田投资有限公司" in listing and f"/transfer/merges/{merge.pk}/undo/" in listing
    assert client.post(f"/transfer/merges/{merge.pk}/undo/").status_code == 302
    assert Visit.objects.get().organisation_id == merge.absorbed_id
    assert "Undone by" in client.get("/transfer/merges/").content.decode()


def test_an_officer_cannot_open_the_merge_pages(client, twins, officer):
    _survivor, absorbed = twins
    login(client, officer)
    assert client.get(f"/transfer/merge/{absorbed.pk}/").status_code == 403
    assert client.get("/transfer/merges/").status_code == 403
    assert (
        f"/transfer/merge/{absorbed.pk}/"
        not in client.get(f"/admin/crm/organisation/{absorbed.pk}/change/").content.decode()
    )
