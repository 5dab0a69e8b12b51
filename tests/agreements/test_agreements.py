"""The investment agreement of a signed project: its promises become checks on their due
date, the officer enters the actual figures, and a check reads met or not met."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from agreements.models import Agreement, PromiseCheck
from agreements.services import agreement_save, check_record
from core.errors import DomainError, NotFound, NotPermitted
from tests.agreements.helpers import make_agreement, signed_project
from tests.factories import ParkFactory, project_in_stage

pytestmark = pytest.mark.django_db


def test_each_promise_becomes_a_check_due_at_the_end_of_the_due_year(officer, frozen_today):
    project = signed_project(officer)
    agreement = make_agreement(project, officer, due_year=2024)

    checks = {check.kind: (check.promised, check.due_on) for check in agreement.checks.all()}
    assert checks == {
        "investment": (Decimal("48000"), dt.date(2024, 12, 31)),
        "output": (Decimal("120000"), dt.date(2024, 12, 31)),
        "tax": (Decimal("6000"), dt.date(2024, 12, 31)),
        "jobs": (Decimal("300"), dt.date(2024, 12, 31)),
    }
    # 48,000万元 on 80亩: 600万元 per 亩, computed, never typed.
    assert agreement.investment_intensity == Decimal("600.00")


def test_changing_a_promise_moves_its_check_and_keeps_the_figures(officer, frozen_today):
    project = signed_project(officer)
    agreement = make_agreement(project, officer, due_year=2023)
    output = agreement.checks.get(kind="output")
    check_record(check=output, actual=Decimal("90000"), by=officer)

    agreement.annual_output = Decimal("100000")
    agreement.annual_tax = None  # the tax promise is taken off the agreement
    agreement_save(agreement=agreement, by=officer)

    assert sorted(agreement.checks.values_list("kind", flat=True)) == ["investment", "jobs", "output"]
    output.refresh_from_db()
    assert (output.promised, output.actual, output.status(frozen_today)) == (
        Decimal("100000"),
        Decimal("90000"),
        "not_met",
    )
    assert agreement.version == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"land_mu": Decimal("0")}, "land_mu"),
        ({"land_mu": Decimal("-3")}, "land_mu"),
        ({"fixed_asset_investment": Decimal("0")}, "fixed_asset_investment"),
        ({"annual_tax": Decimal("-1")}, "annual_tax"),
        ({"jobs": 0}, "jobs"),
        ({"due_year": 2019}, "due_year"),  # before the signing
        ({"due_year": 2050}, "due_year"),  # not a sensible horizon
        ({"signed_on": dt.date(2024, 7, 1)}, "signed_on"),  # in the future
    ],
)
def test_bad_promises_are_refused_and_nothing_is_kept(officer, frozen_today, overrides, field):
    project = signed_project(officer)
    with pytest.raises(DomainError) as refused:
        make_agreement(project, officer, **overrides)
    assert refused.value.field == field
    assert str(refused.value.message)
    assert not Agreement.objects.exists() and not PromiseCheck.objects.exists()


def test_a_project_not_yet_signed_has_no_agreement(officer, frozen_today):
    project = project_in_stage("negotiating", owner=officer, team=officer.team)
    with translation.override("en"), pytest.raises(DomainError, match="signed project"):
        agreement_save(
            agreement=Agreement(
                project=project,
                signed_on=frozen_today,
                land_mu=Decimal(10),
                fixed_asset_investment=Decimal(1000),
                due_year=2026,
            ),
            by=officer,
        )


def test_an_inactive_park_is_refused(officer, frozen_today):
    park = ParkFactory(is_active=False)
    with pytest.raises(DomainError) as refused:
        make_agreement(signed_project(officer), officer, park=park)
    assert refused.value.field == "park"


def test_only_the_projects_team_writes_its_agreement(officer, other_officer, frozen_today):
    project = signed_project(officer)
    with pytest.raises(NotPermitted):
        make_agreement(project, other_officer)
    secret = signed_project(officer, is_confidential=True)
    with pytest.raises(NotFound):
        make_agreement(secret, other_officer)


def test_the_database_refuses_impossible_promises(officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer)
    for values in ({"land_mu": 0}, {"fixed_asset_investment": -1}, {"due_year": 1990}, {"annual_output": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=agreement.pk).update(**values)
    check = agreement.checks.first()
    for values in ({"promised": 0}, {"actual": -5, "recorded_on": dt.date(2024, 1, 5)}, {"actual": 5}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PromiseCheck.objects.filter(pk=check.pk).update(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        PromiseCheck.objects.create(agreement=agreement, kind="tax", promised=1, due_on=check.due_on)


def test_the_actual_figures_read_met_or_not_met_with_the_ratio(officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer, due_year=2023)
    checks = {check.kind: check for check in agreement.checks.all()}
    assert {check.status(frozen_today) for check in checks.values()} == {"late"}

    output = check_record(check=checks["output"], actual=Decimal("96000"), by=officer)
    tax = check_record(check=checks["tax"], actual=Decimal("6600"), by=officer, note="含地方留成")

    assert (output.status(frozen_today), output.ratio) == ("not_met", Decimal("80.0"))
    assert (tax.status(frozen_today), tax.ratio) == ("met", Decimal("110.0"))
    assert (tax.recorded_on, tax.recorded_by, tax.note) == (frozen_today, officer, "含地方留成")


def test_figures_are_refused_before_the_due_year_or_in_the_future(officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer, due_year=2025)
    check = agreement.checks.get(kind="output")
    with pytest.raises(DomainError, match="2025"):
        check_record(check=check, actual=Decimal(1), by=officer)
    past = make_agreement(signed_project(officer), officer, due_year=2023).checks.get(kind="jobs")
    with pytest.raises(DomainError):
        check_record(check=past, actual=Decimal(1), on=dt.date(2024, 6, 16), by=officer)
    with pytest.raises(DomainError):
        check_record(check=past, actual=Decimal("2.5"), by=officer)  # jobs are whole people
    past.refresh_from_db()
    assert past.actual is None
