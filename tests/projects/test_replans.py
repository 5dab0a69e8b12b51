"""Re-planning a committed date: allowed with a reason, recorded, the first plan kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core.errors import DomainError, NotFound, NotPermitted
from projects.models import Project, Replan, Stage
from projects.services import project_replan, project_save
from tests.factories import ProjectFactory, project_in_stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

FIRST_PLAN = dt.date(2024, 9, 30)
LATER = dt.date(2024, 12, 31)


@pytest.fixture
def planned(frozen_today, officer):
    """A signed project of the officer's team, planned to start on 30 September."""
    return project_in_stage(Stage.SIGNED, owner=officer, started_planned=FIRST_PLAN)


def edit(project: Project) -> Project:
    """The project as an edit form would load it."""
    return Project.objects.get(pk=project.pk)


def test_changing_a_planned_date_without_a_reason_is_refused_and_nothing_is_saved(planned, officer):
    form = edit(planned)
    form.started_planned = LATER
    form.description = "厂房设计调整"
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_save(project=form, by=officer)
    assert caught.value.code == "replan_reason_required"
    assert caught.value.field == "started_planned"
    assert str(caught.value) == (
        "Changing the planned date of “Construction started” from 2024-09-30 to 2024-12-31 is a re-plan: give a reason."
    )
    stored = edit(planned)
    assert (stored.started_planned, stored.description) == (FIRST_PLAN, "")
    assert not Replan.objects.exists()


def test_the_re_plan_refusal_has_a_message_in_chinese_too(planned, officer):
    form = edit(planned)
    form.started_planned = LATER
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        project_save(project=form, by=officer, replan_reason="   ")
    assert str(caught.value).strip()
    assert edit(planned).started_planned == FIRST_PLAN


def test_a_re_plan_with_a_reason_keeps_old_and_new_date_who_and_why(planned, officer):
    form = edit(planned)
    form.started_planned = LATER
    project_save(project=form, by=officer, replan_reason="环评审批延后")

    assert edit(planned).started_planned == LATER
    replan = Replan.objects.get(project=planned)
    assert (replan.stage, replan.old_date, replan.new_date, replan.changed_by, replan.reason) == (
        Stage.STARTED,
        FIRST_PLAN,
        LATER,
        officer,
        "环评审批延后",
    )


def test_the_first_plan_stays_visible_after_several_re_plans(planned, officer, colleague):
    project_replan(project=planned, stage=Stage.STARTED, new_date=LATER, reason="环评审批延后", by=officer)
    project_replan(project=planned, stage=Stage.STARTED, new_date=dt.date(2025, 3, 1), reason="冬季停工", by=colleague)
    history = list(Replan.objects.filter(project=planned, stage=Stage.STARTED).order_by("changed_at", "id"))
    assert [(r.old_date, r.new_date, r.changed_by) for r in history] == [
        (FIRST_PLAN, LATER, officer),
        (LATER, dt.date(2025, 3, 1), colleague),
    ]
    assert history[0].old_date == FIRST_PLAN
    assert edit(planned).started_planned == dt.date(2025, 3, 1)


def test_project_replan_moves_one_date_and_records_it(planned, officer):
    result = project_replan(project=planned, stage=Stage.STARTED, new_date=LATER, reason="设备延迟到货", by=officer)
    assert result.started_planned == LATER
    assert Replan.objects.get(project=planned).reason == "设备延迟到货"


def test_project_replan_without_a_reason_is_refused(planned, officer):
    with pytest.raises(DomainError) as caught:
        project_replan(project=planned, stage=Stage.STARTED, new_date=LATER, reason="", by=officer)
    assert caught.value.code == "replan_reason_required"
    assert edit(planned).started_planned == FIRST_PLAN
    assert not Replan.objects.exists()


def test_a_stage_without_a_planned_date_cannot_be_re_planned(planned, officer):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_replan(project=planned, stage=Stage.NEGOTIATING, new_date=LATER, reason="原因", by=officer)
    assert str(caught.value) == "The stage “Under negotiation” has no planned date."


def test_setting_a_planned_date_the_first_time_is_not_a_re_plan(frozen_today, officer):
    project = ProjectFactory(owner=officer)
    form = edit(project)
    form.signed_planned = dt.date(2024, 8, 1)
    form.started_planned = dt.date(2024, 10, 1)
    project_save(project=form, by=officer)
    stored = edit(project)
    assert (stored.signed_planned, stored.started_planned) == (dt.date(2024, 8, 1), dt.date(2024, 10, 1))
    assert not Replan.objects.exists()


