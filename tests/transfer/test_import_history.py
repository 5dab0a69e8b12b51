"""History as it was: a ledger row gives the stage a project is at now and the dates the
office knows. Stages passed without a date are recorded as reached on an unknown date:
shown so, never invented, out of period counts, and listed for the owner to complete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from projects import services
from projects.models import Project, StageChange
from tests.factories import OrganisationFactory, credit_code
from tests.transfer.conftest import commit, job_of, login, upload, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "投资方", "总投资", "阶段", "签约日期", "签约金额", "开工日期", "计划竣工日期"]


@pytest.fixture
def investor(officer):
    return OrganisationFactory(name="村田（中国）投资有限公司", credit_code=credit_code(3), owner=officer)


def import_rows(client, rows):
    return job_of(upload(client, "projects", xlsx(HEADERS, rows)))


def test_a_project_at_construction_with_only_its_signing_date(client, officer, investor, frozen_today):
    login(client, officer)
    job = import_rows(client, [["村田新工厂", investor.name, "5亿", "开工", "2024/3/5", "5亿", "", ""]])
    # The preview says which stages will have no date.
    assert job.report["undated"] == {
        "rows": [{"row": 2, "label": "村田新工厂", "stages": ["Lead", "Under negotiation", "Construction started"]}],
        "count": 1,
    }
    assert 'data-testid="undated"' in client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert project.stage == "started"
    assert (project.lead_on, project.negotiating_on, project.signed_on, project.started_on) == (
        None,
        None,
        dt.date(2024, 3, 5),
        None,
    )
    assert project.undated() == ["lead", "negotiating", "started"]
    # Only the move whose date is known is in the stage history, on its date.
    assert list(StageChange.objects.values_list("to_stage", "reached_on")) == [("signed", dt.date(2024, 3, 5))]

    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert page.count('class="badge text-bg-warning date-unknown"') == 3
    assert "date unknown" in page
    work = client.get("/projects/my-work/").content.decode()
    assert 'id="dates-to-complete"' in work and "村田新工厂" in work


def test_known_dates_must_still_be_in_order_and_not_in_the_future(client, officer, investor, frozen_today):
    login(client, officer)
    future = frozen_today + dt.timedelta(days=30)
    rows = [
        ["甲", investor.name, "1亿", "开工", "2024/3/5", "1亿", future.isoformat(), ""],
        ["乙", investor.name, "1亿", "开工", "2024/3/5", "1亿", "2024/1/5", ""],
    ]
    job = import_rows(client, rows)
    errors = {row["row"]: row["errors"] for row in job.report["rows"] if row["errors"]}
    assert set(errors) == {2, 3}
    assert errors[2][0][0] == "Construction started on" and "future" in errors[2][0][1]
    assert errors[3][0][0] == "Construction started on" and "reached" in errors[3][0][1]
    assert not Project.objects.exists()


def test_an_unknown_date_is_not_an_overdue_milestone(client, officer, investor, frozen_today):
    login(client, officer)
    planned = frozen_today - dt.timedelta(days=60)
    job = commit(
        client,
        import_rows(client, [["乙", investor.name, "1亿", "竣工", "2024/3/5", "1亿", "", planned.isoformat()]]),
    )
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert project.stage == "completed" and project.completed_on is None
    work = client.get("/projects/my-work/").content.decode()
    assert "Nothing overdue." in work
    # The reports count by date: an unknown date is left out, and the pages still answer.
    for page in ("/reports/", "/reports/review/", "/reports/supervision/", "/projects/", "/projects/board/"):
        assert client.get(page).status_code == 200, page


def test_the_owner_completes_an_unknown_date(client, officer, investor, frozen_today):
    login(client, officer)
    commit(client, import_rows(client, [["丙", investor.name, "1亿", "开工", "2024/3/5", "1亿", "", ""]]))
    project = Project.objects.get()
    url = f"/projects/{project.pk}/dates/started/"
    response = client.post(url, {"date-started-on": "2024-03-01"})
    assert response.status_code == 400
    assert "was reached later" in response.content.decode()
    response = client.post(url, {"date-started-on": "2024-04-01"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.started_on == dt.date(2024, 4, 1)
    assert project.undated() == ["lead", "negotiating"]
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Date completed: “Construction started” reached on" in page
    # A stage whose date is known is corrected by an admin, not here.
    assert client.post(url, {"date-started-on": "2024-04-02"}).status_code == 404


def test_the_database_refuses_a_date_on_a_stage_marked_unknown(officer, investor):
    project = Project.objects.create(
        name="丁", investor=investor, total_investment=1, owner=officer, team=officer.team, undated_stages="lead"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(lead_on=dt.date(2024, 1, 1))


def test_the_import_path_is_the_stage_service(officer, investor, frozen_today):
    project = Project(
        name="戊", investor=investor, total_investment=1, owner=officer, team=officer.team, lead_on=dt.date(2024, 1, 2)
    )
    services.project_save(project=project, by=officer)
    services.project_import_history(
        project=project, stage="signed", dates={"signed": dt.date(2024, 3, 5)}, signed_amount=1, by=officer
    )
    project.refresh_from_db()
    assert (project.stage, project.signed_on, project.undated()) == ("signed", dt.date(2024, 3, 5), ["negotiating"])


def test_the_ledger_imported_again_with_dates_completes_them(client, officer, investor, frozen_today):
    login(client, officer)
    commit(client, import_rows(client, [["己", investor.name, "1亿", "开工", "2024/3/5", "1亿", "", ""]]))
    job = import_rows(client, [["己", investor.name, "1亿", "开工", "2024/3/5", "1亿", "2024/4/2", ""]])
    assert [(row["action"], row["changes"]) for row in job.report["rows"]] == [
        ("update", [["Construction started on", "date unknown", "2024-04-02"]])
    ]
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert (project.started_on, project.undated()) == (dt.date(2024, 4, 2), ["lead", "negotiating"])
