"""The migration that adds loss reasons gives the projects dropped before it "other"
(their note kept), so the new CHECK holds on a real office's data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.usefixtures("back_to_the_latest_schema")

BEFORE = [("projects", "0017_reminder_items")]
AFTER = [("projects", "0018_credit_split_and_loss_reason")]
D = dt.date


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_projects_dropped_before_the_list_are_lost_for_other_reasons(officer):
    investor = OrganisationFactory(owner=officer)
    apps = migrate(BEFORE)
    Project = apps.get_model("projects", "Project")
    common = {"investor_id": investor.pk, "owner_id": officer.pk, "team_id": officer.team_id}
    dropped = Project.objects.create(
        name="已终止",
        total_investment=Decimal("9000"),
        stage="dropped",
        held_stage="negotiating",
        exit_reason="投资方最终选择落户其他地区",
        lead_on=D(2024, 1, 1),
        negotiating_on=D(2024, 2, 1),
        dropped_on=D(2024, 3, 1),
        **common,
    )
    open_project = Project.objects.create(name="在谈", total_investment=Decimal("100"), stage="lead", **common)

    apps = migrate(AFTER)
    Project = apps.get_model("projects", "Project")
    dropped = Project.objects.get(pk=dropped.pk)
    assert (dropped.loss_reason, dropped.lost_to, dropped.exit_reason) == ("other", "", "投资方最终选择落户其他地区")
    assert Project.objects.get(pk=open_project.pk).loss_reason == ""
