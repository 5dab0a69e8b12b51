"""Large project ledgers: new projects are checked one by one by the services and written
many at once. What is written is what the services write for one project (history,
stage changes), the number of queries does not grow with the rows, and a refusal the
services did not foresee still names its row and imports nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services as project_services
from projects.models import Project, StageChange
from tests.factories import OrganisationFactory
from tests.transfer.conftest import commit, job_of, login, upload, xlsx
from tests.transfer.generate import PROJECT_HEADERS, project_rows
from transfer import importing
from transfer.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "投资方", "总投资(万元)", "阶段", "线索日期", "在谈日期", "签约日期", "签约金额(万元)"]
# Kept out of the comparison: they differ between any two projects.
OWN = {"id", "name", "created_at", "updated_at", "history_id", "history_date"}


@pytest.fixture
def investor(officer):
    return OrganisationFactory(name="村田投资有限公司", owner=officer)


def history(project: Project) -> list[dict]:
    rows = Project.history.filter(id=project.pk).order_by("history_id").values()
    return [{key: value for key, value in row.items() if key not in OWN} for row in rows]


def stage_changes(project: Project) -> list[tuple]:
    return list(
        project.stage_changes.order_by("id").values_list(
            "from_stage", "to_stage", "reached_on", "changed_by", "note", "is_correction"
        )
    )


def test_an_imported_project_has_the_history_and_stage_changes_the_services_write(
    client, officer, investor, frozen_today
):
    # What the services write for one project, as the importer calls them (the ledger's
    # signed amount is one of the project's fields from the start).
    by_hand = Project(
        name="手工项目",
        investor=investor,
        total_investment=Decimal("50000"),
        signed_amount=Decimal("10000"),
        lead_on=dt.date(2024, 1, 2),
    )
    project_services.project_save(project=by_hand, by=officer)
    for stage, on in (("negotiating", dt.date(2024, 2, 1)), ("signed", dt.date(2024, 3, 1))):
        project_services.project_change_stage(
            project=by_hand, to_stage=stage, on=on, by=officer, signed_amount=Decimal("10000")
        )
    login(client, officer)
    row = ["导入项目", investor.name, "5亿", "签约", "2024/1/2", "2024/2/1", "2024/3/1", "1亿"]
    job = commit(client, job_of(upload(client, "projects", xlsx(HEADERS, [row]))))
    assert job.status == "done", job.report

    imported = Project.objects.get(name="导入项目")
    by_hand.refresh_from_db()
    assert [step["history_type"] for step in history(imported)] == ["+", "~", "~"]
    assert [step["stage"] for step in history(imported)] == ["lead", "negotiating", "signed"]
    assert history(imported) == history(by_hand)
    assert stage_changes(imported) == stage_changes(by_hand)
    assert {field.attname: getattr(imported, field.attname) for field in Project._meta.concrete_fields} | {
        "id": None,
        "name": None,
        "created_at": None,
        "updated_at": None,
    } == {field.attname: getattr(by_hand, field.attname) for field in Project._meta.concrete_fields} | {
        "id": None,
        "name": None,
        "created_at": None,
        "updated_at": None,
    }


def test_a_row_can_change_a_project_an_earlier_row_of_the_file_creates(client, officer, investor, frozen_today):
    login(client, officer)
    rows = [
        ["同名项目", investor.name, "5亿", "线索", "2024/1/2", "", "", ""],
        ["别的项目", investor.name, "1亿", "线索", "2024/1/2", "", "", ""],
        ["同名项目", investor.name, "6亿", "在谈", "", "2024/2/1", "", ""],
    ]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    assert [row["action"] for row in job.report["rows"]] == ["create", "create", "update"]
    assert job.report["rows"][2]["changes"] == [
        ["Total investment (10k yuan)", "50,000", "60,000"],
        ["Stage", "Lead", "Under negotiation"],
    ]
    assert not Project.objects.exists()  # the check keeps nothing

    job = commit(client, job)
    assert job.status == "done", job.report
    project = Project.objects.get(name="同名项目")
    # Created (1), its investment changed (2), moved to negotiation (3): each write a version.
    assert (project.stage, project.total_investment, project.version) == ("negotiating", Decimal("60000"), 3)
    assert [step["history_type"] for step in history(project)] == ["+", "~", "~"]
    assert Project.objects.count() == 2


def _queries(officer, rows: int, investor) -> tuple[int, int]:
    """Queries of the check and of the commit of a ledger of `rows` rows."""
    data = xlsx(PROJECT_HEADERS, project_rows(rows, investor=investor.name))
    job = ImportJob.objects.create(kind="projects", user=officer, filename="台账.xlsx", content=data, total_rows=rows)
    with CaptureQueriesContext(connection) as check:
        importing.run(job.pk, committing=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMIT_QUEUED)
    with CaptureQueriesContext(connection) as done:
        importing.run(job.pk, committing=True)
    job.refresh_from_db()
    assert job.status == "done", job.report
    assert Project.objects.count() == rows
    Project.all_objects.all().delete()
    return len(check), len(done)


def test_the_queries_of_an_import_do_not_grow_with_its_rows(officer, investor):
    check_10, commit_10 = _queries(officer, 10, investor)
    check_100, commit_100 = _queries(officer, 100, investor)
    assert check_100 == check_10
    if connection.vendor == "postgresql":
        assert commit_100 == commit_10
    else:
        # SQLite takes at most 999 values per INSERT: a few more statements, not one a row
        # (how many follows from the project's and its history's columns: 90 more rows
        # take about one statement per 12 rows of each, far below the 90 of one a row).
        assert commit_100 - commit_10 < 20
    assert commit_10 < 25


def test_new_projects_written_at_once_are_checked_by_the_services(officer, other_team, investor, frozen_today):
    new = project_services.project_prepare_new(
        project=Project(
            name="新项目", investor=investor, total_investment=Decimal("100"), lead_on=dt.date(2023, 12, 1)
        ),
        by=officer,
    )
    with pytest.raises(project_services.DomainError, match="one stage at a time"):
        new.change_stage(to_stage="signed", on=dt.date(2024, 1, 1))
    new.change_stage(to_stage="negotiating", on=dt.date(2024, 1, 1))
    with pytest.raises(project_services.DomainError, match="signed amount"):
        new.change_stage(to_stage="signed", on=dt.date(2024, 2, 1))
    with pytest.raises(project_services.DomainError, match="future"):
        new.change_stage(to_stage="signed", on=dt.date(2025, 1, 1), signed_amount=Decimal("100"))
    with pytest.raises(project_services.NotPermitted):
        project_services.project_prepare_new(
            project=Project(name="别组", investor=investor, total_investment=Decimal("1"), team=other_team), by=officer
        )
    new.project.total_investment = Decimal("-5")  # changed after the check: not written
    with pytest.raises(ValueError):
        project_services.projects_create_many(projects=[new], by=officer)
    assert not Project.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.usefixtures("postgres")
def test_a_refusal_the_services_did_not_foresee_names_its_row_and_imports_nothing(client, officer, investor):
    # A rule only the database knows (say a constraint added by an administrator).
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE projects_project ADD CONSTRAINT test_below_100yi CHECK (total_investment < 1000000)"
        )
    login(client, officer)
    rows = [
        ["小项目", investor.name, "1亿", "", "", "", "", ""],
        ["巨型项目", investor.name, "200亿", "", "", "", "", ""],
        ["又一个", investor.name, "2亿", "", "", "", "", ""],
    ]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    assert job.report["counts"]["create"] == 3  # the services see nothing wrong
    job = commit(client, job)
    assert job.status == "failed"
    assert [row["row"] for row in job.report["rows"] if row["action"] == "error"] == [3]
    assert not Project.objects.exists() and not StageChange.objects.exists()
    assert not Project.history.exists()
