"""A group (村田製作所 and its Chinese subsidiary) registered by team A (日韩招商组,
`team`); team B (欧洲招商组, `other_team`) then works on the subsidiary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from claims.services import claim_register
from core.models import User
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def parent_firm(officer):
    return OrganisationFactory(name="株式会社村田製作所", name_en="Murata Manufacturing", owner=officer)


@pytest.fixture
def subsidiary(officer, parent_firm):
    return OrganisationFactory(name="村田（中国）投资有限公司", parent=parent_firm, owner=officer)


@pytest.fixture
def claim(officer, parent_firm, subsidiary):
    """Team A met the parent first, 30 days ago."""
    return claim_register(
        organisation=parent_firm,
        team=officer.team,
        first_contact_on=timezone.localdate() - dt.timedelta(days=30),
        by=officer,
    )


@pytest.fixture
def both_teams_manager(team, other_team):
    user = UserFactory(username="director", role=User.Role.MANAGER, team=team)
    user.managed_teams.add(other_team)
    return user


def english_login(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client
