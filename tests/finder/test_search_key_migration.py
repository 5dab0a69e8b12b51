"""The migration that adds the search keys fills them for the organisations and contacts
already stored, so an office upgrading finds its old records by pinyin at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crm.models import Organisation
from crm.search import organisations_matching

# PostgreSQL only: on SQLite, unapplying the crm migrations that came beside this one
# (the parent, the aftercare kind) and then this one fails inside Django's table remake,
# so the test could not set up the old schema there.
pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("back_to_the_latest_schema")]

BEFORE = [("crm", "0010_seed_exchange_rates")]
AFTER = [("crm", "0011_search_keys_and_aliases")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_organisations_and_contacts_get_their_keys(officer):
    try:
        apps = migrate(BEFORE)
        Old = apps.get_model("crm", "Organisation")
        OldContact = apps.get_model("crm", "Contact")
        common = {"owner_id": officer.pk, "team_id": officer.team_id}
        murata = Old.objects.create(name="村田（中国）投资有限公司", name_en="Murata China", **common)
        for n in range(2100):  # more than one batch
            Old.objects.create(name=f"苏州{n}号电子有限公司", **common)
        OldContact.objects.create(name="中村浩", organisation_id=murata.pk, **common)
        migrate(AFTER)
        assert not Organisation.objects.filter(search_key="").exists()
        assert list(organisations_matching(Organisation.objects.all(), "ctzg").values_list("pk", flat=True)) == [
            murata.pk
        ]
        from crm.models import Contact

        assert "\nzhongcunhao\n" in Contact.objects.get().search_key
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
