from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, ProjectFactory


@pytest.fixture
def secret_project(other_officer):
    """A confidential project of the other team, with a telling name and investor."""
    today = timezone.localdate()
    return ProjectFactory(
        name="绝密扩产项目",
        investor=OrganisationFactory(name="隐秘集团有限公司", owner=other_officer),
        owner=other_officer,
        is_confidential=True,
        total_investment=Decimal("200000"),
        signed_planned=today - dt.timedelta(days=40),
        started_planned=today + dt.timedelta(days=10),
    )
