"""The rules of funds in place, as every entry point meets them (funds.services), and
the ones the database holds on its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError, NotPermitted
from funds import services
from funds.models import FundsEntry
from tests.factories import project_in_stage
from tests.funds.conftest import JUNE, MAY, entry


def test_an_officer_records_a_month_of_funds_of_a_team_project(signed, officer):
    saved = services.funds_entry_create(project=signed, month=MAY, amount=Decimal("1200"), by=officer)
    assert (saved.month, saved.amount, saved.kind, saved.entered_by) == (
        MAY,
        Decimal("1200"),
        "paid_in_capital",
        officer,
    )
    assert saved.history.first().history_user == officer


def test_a_month_that_has_not_begun_is_refused(signed, officer):
    with pytest.raises(DomainError, match="not begun"):
        services.funds_entry_create(project=signed, month=dt.date(2024, 7, 1), amount=Decimal(1), by=officer)
    assert not FundsEntry.objects.exists()


def test_the_current_month_is_accepted(signed, officer):
    services.funds_entry_create(project=signed, month=JUNE, amount=Decimal(1), by=officer)
    assert FundsEntry.objects.get().month == JUNE


def test_a_negative_amount_is_refused(signed, officer):
    with pytest.raises(DomainError, match="negative"):
        services.funds_entry_create(project=signed, month=MAY, amount=Decimal("-5"), by=officer)


def test_funds_wait_for_the_signing(officer, frozen_today):
    lead = project_in_stage("negotiating", owner=officer)
    with pytest.raises(DomainError, match="once the project is signed"):
        services.funds_entry_create(project=lead, month=MAY, amount=Decimal(1), by=officer)


def test_dollars_belong_to_foreign_capital_projects(signed, foreign, officer):
    with pytest.raises(DomainError, match="foreign"):
        services.funds_entry_create(project=signed, month=MAY, amount=Decimal(710), usd_amount=Decimal(100), by=officer)
    saved = services.funds_entry_create(
        project=foreign, month=MAY, amount=Decimal(710), usd_amount=Decimal(100), by=officer
    )
    assert saved.usd_amount == Decimal(100)


def test_another_team_may_not_record_funds(signed, other_officer):
    with pytest.raises(NotPermitted):
        services.funds_entry_create(project=signed, month=MAY, amount=Decimal(1), by=other_officer)


def test_a_second_entry_of_the_same_month_and_kind_is_refused(signed, officer):
    services.funds_entry_create(project=signed, month=MAY, amount=Decimal(100), by=officer)
    with pytest.raises(DomainError, match="already has"):
        services.funds_entry_create(project=signed, month=MAY, amount=Decimal(200), by=officer)
    # Another kind of the same month is its own entry.
    services.funds_entry_create(project=signed, month=MAY, amount=Decimal(300), kind="loan", by=officer)
    assert FundsEntry.objects.count() == 2


def test_recording_a_month_again_corrects_it_and_history_keeps_the_first_figure(signed, officer, colleague):
    first, created = services.funds_entry_record(project=signed, month=MAY, amount=Decimal(100), by=officer)
    again, created_again = services.funds_entry_record(project=signed, month=MAY, amount=Decimal(150), by=colleague)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert again.amount == Decimal(150) and again.entered_by == colleague
    assert [h.amount for h in again.history.order_by("history_date")] == [Decimal(100), Decimal(150)]


def test_an_update_to_a_taken_month_is_refused(signed, officer):
    entry(signed, MAY, 100)
    june = entry(signed, JUNE, 50)
    with pytest.raises(DomainError, match="already has"):
        services.funds_entry_update(entry=june, month=MAY, by=officer)
    june.refresh_from_db()
    assert june.month == JUNE


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"amount": Decimal(-1)}, "funds_amount_not_negative"),
        ({"usd_amount": Decimal(-1)}, "funds_usd_not_negative"),
        ({"month": dt.date(2024, 5, 15)}, "funds_month_first_day"),
    ],
)
def test_the_database_refuses_what_the_services_refuse(signed, fields, constraint):
    values = {"project": signed, "month": MAY, "amount": Decimal(1), **fields}
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        FundsEntry.objects.create(**values)


def test_the_database_refuses_a_second_entry_of_a_month_and_kind(signed):
    entry(signed, MAY, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(signed, MAY, 2)


def test_removing_an_entry_is_for_the_team(signed, officer, other_officer):
    saved = entry(signed, MAY, 1)
    with pytest.raises(NotPermitted):
        services.funds_entry_delete(entry=saved, by=other_officer)
    services.funds_entry_delete(entry=saved, by=officer)
    assert not FundsEntry.objects.exists()
