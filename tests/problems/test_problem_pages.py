"""The problem pages: the project's list, the office-wide list (协调事项) with its filters
and export, My work and the supervision list; a confidential project's problems are as
hidden as the project; no page runs more queries for more problems."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import DomainError
from problems import services
from problems.models import Problem
from tests.factories import OrganisationFactory, project_in_stage
from tests.problems.conftest import make_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("problem_rules")]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hidden(other_officer, department):
    """A confidential project of the other team, and its problem."""
    project = project_in_stage("producing", owner=other_officer, name="绝密扩产项目", is_confidential=True)
    return make_problem(project, department, title="保密项目的用电问题")


def test_the_project_page_lists_its_problems_with_their_colour(english, officer, producing, department):
    make_problem(producing, department, title="二期用地指标", days_ago=60, due_in=-40)  # 40 days late
    make_problem(producing, department, title="人才公寓", kind=Problem.Kind.TALENT)
    english.force_login(officer)
    page = english.get(reverse("projects:project_detail", args=[producing.pk])).content.decode()
    assert "Problems and asks" in page and "二期用地指标" in page and "人才公寓" in page
    assert "2 open" in page
    assert 'data-level="yellow"' in page  # past the 30-day rung
    assert reverse("problems:aftercare_visit", args=[producing.pk]) in page


def test_an_officer_of_another_team_reads_but_cannot_change(english, other_officer, producing, department):
    problem = make_problem(producing, department)
    english.force_login(other_officer)
    page = english.get(reverse("projects:project_detail", args=[producing.pk])).content.decode()
    assert problem.title in page
    assert reverse("problems:problem_create", args=[producing.pk]) not in page
    assert english.get(reverse("problems:problem_detail", args=[problem.pk])).status_code == 200
    refused = english.post(reverse("problems:problem_status", args=[problem.pk]), {"status": "in_progress"})
    assert refused.status_code == 403
    assert english.get(reverse("problems:aftercare_visit", args=[producing.pk])).status_code == 403
    problem.refresh_from_db()
    assert problem.status == "open"


def test_a_confidential_project_s_problems_are_hidden_everywhere(english, officer, manager, hidden):
    english.force_login(officer)
    assert english.get(reverse("problems:problem_detail", args=[hidden.pk])).status_code == 404
    assert english.post(reverse("problems:problem_status", args=[hidden.pk]), {"status": "solved"}).status_code == 404
    assert english.get(reverse("problems:problem_edit", args=[hidden.pk])).status_code == 404
    assert english.get(reverse("problems:problem_create", args=[hidden.project_id])).status_code == 404
    assert hidden.title not in english.get(reverse("problems:problem_list")).content.decode()
    workbook = load_workbook(io.BytesIO(english.get(reverse("problems:problem_export")).content))
    assert [row for row in workbook.active.iter_rows(values_only=True) if hidden.title in row] == []
    api = english.get("/api/v1/problems/").json()
    assert hidden.pk not in [row["id"] for row in api["results"]]
    assert english.get(f"/api/v1/problems/{hidden.pk}/").status_code == 404
    # A manager sees every project, so its problems too.
    english.force_login(manager)
    assert english.get(reverse("problems:problem_detail", args=[hidden.pk])).status_code == 200


def test_the_office_list_filters_by_department_kind_age_and_team(
    english, officer, other_officer, producing, department, power
):
    late = make_problem(producing, department, title="用地指标", days_ago=120, due_in=-95)  # red
    make_problem(producing, power, title="双回路供电", kind=Problem.Kind.ENERGY)
    theirs = project_in_stage("producing", owner=other_officer, investor=OrganisationFactory())
    make_problem(theirs, power, title="融资担保", kind=Problem.Kind.FINANCE)
    english.force_login(officer)
    url = reverse("problems:problem_list")

    def titles(query: str) -> list[str]:
        response = english.get(f"{url}?{query}")
        assert response.status_code == 200
        return [row.title for row in response.context["page"].object_list]

    assert sorted(titles("")) == sorted(["用地指标", "双回路供电", "融资担保"])
    assert titles(f"department={department.pk}") == ["用地指标"]
    assert titles("kind=finance") == ["融资担保"]
    assert titles("age=red") == ["用地指标"]
    assert sorted(titles("age=on_time")) == sorted(["双回路供电", "融资担保"])
    assert sorted(titles(f"team={officer.team_id}")) == sorted(["用地指标", "双回路供电"])
    assert titles("status=solved") == []
    assert "题" not in titles("kind=nonsense")  # a bad filter shows the error, not a 500
    page = english.get(f"{url}?age=red").content.decode()
    assert "text-bg-danger" in page and late.title in page


def test_the_export_has_the_rows_of_the_page(english, officer, producing, department, power):
    make_problem(producing, department, title="用地指标", days_ago=50, due_in=-31)
    make_problem(producing, power, title="双回路供电")
    english.force_login(officer)
    response = english.get(reverse("problems:problem_export") + f"?department={department.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Project", "Problem", "Kind")
    assert [(row[1], row[3], row[9], row[10]) for row in rows[1:]] == [
        ("用地指标", "自然资源和规划局", 31, "Yellow warning")
    ]


def test_my_work_and_the_supervision_list_show_open_problems(english, officer, manager, producing, department):
    make_problem(producing, department, title="用地指标", days_ago=120, due_in=-95)
    solved = make_problem(producing, department, title="已解决的问题")
    Problem.objects.filter(pk=solved.pk).update(status="solved", closed_on=timezone.localdate(), resolution="已解决")
    english.force_login(officer)
    home = english.get("/").content.decode()
    assert 'id="open-problems"' in home and "用地指标" in home and "已解决的问题" not in home
    english.force_login(manager)
    supervision = english.get(reverse("reports:supervision")).content.decode()
    assert 'id="escalated-problems"' in supervision and "用地指标" in supervision


def test_closing_from_the_page_asks_for_the_note(english, officer, producing, department):
    problem = make_problem(producing, department)
    english.force_login(officer)
    url = reverse("problems:problem_status", args=[problem.pk])
    refused = english.post(url, {"status": "solved", "resolution": "", "on": timezone.localdate().isoformat()})
    assert refused.status_code == 200
    assert "Say how the problem was solved" in refused.content.decode()
    problem.refresh_from_db()
    assert problem.status == "open"
    done = english.post(url, {"status": "solved", "resolution": "已调剂指标", "on": timezone.localdate().isoformat()})
    assert done.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.resolution) == ("solved", "已调剂指标")


def test_raising_from_the_page(english, officer, producing, department):
    english.force_login(officer)
    url = reverse("problems:problem_create", args=[producing.pk])
    assert english.get(url).status_code == 200
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = english.post(
        url, {"title": "排污许可证", "kind": "environment", "department": department.pk, "due_on": due}
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.title, problem.raised_by, problem.status) == ("排污许可证", officer, "open")


def test_editing_moves_the_due_date_and_keeps_the_project(english, officer, producing, department):
    problem = make_problem(producing, department, due_in=5)
    english.force_login(officer)
    url = reverse("problems:problem_edit", args=[problem.pk])
    assert english.get(url).status_code == 200
    later = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    data = {"title": problem.title, "kind": problem.kind, "department": department.pk, "due_on": later}
    assert english.post(url, data).status_code == 302
    problem.refresh_from_db()
    assert (problem.due_on.isoformat(), problem.status) == (later, "open")
    other = project_in_stage("producing", owner=officer, investor=OrganisationFactory())
    problem.project = other
    with pytest.raises(DomainError) as refused:
        services.problem_save(problem=problem, by=officer)
    assert refused.value.field == "project"


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _add(projects, departments, n: int) -> None:
    for i in range(n):
        make_problem(projects[i % len(projects)], departments[i % 2], title=f"问题{i}", days_ago=100, due_in=i % 7 - 60)


def test_no_problem_page_runs_more_queries_for_more_problems(client, officer, manager, producing, department, power):
    projects = [producing, project_in_stage("started", owner=officer, investor=OrganisationFactory())]
    _add(projects, [department, power], 2)  # fewer than the panels list, then more: counted alike
    first = make_problem(producing, department)
    urls = [
        "/",
        "/?team=",
        reverse("projects:project_detail", args=[producing.pk]),
        reverse("problems:problem_list"),
        reverse("problems:problem_list") + f"?age=yellow&team={officer.team_id}&department={department.pk}",
        reverse("problems:problem_detail", args=[first.pk]),
        reverse("problems:problem_export"),
        reverse("reports:supervision"),
        "/api/v1/problems/",
    ]
    client.force_login(manager)
    few = {url: _queries(client, url) for url in urls}
    _add(projects, [department, power], 40)
    for status in ("in_progress", "open", "in_progress"):  # more history on the problem's page
        services.problem_change_status(problem=first, to_status=status, by=manager)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
