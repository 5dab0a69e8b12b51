"""The demo zone has the seed article's targets, so the dashboard shows progress
against time (时序进度) and dashboard.xlsx's Targets sheet has rows; without targets the
dashboard says so."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import User
from projects.models import Target
from projects.tiers import Tier
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    cheap_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), cheap_hashing, transaction.atomic():
        call_command("seed_demo", "--if-empty", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def as_manager(client, language="zh-hans"):
    manager = User.objects.get(username="manager")
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    return manager


def test_the_demo_has_the_articles_targets(demo):
    targets = {target.metric: target for target in Target.objects.all()}
    assert targets[Target.Metric.HIGH_TECH].value == 3000
    assert targets[Target.Metric.SPECIALISED].value == 600
    assert targets[Target.Metric.LISTED_NEW].value == 5
    assert targets[Target.Metric.LISTED_TOTAL].value == 50
    assert targets[Target.Metric.SIGNED_PROJECTS].min_tier == Tier.ABOVE_100M
    today = timezone.localdate()
    assert all(target.starts_on <= today <= target.deadline for target in targets.values())


def test_the_dashboard_shows_each_target_against_time(client, demo):
    as_manager(client)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert html.count('class="card h-100 target-card') == Target.objects.count()
    assert "时序进度" in html
    assert 'id="targets-empty"' not in html


def test_the_dashboard_export_has_a_filled_targets_sheet(client, demo):
    as_manager(client)
    answer = client.get("/transfer/export/reports/dashboard.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book["招商目标"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == Target.objects.count()
    assert any("3000" in str(row[0]) for row in rows[1:])


def test_without_targets_the_dashboard_says_so(client):
    Target.objects.all().delete()  # (should the demo of this module be loaded already)
    manager = UserFactory(role=User.Role.MANAGER, team=TeamFactory())
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="targets-empty"' in html
    assert "target-card" not in html


def test_the_demos_reference_data_has_english_names(demo):
    from core.models import Team
    from crm.models import Industry, Park

    for model in (Industry, Park, Team):
        assert model.objects.exists()
        assert not model.objects.filter(name_en="").exists(), model.__name__
