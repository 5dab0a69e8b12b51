"""The migration that adds the pipeline's CHECK constraints first repairs the rows that
break them, so it cannot fail on a real office's data, and says what it repaired."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.usefixtures("back_to_the_latest_schema")

BEFORE = [("projects", "0010_project_last_activity")]
AFTER = [("projects", "0012_project_rule_constraints")]

D = dt.date


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_breaking_a_rule_are_repaired_before_the_constraints_are_added(officer):
    investor = OrganisationFactory(owner=officer)
    apps = migrate(BEFORE)
    Project = apps.get_model("projects", "Project")
    StageChange = apps.get_model("projects", "StageChange")
    common = {"investor_id": investor.pk, "owner_id": officer.pk, "team_id": officer.team_id}
    signed = Project.objects.create(
        name="签约无金额", total_investment=Decimal("9000"), stage="signed", signed_on=D(2024, 3, 1), **common
    )
    held = Project.objects.create(
        name="搁置无原因",
        total_investment=Decimal("100"),
        stage="on_hold",
        lead_on=D(2024, 1, 1),
        negotiating_on=D(2024, 2, 1),
        on_hold_on=D(2024, 3, 1),
        fixed_asset_investment=Decimal("-5"),
        **common,
    )
    StageChange.objects.create(
        project_id=held.pk,
        from_stage="negotiating",
        to_stage="on_hold",
        reached_on=D(2024, 3, 1),
        changed_by_id=officer.pk,
        note="对方资金紧张",
    )
    leftover = Project.objects.create(
        name="残留",
        total_investment=Decimal("100"),
        stage="negotiating",
        held_stage="lead",
        lead_on=D(2024, 5, 1),
        negotiating_on=D(2024, 4, 1),
        **common,
    )
    sound = Project.objects.create(name="正常", total_investment=Decimal("100"), stage="lead", **common)

    apps = migrate(AFTER)
    Project = apps.get_model("projects", "Project")
    History = apps.get_model("projects", "HistoricalProject")

    signed = Project.objects.get(pk=signed.pk)
    assert (signed.signed_amount, signed.version) == (Decimal("9000"), 2)
    held = Project.objects.get(pk=held.pk)
    assert (held.exit_reason, held.held_stage, held.fixed_asset_investment) == ("对方资金紧张", "negotiating", None)
    leftover = Project.objects.get(pk=leftover.pk)
    # Out of order: the earlier stage's date becomes unknown, the later one stands.
    assert (leftover.held_stage, leftover.lead_on, leftover.negotiating_on) == ("", None, D(2024, 4, 1))
    assert Project.objects.get(pk=sound.pk).version == 1
    reasons = set(History.objects.filter(id=signed.pk).values_list("history_change_reason", flat=True))
    assert reasons == {"repaired: signed_amount"}
    assert History.objects.filter(id=sound.pk).count() == 0
