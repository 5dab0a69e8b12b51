"""Each project's last activity (Project.last_activity_on), kept by the services, and the
quiet-project reminder that reads it.

The date is the later of the project's last edit (stage changes and re-plans too) and
the last visit to its investor. After every write below, the stored dates are compared
with that definition computed from scratch, and the sweep finds exactly the projects
quiet for 60 days (the default rule).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Visit
from crm.services import visit_delete, visit_save
from projects import reminders
from projects.models import Project
from projects.services import (
    last_activity,
    project_change_stage,
    project_delete,
    project_prepare_new,
    project_replan,
    project_restore,
    project_save,
    projects_create_many,
    projects_refresh_last_activity,
)
from tests.factories import OrganisationFactory
from transfer.merging import merge_undo, organisation_merge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing", "reminder_rules")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
JUNE_3 = dt.date(2024, 6, 3)


@contextmanager
def on(day: dt.date, hour: int = 10):
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False):
        yield


def stored() -> dict[str, dt.date]:
    return dict(Project.all_objects.values_list("name", "last_activity_on"))


def from_scratch() -> dict[str, dt.date]:
    """The definition, computed from edit times and visits (as the sweep once did)."""
    return dict(Project.all_objects.annotate(computed=last_activity()).values_list("name", "computed"))


def quiet_on(day: dt.date) -> dict[str, dt.date]:
    """Projects the quiet-project rule finds due on `day`, with the date it counts from."""
    with on(day):
        rows = reminders.due_rows()
    names = dict(Project.all_objects.values_list("pk", "name"))
    return {names[row.project_id]: row.due_on for row in rows if row.stage == "" and row.project_id}


def new_project(name: str, investor, officer) -> Project:
    project = Project(name=name, investor=investor, total_investment=Decimal(50000), team=officer.team)
    return project_save(project=project, by=officer)


def visit(organisation, day: dt.date, officer) -> Visit:
    return visit_save(visit=Visit(organisation=organisation, date=day, summary="走访"), by=officer)


@pytest.fixture
def zone(officer):
    """Investors A (two projects), B (one) and C (one), all created on 3 June 2024."""
    with on(JUNE_3):
        a, b, c = (OrganisationFactory(name=name, owner=officer) for name in ("甲公司", "乙公司", "丙公司"))
        projects = {
            "a1": new_project("a1", a, officer),
            "a2": new_project("a2", a, officer),
            "b1": new_project("b1", b, officer),
            "c1": new_project("c1", c, officer),
        }
    return {"a": a, "b": b, "c": c, **projects}


def test_visits_edits_and_deletes_keep_the_date_and_the_reminders_exact(zone, officer, manager, admin_user):
    a, b = zone["a"], zone["b"]
    assert stored() == from_scratch() == dict.fromkeys(["a1", "a2", "b1", "c1"], JUNE_3)
    assert quiet_on(dt.date(2024, 8, 1)) == {}
    assert quiet_on(dt.date(2024, 8, 2)) == dict.fromkeys(["a1", "a2", "b1", "c1"], JUNE_3)

    # A visit to A moves both of A's projects; one to B dated before B's project was
    # created moves nothing; a stage change moves its project.
    with on(dt.date(2024, 6, 20)):
        to_a = visit(a, dt.date(2024, 6, 20), officer)
    with on(dt.date(2024, 7, 1)):
        to_b = visit(b, dt.date(2024, 5, 10), officer)
    with on(dt.date(2024, 7, 10)):
        project_change_stage(project=zone["c1"], to_stage="negotiating", on=dt.date(2024, 7, 10), by=officer)
    assert stored() == from_scratch()
    assert stored() == {
        "a1": dt.date(2024, 6, 20),
        "a2": dt.date(2024, 6, 20),
        "b1": JUNE_3,
        "c1": dt.date(2024, 7, 10),
    }
    assert quiet_on(dt.date(2024, 8, 2)) == {"b1": JUNE_3}
    assert quiet_on(dt.date(2024, 8, 19)) == {"a1": dt.date(2024, 6, 20), "a2": dt.date(2024, 6, 20), "b1": JUNE_3}

    # The visit to A was on 5 June after all: A's projects fall back to that date.
    with on(dt.date(2024, 8, 1)):
        to_a.date = dt.date(2024, 6, 5)
        visit_save(visit=to_a, by=officer)
    assert stored() == from_scratch()
    assert quiet_on(dt.date(2024, 8, 4)) == {"a1": dt.date(2024, 6, 5), "a2": dt.date(2024, 6, 5), "b1": JUNE_3}

    # ...and to B, not A: A's projects go back to their creation, B's project moves.
    with on(dt.date(2024, 8, 1)):
        to_a.organisation = b
        visit_save(visit=to_a, by=officer)
    assert stored() == from_scratch()
    assert stored()["a1"] == JUNE_3 and stored()["b1"] == dt.date(2024, 6, 5)
    assert quiet_on(dt.date(2024, 8, 2)) == {"a1": JUNE_3, "a2": JUNE_3}

    # Deleting B's later visit takes B's project back to its creation; deleting the
    # earlier one changes nothing.
    with on(dt.date(2024, 8, 1)):
        visit_delete(visit=to_a, by=officer)
    assert stored() == from_scratch() and stored()["b1"] == JUNE_3
    with on(dt.date(2024, 8, 1)):
        visit_delete(visit=to_b, by=officer)
    assert stored() == from_scratch() and stored()["b1"] == JUNE_3
    assert quiet_on(dt.date(2024, 8, 2)) == {"a1": JUNE_3, "a2": JUNE_3, "b1": JUNE_3}

    # An edit, a re-plan, a delete and a restore are activity on the day they happen.
    with on(dt.date(2024, 8, 10)):
        a1 = Project.objects.get(name="a1")
        a1.description = "对方更新了投资计划"
        project_save(project=a1, by=officer)
        b1 = Project.objects.get(name="b1")
        b1.signed_planned = dt.date(2024, 12, 1)
        project_save(project=b1, by=officer)  # a first plan is an edit
    with on(dt.date(2024, 8, 12)):
        project_replan(project=b1, stage="signed", new_date=dt.date(2025, 1, 15), reason="对方董事会推迟", by=officer)
        project_delete(project=Project.objects.get(name="a2"), by=manager)
    assert stored() == from_scratch()
    assert stored() == {
        "a1": dt.date(2024, 8, 10),
        "a2": dt.date(2024, 8, 12),
        "b1": dt.date(2024, 8, 12),
        "c1": dt.date(2024, 7, 10),
    }
    assert quiet_on(dt.date(2024, 10, 10)) == {"a1": dt.date(2024, 8, 10), "c1": dt.date(2024, 7, 10)}
    with on(dt.date(2024, 9, 1)):
        project_restore(project=Project.all_objects.get(name="a2"), by=admin_user)
    assert stored() == from_scratch() and stored()["a2"] == dt.date(2024, 9, 1)
    assert "a2" in quiet_on(dt.date(2024, 10, 31))


def test_a_project_saved_through_a_stale_instance_keeps_what_the_stage_service_wrote(zone, officer):
    """The stage service brings the caller's instance up to date, the date included."""
    project = zone["c1"]
    with on(dt.date(2024, 7, 10)):
        project_change_stage(project=project, to_stage="negotiating", on=dt.date(2024, 7, 10), by=officer)
    assert project.last_activity_on == dt.date(2024, 7, 10)


