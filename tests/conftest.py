"""Shared fixtures: the three roles in two teams, and service guards.

A test that needs a service we lack on a laptop skips with a message saying how to
enable it; with CI=true it fails instead, so nothing is skipped silently in CI.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from core.models import User
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
