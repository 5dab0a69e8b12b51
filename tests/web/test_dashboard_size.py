"""The dashboard's weight does not grow with the number of projects: what it writes out
is bounded by the reference data (stages, months, tiers, clusters, targets), never by
the projects; splits with a row per officer or team load when opened. At scale 1 a
province has a million projects, and the page stays under 200 KB. Bytes, never time."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Industry
from projects.models import Stage
from tests.factories import IndustryFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _signed_projects(n: int, owners, cluster, start: int = 0) -> None:
    today = timezone.localdate()
    for i in range(start, start + n):
        ProjectFactory(
            name=f"芯片封测项目{i:04d}",
            owner=owners[i % len(owners)],
            team=owners[i % len(owners)].team,
            industry=cluster,
            stage=Stage.SIGNED,
            total_investment=Decimal(10_000 + i),
            lead_on=today,
            negotiating_on=today,
            signed_on=today,
            signed_amount=Decimal(10_000 + i),
        )


def _signed_count(html: str) -> int:
    """How many signed projects the page's chart data counts (the projects are there)."""
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)[1])
    return next(row["count"] for row in data["funnel"]["rows"] if row["stage"] == Stage.SIGNED)


def test_the_dashboard_weighs_the_same_with_ten_projects_or_two_hundred(client, manager, officer, colleague):
    cluster = IndustryFactory(name="集成电路", level=Industry.Level.CLUSTER)
    owners = [officer, colleague, manager]
    client.force_login(manager)
    _signed_projects(10, owners, cluster)
    small = client.get("/reports/").content.decode()
    _signed_projects(190, owners, cluster, start=10)
    large = client.get("/reports/").content.decode()

    assert (_signed_count(small), _signed_count(large)) == (10, 200)
    # A row, a link or a data point per project would add at least 100 bytes each: 19 KB.
    # What may change is the digits of the totals.
    assert abs(len(large.encode()) - len(small.encode())) < 1_000, (len(small.encode()), len(large.encode()))
    assert len(large.encode()) < 200_000
    # No project's name on the page; the officers' split is not written until opened.
    assert "芯片封测项目" not in large
    assert 'id="table-officer"' not in large
