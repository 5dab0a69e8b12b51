"""Agreements for tests: a producing project of the officer's team and what its
investor promised."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from agreements.models import Agreement
from agreements.services import agreement_save
from tests.factories import project_in_stage


def signed_project(owner, stage: str = "producing", **kwargs):
    return project_in_stage(stage, owner=owner, team=owner.team, **kwargs)


def make_agreement(project, by, **overrides) -> Agreement:
    values = {
        "signed_on": project.signed_on,
        "land_mu": Decimal("80"),
        "fixed_asset_investment": Decimal("48000"),
        "annual_output": Decimal("120000"),
        "annual_tax": Decimal("6000"),
        "due_year": project.signed_on.year,
        "jobs": 300,
        **overrides,
    }
    return agreement_save(agreement=Agreement(project=project, **values), by=by)


def day(year: int, month: int, day_: int) -> dt.date:
    return dt.date(year, month, day_)
