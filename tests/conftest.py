"""Shared fixtures: the three roles in two teams, and service guards.

A test that needs a service we lack on a laptop skips with a message saying how to
enable it; with CI=true it fails instead, so nothing is skipped silently in CI.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import override_settings

from core.models import User
from projects.models import ReminderRule
from tests.factories import TeamFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, how_to_enable: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {how_to_enable}")
    pytest.skip(how_to_enable)


@pytest.fixture
def postgres(db):
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: run `DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm make test`",
    )


@pytest.fixture
def team(db):
    return TeamFactory(name="日韩招商组")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="欧洲招商组")


@pytest.fixture
def officer(team):
    return UserFactory(username="zhang", role=User.Role.OFFICER, team=team)


@pytest.fixture
def colleague(team):
    """Another officer of the same team."""
    return UserFactory(username="li", role=User.Role.OFFICER, team=team)


@pytest.fixture
def other_officer(other_team):
    return UserFactory(username="wang", role=User.Role.OFFICER, team=other_team)


@pytest.fixture
def manager(team):
    return UserFactory(username="boss", role=User.Role.MANAGER, team=team)


@pytest.fixture
def other_manager(other_team):
    return UserFactory(username="chief", role=User.Role.MANAGER, team=other_team)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=User.Role.ADMIN, team=None)


# The zone's "today" in tests that freeze the clock (a Saturday, mid-year).
FROZEN_TODAY = dt.date(2024, 6, 15)


@pytest.fixture
def frozen_today():
    """Stop the clock at 10:00 on FROZEN_TODAY in Shanghai; the fixture's value is that date."""
    moment = dt.datetime.combine(FROZEN_TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield FROZEN_TODAY


@pytest.fixture(scope="session", autouse=True)
def steady_session_writes():
    """The idle clock is written every 10 minutes instead of every minute, so a slow
    machine does not add the session's write to a request whose queries a test counts;
    tests of the clock itself set SESSION_TOUCH_SECONDS back."""
    with override_settings(SESSION_TOUCH_SECONDS=600):
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash test users' passwords cheaply (PBKDF2 costs a third of a second per user);
    session-wide, so data built by module-scoped fixtures is hashed the same way."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


_default_rules = import_module("projects.migrations.0004_default_reminder_rules")
_exchange_rates = import_module("crm.migrations.0010_seed_exchange_rates")


@pytest.fixture
def reminder_rules(db):
    """The default reminder rules, as migration 0004 creates them.

    Tests with transaction=True empty every table when they finish, data from
    migrations included, so a later test cannot count on the migration's rows.
    """
    if not ReminderRule.objects.exists():
        _default_rules.create_default_rules(apps, None)
    return ReminderRule.objects.all()


@pytest.fixture
def exchange_rates(db):
    """The published rates migration 0010 seeds (emptied, like the reminder rules, by
    any transaction=True test that ran before in the same process)."""
    from crm.models import ExchangeRate

    if not ExchangeRate.objects.exists():
        _exchange_rates.seed(apps, connection.schema_editor())
    return ExchangeRate.objects.all()


@pytest.fixture
def back_to_the_latest_schema(django_db_blocker):
    """For tests that migrate backwards: whatever test runs next in this process
    expects every migration applied (also when the test failed half-way)."""
    yield
    from django.db.migrations.executor import MigrationExecutor

    with django_db_blocker.unblock():
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