def test_planned_dates_set_on_creation_are_not_re_plans(frozen_today, officer):
    project = Project(
        name="新建研发中心",
        investor=ProjectFactory(owner=officer).investor,
        total_investment=12000,
        signed_planned=dt.date(2024, 8, 1),
        completed_planned=dt.date(2025, 4, 30),
    )
    project_save(project=project, by=officer)
    assert edit(project).completed_planned == dt.date(2025, 4, 30)
    assert not Replan.objects.exists()


def test_saving_an_unchanged_plan_is_not_a_re_plan(planned, officer):
    form = edit(planned)
    form.description = "补充说明"
    project_save(project=form, by=officer)
    assert edit(planned).description == "补充说明"
    assert not Replan.objects.exists()


def test_a_planned_start_before_the_planned_signing_is_refused(frozen_today, officer):
    project = ProjectFactory(owner=officer, signed_planned=dt.date(2024, 9, 1))
    form = edit(project)
    form.started_planned = dt.date(2024, 8, 1)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_save(project=form, by=officer)
    assert caught.value.field == "started_planned"
    assert str(caught.value) == (
        "The planned date of “Construction started” (2024-08-01) cannot be before "
        "the planned date of “Signed” (2024-09-01)."
    )
    assert edit(project).started_planned is None


def test_planned_dates_out_of_order_are_refused_across_a_gap(frozen_today, officer):
    # No planned start: completion is still compared with signing.
    project = ProjectFactory(owner=officer, signed_planned=dt.date(2024, 9, 1))
    form = edit(project)
    form.completed_planned = dt.date(2024, 7, 1)
    with pytest.raises(DomainError) as caught:
        project_save(project=form, by=officer)
    assert caught.value.field == "completed_planned"


def test_planned_dates_on_the_same_day_are_in_order(frozen_today, officer):
    # Signed and started the same day, as the Murata factory was.
    project = ProjectFactory(owner=officer)
    form = edit(project)
    form.signed_planned = form.started_planned = dt.date(2024, 9, 1)
    project_save(project=form, by=officer)
    assert edit(project).started_planned == dt.date(2024, 9, 1)


def test_a_re_plan_out_of_order_is_refused(planned, officer):
    form = edit(planned)
    form.completed_planned = dt.date(2025, 6, 30)
    project_save(project=form, by=officer)
    with pytest.raises(DomainError) as caught:
        project_replan(project=planned, stage=Stage.STARTED, new_date=dt.date(2025, 7, 1), reason="推迟", by=officer)
    assert caught.value.field == "completed_planned"
    assert edit(planned).started_planned == FIRST_PLAN
    assert not Replan.objects.exists()


def test_the_plan_of_a_stage_already_reached_cannot_change(frozen_today, officer):
    project = project_in_stage(Stage.STARTED, owner=officer, started_planned=dt.date(2024, 3, 1))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_replan(project=project, stage=Stage.STARTED, new_date=dt.date(2024, 5, 1), reason="补录", by=officer)
    assert str(caught.value) == "The stage “Construction started” was already reached; its plan can no longer change."
    assert edit(project).started_planned == dt.date(2024, 3, 1)
    assert not Replan.objects.exists()


def test_a_planned_date_cannot_be_removed_once_set(planned, officer):
    form = edit(planned)
    form.started_planned = None
    with translation.override("en"), pytest.raises(DomainError) as caught:
        project_save(project=form, by=officer, replan_reason="不再计划")
    assert str(caught.value) == "A planned date cannot be removed once set; re-plan it with a new date and a reason."
    assert edit(planned).started_planned == FIRST_PLAN


def test_a_stale_form_cannot_undo_a_stage_change(planned, officer):
    form = edit(planned)
    form.stage = Stage.LEAD
    form.signed_on = None
    form.description = "改了描述"
    project_save(project=form, by=officer)
    stored = edit(planned)
    assert (stored.stage, stored.signed_on, stored.description) == (Stage.SIGNED, planned.signed_on, "改了描述")


def test_an_officer_of_another_team_cannot_re_plan(planned, other_officer):
    with pytest.raises(NotPermitted):
        project_replan(project=planned, stage=Stage.STARTED, new_date=LATER, reason="原因", by=other_officer)
    assert edit(planned).started_planned == FIRST_PLAN


def test_a_confidential_project_of_another_team_cannot_be_re_planned_as_it_is_not_there(
    frozen_today, officer, other_officer
):
    project = project_in_stage(Stage.SIGNED, owner=officer, is_confidential=True, started_planned=FIRST_PLAN)
    with pytest.raises(NotFound):
        project_replan(project=project, stage=Stage.STARTED, new_date=LATER, reason="原因", by=other_officer)
