"""Size tiers (亿元以上项目): a boundary amount belongs to the upper tier, and Python
and the database draw the line in the same place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.models import Project
from projects.tiers import Tier, tier_expression, tier_for
from tests.factories import ProjectFactory

# Total investment in 万元 (10,000 yuan): 1亿 = 10,000万, 10亿 = 100,000万, 100亿 = 1,000,000万.
BOUNDARIES = [
    (None, Tier.BELOW_100M),
    (Decimal("0"), Tier.BELOW_100M),
    (Decimal("0.01"), Tier.BELOW_100M),
    (Decimal("9999.99"), Tier.BELOW_100M),
    (Decimal("10000"), Tier.ABOVE_100M),
    (Decimal("10000.01"), Tier.ABOVE_100M),
    (Decimal("99999.99"), Tier.ABOVE_100M),
    (Decimal("100000"), Tier.ABOVE_1B),
    (Decimal("999999.99"), Tier.ABOVE_1B),
    (Decimal("1000000"), Tier.ABOVE_10B),
    (Decimal("500000"), Tier.ABOVE_1B),  # the Murata factory, 50亿
    (Decimal("999999999999.99"), Tier.ABOVE_10B),  # the largest amount the column holds
]


@pytest.mark.parametrize("amount, tier", BOUNDARIES, ids=[str(a) for a, _ in BOUNDARIES])
def test_tier_for_puts_the_boundary_in_the_upper_tier(amount, tier):
    assert tier_for(amount) == tier


@pytest.mark.django_db
def test_the_database_expression_agrees_with_tier_for_on_every_boundary(fast_password_hashing):
    amounts = [amount for amount, _ in BOUNDARIES if amount is not None]
    for amount in amounts:
        ProjectFactory(total_investment=amount, name=f"项目{amount}")

    annotated = Project.objects.annotate(size=tier_expression()).values_list("total_investment", "size")
    found = {amount: size for amount, size in annotated}

    assert found == {amount: tier_for(amount).value for amount in amounts}
    assert found[Decimal("9999.99")] == Tier.BELOW_100M
    assert found[Decimal("10000")] == Tier.ABOVE_100M
    assert found[Decimal("99999.99")] == Tier.ABOVE_100M
    assert found[Decimal("100000")] == Tier.ABOVE_1B
    assert found[Decimal("999999.99")] == Tier.ABOVE_1B
    assert found[Decimal("1000000")] == Tier.ABOVE_10B


@pytest.mark.django_db
def test_filtering_by_tier_in_the_database_counts_the_projects_above_100m_yuan(fast_password_hashing):
    for amount in ["9999.99", "10000", "250000", "1000000"]:
        ProjectFactory(total_investment=Decimal(amount))
    above_100m = (
        Project.objects.annotate(size=tier_expression()).exclude(size=Tier.BELOW_100M).values_list("total_investment")
    )
    assert sorted(amount for (amount,) in above_100m) == [Decimal("10000"), Decimal("250000"), Decimal("1000000")]


@pytest.mark.django_db
def test_the_project_tier_property_uses_the_same_rule(fast_password_hashing):
    assert ProjectFactory(total_investment=Decimal("9999.99")).tier == Tier.BELOW_100M
    assert ProjectFactory(total_investment=Decimal("10000")).tier == Tier.ABOVE_100M
    assert ProjectFactory(total_investment=Decimal("10000")).total_investment_yi == Decimal("1")


# --- Keys that read as words (issue 23) ----------------------------------------------


def test_every_tier_key_reads_as_a_word_in_every_parser():
    """A YAML 1.2 reader took "1e8" for a number; no key may look like one (or a boolean)."""
    from core.schema_contract import yaml_ambiguous

    assert [key for key in Tier.values if yaml_ambiguous(key)] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_the_migration_moves_stored_targets_to_the_new_keys(fast_password_hashing):
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("projects", "0013_english_only_labels")], [("projects", "0014_tier_keys_read_as_words")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldTarget = old_apps.get_model("projects", "Target")
    window = {"starts_on": dt.date(2026, 1, 1), "deadline": dt.date(2026, 12, 31), "value": 5}
    for key in ["1e10", "1e9", "1e8", "below_1e8", ""]:
        OldTarget.objects.create(name=f"目标{key}", metric="signed_projects", min_tier=key, **window)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    stored = dict(new_apps.get_model("projects", "Target").objects.values_list("name", "min_tier"))
    assert stored == {
        "目标1e10": "above_10b",
        "目标1e9": "above_1b",
        "目标1e8": "above_100m",
        "目标below_1e8": "below_100m",
        "目标": "",
    }

    # And back: the reverse migration restores the old keys.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("projects", "Target")
    assert sorted(back.objects.values_list("min_tier", flat=True)) == ["", "1e10", "1e8", "1e9", "below_1e8"]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_admin_tier_filter_takes_new_and_old_keys(client, admin_user):
    from django.urls import reverse

    small = ProjectFactory(total_investment=Decimal("5000"), name="小项目")
    big = ProjectFactory(total_investment=Decimal("200000"), name="大项目")
    client.force_login(admin_user)
    url = reverse("admin:projects_project_changelist")

    def listed(key: str) -> set:
        response = client.get(url, {"tier": key})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed("above_1b") == {big}
    assert listed("1e9") == {big}  # a link from before the keys changed
    assert listed("below_100m") == listed("below_1e8") == {small}