def test_a_visit_write_costs_one_update_of_the_investors_projects_and_only_when_it_moves(zone, officer):
    with on(dt.date(2024, 6, 20)), CaptureQueriesContext(connection) as added:
        made = visit(zone["a"], dt.date(2024, 6, 20), officer)
    assert sum(q["sql"].startswith('UPDATE "projects_project"') for q in added.captured_queries) == 1
    with on(dt.date(2024, 6, 21)), CaptureQueriesContext(connection) as edited:
        made.summary = "补充纪要"
        visit_save(visit=made, by=officer)
    assert not any("projects_project" in q["sql"] for q in edited.captured_queries)


def test_a_merge_and_its_undo_carry_the_visits_over(zone, officer, admin_user):
    a, b = zone["a"], zone["b"]
    with on(dt.date(2024, 6, 20)):
        visit(b, dt.date(2024, 6, 20), officer)
    with on(dt.date(2024, 7, 1)):
        merge = organisation_merge(survivor=a, absorbed=b, by=admin_user)
    assert stored() == from_scratch()
    # A's projects now count B's visit; B's project, moved, was edited on the day.
    assert stored() == {"a1": dt.date(2024, 6, 20), "a2": dt.date(2024, 6, 20), "b1": dt.date(2024, 7, 1), "c1": JUNE_3}
    with on(dt.date(2024, 7, 2)):
        merge_undo(merge=merge, by=admin_user)
    assert stored() == from_scratch()
    assert stored() == {"a1": JUNE_3, "a2": JUNE_3, "b1": dt.date(2024, 7, 2), "c1": JUNE_3}


def test_imported_projects_are_active_on_the_day_of_the_import(officer):
    investor = OrganisationFactory(owner=officer)
    with on(dt.date(2024, 6, 1)):
        visit(investor, dt.date(2024, 6, 1), officer)
    with on(JUNE_3):
        prepared = [
            project_prepare_new(
                project=Project(name=f"导入{n}", investor=investor, total_investment=Decimal(1000), team=officer.team),
                by=officer,
            )
            for n in range(3)
        ]
        projects_create_many(projects=prepared, by=officer)
    assert stored() == from_scratch() == {"导入0": JUNE_3, "导入1": JUNE_3, "导入2": JUNE_3}


def test_refreshing_every_project_puts_right_dates_written_around_the_services(zone, officer):
    Project.all_objects.update(last_activity_on=dt.date(2020, 1, 1))
    Visit.objects.create(organisation=zone["b"], date=dt.date(2024, 6, 30), summary="补录", owner=officer)
    assert projects_refresh_last_activity() == 4
    assert stored() == from_scratch() and stored()["b1"] == dt.date(2024, 6, 30)
    assert projects_refresh_last_activity() == 0
