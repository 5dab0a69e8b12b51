"""Each organisation keeps the common form of its names beside them, for the imports."""

from __future__ import annotations

import pytest

from crm.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_name_keys_follow_the_names():
    organisation = OrganisationFactory(name="村田（中国）投资有限公司", name_en="Murata Co., Ltd.")
    assert (organisation.name_key, organisation.name_en_key) == ("村田投资", "murata")
    organisation.name, organisation.name_en = "村田电子股份有限公司", ""
    organisation.save()
    organisation.refresh_from_db()
    assert (organisation.name_key, organisation.name_en_key) == ("村田电子", "")


def test_organisations_created_in_bulk_get_their_name_keys(officer):
    [created] = Organisation.objects.bulk_create([Organisation(name="ACME GmbH", owner=officer, team=officer.team)])
    assert Organisation.objects.get(pk=created.pk).name_key == "acme"
