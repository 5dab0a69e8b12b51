"""The demo zone has funds in place for its signed projects, so the project pages, the
monthly report and the funds targets show real content on `make run`."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from core.models import User
from funds.models import FundsEntry
from funds.report import Month, monthly_report
from projects.models import Project, Target

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    cheap_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), cheap_hashing, transaction.atomic():
        call_command("seed_demo", "--if-empty", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_every_project_signed_on_a_known_date_has_funds_within_its_total(demo):
    signed = Project.objects.filter(signed_on__isnull=False, stage__in=["signed", "started", "completed", "producing"])
    with_funds = signed.filter(funds_entries__isnull=False).distinct()
    assert signed.count() > 50 and with_funds.count() == signed.count()
    for project in signed.annotate(total=Sum("funds_entries__amount")):
        assert Decimal(0) < project.total <= project.total_investment, project.name
    # Foreign-capital projects carry dollars; domestic ones none.
    assert FundsEntry.objects.filter(usd_amount__isnull=False, project__capital_origin="domestic").count() == 0
    assert FundsEntry.objects.filter(usd_amount__gt=0).exists()


def test_the_monthly_report_and_the_funds_targets_have_figures(demo):
    manager = User.objects.get(username="manager")
    today = timezone.localdate()
    report = monthly_report(user=manager, month=Month(today.year, today.month))
    funds_total = report.table("monthly_funds").rows[-1]
    assert funds_total["ytd"] > 0 and funds_total["ytd_ly"] > 0
    assert report.table("monthly_foreign_capital").rows[0]["ytd"] > 0
    metrics = {row["metric"] for row in report.table("monthly_targets").rows}
    assert metrics == {Target.Metric.FUNDS_IN_PLACE, Target.Metric.FOREIGN_CAPITAL_USED}
