from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from problems.models import Department, Problem
from projects.models import ReminderRule
from tests.factories import OrganisationFactory, project_in_stage

_rules = import_module("projects.migrations.0018_problem_reminder_rules")


@pytest.fixture
def problem_rules(db):
    """The default problem ladder (migration 0018), also after a transaction=True test."""
    if not ReminderRule.objects.filter(kind=ReminderRule.Kind.PROBLEM_OVERDUE).exists():
        _rules.create_problem_rules(apps, None)
    return ReminderRule.objects.filter(kind=ReminderRule.Kind.PROBLEM_OVERDUE)


@pytest.fixture
def department(db):
    return Department.objects.create(name="自然资源和规划局", name_en="Natural Resources and Planning Bureau")


@pytest.fixture
def power(db):
    return Department.objects.create(name="供电公司", name_en="Power Supply Company")


@pytest.fixture
def producing(officer):
    """A project of the officer's team, in production: what aftercare visits are about."""
    return project_in_stage("producing", owner=officer, investor=OrganisationFactory(name="村田新能源（无锡）有限公司"))


@pytest.fixture
def secret(officer):
    return project_in_stage("signed", owner=officer, name="绝密扩产项目", is_confidential=True)


def make_problem(project, department, *, raised_by=None, days_ago=10, due_in=20, **values) -> Problem:
    """A problem saved directly (tests of the service use the service)."""
    today = timezone.localdate()
    raised_on = today - dt.timedelta(days=days_ago)
    values.setdefault("title", "用地指标不足，二期厂房无法开工")
    values.setdefault("kind", Problem.Kind.LAND)
    return Problem.objects.create(
        project=project,
        department=department,
        raised_by=raised_by or project.owner,
        raised_on=raised_on,
        due_on=today + dt.timedelta(days=due_in),
        **values,
    )
