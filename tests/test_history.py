"""Every create, change and delete leaves a history row saying who did it and what
the record looked like, so a manager can answer "who changed this, and from what?"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import NotFound, NotPermitted
from crm.models import Mission, Organisation, Visit
from crm.services import (
    mission_delete,
    mission_save,
    organisation_delete,
    organisation_save,
    visit_delete,
    visit_save,
)
from projects.models import Project, Stage
from projects.services import project_change_stage, project_delete, project_restore, project_save
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing", "frozen_today")]


def rows(model, pk):
    """History rows of one record, oldest first (they outlive the record)."""
    return list(model.history.filter(id=pk).order_by("history_date", "history_id"))


def changes(row, before) -> dict:
    """{field: (old, new)} between two history rows.

    (Not row.prev_record: that compares timestamps, and the clock is frozen here.)
    """
    delta = row.diff_against(before)
    return {change.field: (change.old, change.new) for change in delta.changes}


# --- Organisations ------------------------------------------------------------------


def test_an_organisation_keeps_who_created_changed_and_deleted_it(officer, manager):
    organisation = organisation_save(
        organisation=Organisation(name="无锡飞而康快速制造科技有限责任公司", credit_code=""), by=officer
    )
    form = Organisation.objects.get(pk=organisation.pk)
    form.city = "无锡"
    form.description = "3D打印，航空航天发动机零件"
    organisation_save(organisation=form, by=manager)
    organisation_delete(organisation=Organisation.objects.get(pk=organisation.pk), by=manager)

    created, changed, deleted = rows(Organisation, organisation.pk)
    assert (created.history_type, created.history_user, created.name, created.city) == (
        "+",
        officer,
        "无锡飞而康快速制造科技有限责任公司",
        "",
    )
    assert (changed.history_type, changed.history_user) == ("~", manager)
    assert changes(changed, created) == {"city": ("", "无锡"), "description": ("", "3D打印，航空航天发动机零件")}
    assert (deleted.history_type, deleted.history_user, deleted.city) == ("-", manager, "无锡")
    assert not Organisation.objects.filter(pk=organisation.pk).exists()


def test_a_refused_change_leaves_no_history_row(officer, colleague):
    organisation = organisation_save(organisation=Organisation(name="某公司", credit_code=""), by=officer)
    form = Organisation.objects.get(pk=organisation.pk)
    form.city = "苏州"
    with pytest.raises(NotPermitted):
        organisation_save(organisation=form, by=colleague)
    assert [row.history_type for row in rows(Organisation, organisation.pk)] == ["+"]


# --- Visits ---------------------------------------------------------------------------


def test_a_visit_keeps_who_logged_changed_and_deleted_it(officer, colleague, manager, frozen_today):
    organisation = OrganisationFactory(owner=officer)
    visit = visit_save(
        visit=Visit(organisation=organisation, date=frozen_today, summary="介绍园区政策"),
        by=officer,
        officers=[colleague],
    )
    form = Visit.objects.get(pk=visit.pk)
    form.summary = "介绍园区政策，对方有扩产意向"
    form.intention = Visit.Intention.HIGH
    visit_save(visit=form, by=colleague)
    visit_delete(visit=Visit.objects.get(pk=visit.pk), by=manager)

    history = rows(Visit, visit.pk)
    assert all(row.history_user is not None for row in history)
    assert (history[0].history_type, history[0].history_user, history[0].summary) == ("+", officer, "介绍园区政策")
    # Setting the officers is part of logging the visit: still the logging officer's row.
    assert {row.history_user for row in history if row.summary == "介绍园区政策"} == {officer}

    index = next(i for i, row in enumerate(history) if row.history_user == colleague)
    changed = history[index]
    assert changed.history_type == "~"
    assert changes(changed, history[index - 1]) == {
        "summary": ("介绍园区政策", "介绍园区政策，对方有扩产意向"),
        "intention": (Visit.Intention.NONE, Visit.Intention.HIGH),
    }

    deleted = history[-1]
    assert (deleted.history_type, deleted.history_user, deleted.summary) == (
        "-",
        manager,
        "介绍园区政策，对方有扩产意向",
    )
    assert not Visit.objects.filter(pk=visit.pk).exists()


def test_a_visits_history_records_the_officers_who_were_there(officer, colleague, frozen_today):
    visit = visit_save(
        visit=Visit(organisation=OrganisationFactory(owner=officer), date=frozen_today, summary="回访"),
        by=officer,
        officers=[colleague],
    )
    latest = visit.history.first()
    assert {row.user_id for row in latest.officers.all()} == {officer.pk, colleague.pk}


# --- Missions -------------------------------------------------------------------------


def test_a_mission_keeps_who_created_changed_and_deleted_it(officer, colleague, manager, frozen_today):
    mission = mission_save(
        mission=Mission(
            title="2024年日韩经贸交流活动",
            region=Mission.Region.JAPAN_KOREA,
            start_date=frozen_today - dt.timedelta(days=20),
            end_date=frozen_today - dt.timedelta(days=14),
        ),
        by=officer,
        participants=[colleague],
    )
    form = Mission.objects.get(pk=mission.pk)
    form.summary = "拜访企业12家，签约意向2个"
    mission_save(mission=form, by=colleague)  # a participant writes the summary
    mission_delete(mission=Mission.objects.get(pk=mission.pk), by=manager)

    history = rows(Mission, mission.pk)
    assert (history[0].history_type, history[0].history_user, history[0].title) == (
        "+",
        officer,
        "2024年日韩经贸交流活动",
    )
    index = next(i for i, row in enumerate(history) if row.history_user == colleague)
    assert changes(history[index], history[index - 1]) == {"summary": ("", "拜访企业12家，签约意向2个")}
    assert (history[-1].history_type, history[-1].history_user) == ("-", manager)
    assert not Mission.objects.filter(pk=mission.pk).exists()


# --- Projects -------------------------------------------------------------------------


def test_a_project_keeps_who_created_and_changed_it_and_its_stage_moves(officer, colleague, frozen_today):
    project = project_save(
        project=Project(
            name="纳米级陶瓷薄膜产线",
            investor=OrganisationFactory(owner=officer),
            total_investment=Decimal("500000"),
        ),
        by=officer,
    )
    form = Project.objects.get(pk=project.pk)
    form.total_investment = Decimal("520000")
    project_save(project=form, by=colleague)
    project_change_stage(project=project, to_stage=Stage.NEGOTIATING, on=frozen_today, by=colleague)

    created, changed, moved = rows(Project, project.pk)
    assert (created.history_type, created.history_user, created.total_investment) == (
        "+",
        officer,
        Decimal("500000"),
    )
    assert (changed.history_type, changed.history_user) == ("~", colleague)
    assert changes(changed, created)["total_investment"] == (Decimal("500000"), Decimal("520000"))
    assert moved.history_user == colleague
    # diff_against skips non-editable fields such as stage: compare the rows.
    assert (changed.stage, moved.stage) == (Stage.LEAD, Stage.NEGOTIATING)
    assert (changed.negotiating_on, moved.negotiating_on) == (None, frozen_today)


def test_deleting_a_project_hides_it_and_keeps_a_history_row(officer, manager):
    project = ProjectFactory(owner=officer)
    project_delete(project=project, by=manager)

    assert not Project.objects.filter(pk=project.pk).exists()
    stored = Project.all_objects.get(pk=project.pk)
    assert stored.is_deleted
    assert stored.deleted_at is not None
    latest = project.history.first()
    assert (latest.history_user, latest.is_deleted, latest.history_change_reason) == (manager, True, "deleted")


def test_an_admin_restores_a_deleted_project_with_a_history_row(officer, manager, admin_user):
    project = ProjectFactory(owner=officer)
    project_delete(project=project, by=manager)
    project_restore(project=project, by=admin_user)

    stored = Project.objects.get(pk=project.pk)
    assert (stored.is_deleted, stored.deleted_at) == (False, None)
    latest = project.history.first()
    assert (latest.history_user, latest.is_deleted, latest.history_change_reason) == (admin_user, False, "restored")


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_only_an_admin_restores_a_deleted_project(who, request, officer, manager):
    project = ProjectFactory(owner=officer)
    project_delete(project=project, by=manager)
    history_before = project.history.count()
    # A deleted project is hidden from everyone but admins: nothing to restore for them.
    with translation.override("en"), pytest.raises(NotFound) as caught:
        project_restore(project=project, by=request.getfixturevalue(who))
    assert str(caught.value) == "No such project."
    assert not Project.objects.filter(pk=project.pk).exists()
    assert project.history.count() == history_before
