"""The pipeline's rules hold on every path: the service, the web edit form, Django admin,
the import, and a raw write past all of them, which the database refuses (CHECK).
The API's side is in tests/api/test_project_rules.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import DomainError
from projects import rules
from projects.models import Project, Stage
from projects.services import project_change_stage, project_save
from tests.factories import OrganisationFactory, ProjectFactory, project_in_stage
from tests.test_admin import change_url, form_data
from tests.transfer.conftest import commit, job_of, login, upload, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

TODAY = timezone.localdate


def _refused(code_or_text: str, run) -> DomainError:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        run()
    assert code_or_text in (caught.value.code, str(caught.value)) or code_or_text in str(caught.value)
    return caught.value


# --- the service --------------------------------------------------------------------------


def test_a_signed_project_keeps_its_signed_amount(officer):
    project = project_in_stage("started", owner=officer)
    project.signed_amount = None
    error = _refused("signed_amount_required", lambda: project_save(project=project, by=officer))
    assert error.field == "signed_amount"
    project.signed_amount = Decimal("0")
    _refused("signed_amount_required", lambda: project_save(project=project, by=officer))
    assert Project.objects.get(pk=project.pk).signed_amount == Decimal("50000")


def test_a_project_dropped_after_signing_keeps_its_signed_amount_too(officer):
    project = project_in_stage("dropped", held_stage="signed", owner=officer)
    project.signed_amount = None
    _refused("signed_amount_required", lambda: project_save(project=project, by=officer))


def test_a_project_before_signing_may_have_no_signed_amount(officer):
    project = project_in_stage("negotiating", owner=officer, signed_amount=Decimal("3"))
    project.signed_amount = None
    project_save(project=project, by=officer)
    assert Project.objects.get(pk=project.pk).signed_amount is None


@pytest.mark.parametrize("name", rules.OPTIONAL_AMOUNTS)
def test_no_amount_is_negative(officer, name):
    project = project_in_stage("signed", owner=officer, capital_origin=Project.CapitalOrigin.FOREIGN)
    setattr(project, name, Decimal("-1"))
    error = _refused("cannot be negative", lambda: project_save(project=project, by=officer))
    assert error.field == name


def test_an_edit_cannot_move_the_stage_or_its_dates(officer):
    project = project_in_stage("negotiating", owner=officer)
    project.stage = Stage.PRODUCING
    project.signed_on = TODAY()
    project.exit_reason = "随便"
    project_save(project=project, by=officer)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on, stored.exit_reason) == (Stage.NEGOTIATING, None, "")


def test_the_rules_name_the_constraints_the_database_has():
    names = {constraint.name for constraint in Project._meta.constraints}
    for name in [
        "project_investment_not_negative",
        "project_amounts_not_negative",
        "project_signed_has_amount",
        "project_exit_has_reason",
        "project_held_stage_iff_exit",
        "project_stage_dates_in_order",
        "project_dropped_after_stages",
    ]:
        assert name in names
        assert name in rules.__doc__


# --- the database refuses a raw write -----------------------------------------------------


def _raw_update_refused(project: Project, **values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.all_objects.filter(pk=project.pk).update(**values)


def test_the_database_refuses_a_signed_project_without_a_signed_amount(officer):
    project = project_in_stage("signed", owner=officer)
    _raw_update_refused(project, signed_amount=None)
    _raw_update_refused(project, signed_amount=Decimal("0"))
    held = project_in_stage("on_hold", held_stage="started", owner=officer)
    _raw_update_refused(held, signed_amount=None)
    assert Project.objects.get(pk=project.pk).signed_amount == Decimal("50000")


def test_the_database_refuses_a_hold_or_drop_without_a_reason_or_the_stage_left(officer):
    project = project_in_stage("on_hold", owner=officer)
    _raw_update_refused(project, exit_reason="")
    _raw_update_refused(project, held_stage="")
    _raw_update_refused(project, held_stage="producing")
    dropped = project_in_stage("dropped", owner=officer)
    _raw_update_refused(dropped, exit_reason="")
    moving = project_in_stage("negotiating", owner=officer)
    _raw_update_refused(moving, held_stage="lead")


def test_the_database_refuses_stage_dates_out_of_order(officer):
    project = project_in_stage("started", owner=officer)
    _raw_update_refused(project, signed_on=project.started_on + dt.timedelta(days=1))
    _raw_update_refused(project, lead_on=project.started_on + dt.timedelta(days=1))
    dropped = project_in_stage("dropped", held_stage="signed", owner=officer)
    _raw_update_refused(dropped, dropped_on=dropped.signed_on - dt.timedelta(days=1))


def test_the_database_accepts_a_stage_whose_date_is_unknown(officer):
    # A ledger may say a project is at 开工 without saying when it began negotiating.
    project = project_in_stage("started", owner=officer)
    Project.objects.filter(pk=project.pk).update(negotiating_on=None)
    assert Project.objects.get(pk=project.pk).negotiating_on is None


@pytest.mark.parametrize("name", [*rules.OPTIONAL_AMOUNTS, "total_investment"])
def test_the_database_refuses_a_negative_amount(officer, name):
    project = project_in_stage("signed", owner=officer)
    _raw_update_refused(project, **{name: Decimal("-1")})


# --- the stage machine ----------------------------------------------------------------------


def test_a_date_in_the_future_is_refused_even_for_a_new_project_moved_by_the_import(officer):
    from projects.services import project_prepare_new

    project = ProjectFactory.build(owner=officer, team=officer.team, investor=OrganisationFactory())
    new = project_prepare_new(project=project, by=officer)
    _refused(
        "date_in_future",
        lambda: new.change_stage(to_stage=Stage.NEGOTIATING, on=TODAY() + dt.timedelta(days=1)),
    )


def test_the_rules_accept_what_the_stage_machine_writes(officer):
    project = ProjectFactory(owner=officer)
    today = TODAY()
    for stage, extra in [
        (Stage.NEGOTIATING, {}),
        (Stage.ON_HOLD, {"reason": "对方暂缓"}),
        (Stage.NEGOTIATING, {}),
        (Stage.SIGNED, {"signed_amount": Decimal("8000")}),
        (Stage.DROPPED, {"reason": "市场变化", "loss_reason": "other_location", "lost_to": "苏州工业园区"}),
    ]:
        project = project_change_stage(project=project, to_stage=stage, on=today, by=officer, **extra)
    stored = Project.objects.get(pk=project.pk)
    rules.check_project(stored, stored=stored)
    assert (stored.stage, stored.held_stage, stored.signed_amount) == (Stage.DROPPED, "signed", Decimal("8000"))


# --- the web edit form --------------------------------------------------------------------


def _edit(client, project: Project, **changes):
    data = {
        "name": project.name,
        "investor": project.investor_id,
        "kind": project.kind,
        "capital_origin": project.capital_origin,
        "total_investment": str(project.total_investment),
        "source_kind": project.source_kind,
        "version": project.version,
        **changes,
    }
    return client.post(reverse("projects:project_update", args=[project.pk]), data)


def test_the_edit_form_refuses_a_negative_amount_next_to_the_field(client, officer):
    project = project_in_stage("signed", owner=officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    response = _edit(client, project, expected_annual_output="-5")
    assert response.status_code == 200
    assert "cannot be negative" in response.context["form"].errors["expected_annual_output"][0]
    assert Project.objects.get(pk=project.pk).expected_annual_output is None


def test_the_edit_form_cannot_move_the_stage(client, officer):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(officer)
    response = _edit(client, project, stage="producing", signed_on=TODAY().isoformat(), held_stage="lead")
    assert response.status_code == 302
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.signed_on, stored.held_stage) == (Stage.NEGOTIATING, None, "")


# --- Django admin -------------------------------------------------------------------------


def test_admin_refuses_to_clear_a_signed_projects_amount(client, officer):
    project = project_in_stage("signed", owner=officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    data = {**form_data(client.get(change_url(project))), "signed_amount": ""}
    response = client.post(change_url(project), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "keeps its signed amount" in " ".join(str(message) for message in errors["signed_amount"])
    assert Project.objects.get(pk=project.pk).signed_amount == Decimal("50000")


def test_admin_cannot_write_the_stage_fields(client, officer):
    project = project_in_stage("negotiating", owner=officer)
    client.force_login(officer)
    data = {
        **form_data(client.get(change_url(project))),
        "stage": "producing",
        "held_stage": "lead",
        "exit_reason": "x",
        "signed_on": TODAY().isoformat(),
    }
    response = client.post(change_url(project), data)
    assert response.status_code == 302
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.held_stage, stored.exit_reason, stored.signed_on) == ("negotiating", "", "", None)


# --- the import ---------------------------------------------------------------------------


def test_an_import_cannot_take_a_signed_projects_amount_away(client, officer):
    project = project_in_stage("signed", name="签约项目", owner=officer)
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "签约金额(万元)"]
    job = job_of(upload(client, "projects", xlsx(headers, [["签约项目", project.investor.name, "5亿", "0"]])))
    [row] = job.report["rows"]
    assert row["action"] == "error", row
    assert "signed amount" in row["errors"][0][1]
    commit(client, job)
    assert Project.objects.get(pk=project.pk).signed_amount == Decimal("50000")


# --- writes from elsewhere raise the version too --------------------------------------------


def test_an_import_that_moves_a_stored_project_raises_its_version(client, officer):
    project = ProjectFactory(name="导入项目", owner=officer, lead_on=TODAY() - dt.timedelta(days=30))
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "阶段", "在谈日期"]
    row = ["导入项目", project.investor.name, "5亿", "在谈", TODAY().isoformat()]
    job = commit(client, job_of(upload(client, "projects", xlsx(headers, [row]))))
    assert job.status == "done", job.report
    stored = Project.objects.get(pk=project.pk)
    assert stored.stage == Stage.NEGOTIATING
    assert stored.version > project.version


def test_merging_the_investor_raises_the_version_of_its_projects(officer, admin_user):
    from transfer.merging import organisation_merge

    project = project_in_stage("signed", owner=officer)
    survivor = OrganisationFactory(owner=officer)
    organisation_merge(survivor=survivor, absorbed=project.investor, by=admin_user)
    stored = Project.objects.get(pk=project.pk)
    assert (stored.investor, stored.version) == (survivor, project.version + 1)
