"""Projects with funds: a signed project of team A (日韩招商组), a confidential one, a
foreign-capital one, all owned by `officer`; the clock stopped on FROZEN_TODAY."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from funds.models import FundsEntry
from projects.models import Project
from tests.factories import project_in_stage

MAY = dt.date(2024, 5, 1)
JUNE = dt.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def signed(officer, frozen_today):
    return project_in_stage("started", name="村田新工厂", owner=officer, total_investment=500000)


@pytest.fixture
def secret(officer, frozen_today):
    return project_in_stage("signed", name="绝密扩产项目", owner=officer, is_confidential=True)


@pytest.fixture
def foreign(officer, frozen_today, exchange_rates):
    return project_in_stage(
        "signed",
        name="三星电机扩产",
        owner=officer,
        capital_origin=Project.CapitalOrigin.FOREIGN,
        foreign_capital_usd=10000,
    )


def entry(project, month, amount, kind=FundsEntry.Kind.PAID_IN_CAPITAL, usd=None, by=None) -> FundsEntry:
    return FundsEntry.objects.create(
        project=project, month=month, kind=kind, amount=amount, usd_amount=usd, entered_by=by or project.owner
    )
