"""Columns as offices name them: the usual headers of every column (units in brackets
taken into account), a column the matcher cannot place chosen by the user on the
preview and remembered for the user and kind, and 负责人 by login or by name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import Project
from tests.factories import IndustryFactory, OrganisationFactory, UserFactory, credit_code
from tests.transfer.conftest import commit, job_of, login, upload, xlsx
from transfer.models import ColumnChoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def investor(officer):
    return OrganisationFactory(name="无锡芯源半导体有限公司", credit_code=credit_code(7), owner=officer)


OFFICE_HEADERS = [
    "项目名称",
    "投资方名称",
    "统一社会信用代码",
    "所属产业",
    "总投资（亿元）",
    "当前阶段",
    "签约时间",
    "签约金额(万元)",
    "实际开工时间",
    "计划竣工时间",
    "责任人",
    "备注",
]


def test_a_ledger_under_the_office_s_own_headers_is_read_whole(client, officer, investor, frozen_today):
    IndustryFactory(name="集成电路")
    login(client, officer)
    row = [
        "芯源二期",
        "無錫芯源半導體有限公司",
        investor.credit_code,
        "集成电路",
        "1.5",
        "开工",
        "2023年3月1日",
        "15000",
        "2023/9/1",
        "2025-06-30",
        officer.username,
        "一期已投产",
    ]
    job = job_of(upload(client, "projects", xlsx(OFFICE_HEADERS, [row]), "台账.xlsx"))
    assert job.report["ignored"] == []
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert project.investor == investor
    assert project.industry.name == "集成电路"
    assert project.total_investment == Decimal("15000")
    assert project.stage == "started"
    assert (project.signed_on, project.started_on) == (dt.date(2023, 3, 1), dt.date(2023, 9, 1))
    assert project.completed_planned == dt.date(2025, 6, 30)
    assert project.owner == officer and project.description == "一期已投产"


def test_english_headers_are_read(client, officer, investor, frozen_today):
    login(client, officer)
    headers = ["Project name", "Investor", "Credit code", "Total investment (100M yuan)", "Stage", "Signing date"]
    headers += ["Signed amount (10k yuan)", "Person in charge", "Remarks"]
    row = ["Phase 2", investor.name, investor.credit_code, 2, "signed", "2023-03-01", 20000, officer.username, "ok"]
    job = commit(client, job_of(upload(client, "projects", xlsx(headers, [row]), "ledger.xlsx")))
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert (project.total_investment, project.signed_on, project.description) == (
        Decimal("20000"),
        dt.date(2023, 3, 1),
        "ok",
    )


def test_a_column_it_cannot_place_is_chosen_by_the_user_and_remembered(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "落地方式"]
    data = xlsx(headers, [["新工厂", investor.name, 5000, "租赁厂房"]])
    job = job_of(upload(client, "projects", data, "台账.xlsx"))
    assert job.report["ignored"] == ["落地方式"]
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert 'data-testid="column-choices"' in page and "落地方式" in page
    # The user says the column is the source details
    response = client.post(f"/transfer/jobs/{job.pk}/columns/", {"column-0": "source_note"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "previewed" and job.report["ignored"] == []
    job = commit(client, job)
    assert job.status == "done", job.report
    assert Project.objects.get().source_note == "租赁厂房"
    # The next file of the same kind from the same user places it at once
    data = xlsx(headers, [["新工厂二期", investor.name, 3000, "自建"]])
    job = job_of(upload(client, "projects", data, "台账2.xlsx"))
    assert job.report["ignored"] == []
    commit(client, job)
    assert Project.objects.get(name="新工厂二期").source_note == "自建"
    # Another user is asked again
    other = UserFactory(team=officer.team)
    login(client, other)
    job = job_of(upload(client, "projects", xlsx(headers, [["三期", investor.name, 1, "x"]]), "台账3.xlsx"))
    assert job.report["ignored"] == ["落地方式"]


def test_a_column_the_user_ignores_is_not_asked_about_again(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "序号说明"]
    job = job_of(upload(client, "projects", xlsx(headers, [["新工厂", investor.name, 5000, "a"]]), "台账.xlsx"))
    client.post(f"/transfer/jobs/{job.pk}/columns/", {"column-0": ""})
    assert ColumnChoice.objects.get(user=officer, kind="projects").column == ""
    job = job_of(upload(client, "projects", xlsx(headers, [["新工厂", investor.name, 5000, "b"]]), "台账2.xlsx"))
    assert job.report["ignored"] == []


@pytest.mark.parametrize("written", ["zhang", "张三", "张 三", "三哥"])
def test_the_person_in_charge_is_found_by_login_or_by_name(client, officer, investor, written):
    officer.first_name, officer.last_name, officer.display_name = "三", "张", "三哥"
    officer.save()
    owner = officer  # officers create records in their own name
    UserFactory(username="li.si", first_name="四", last_name="李", team=officer.team)
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "负责人"]
    job = commit(client, job_of(upload(client, "projects", xlsx(headers, [["新工厂", investor.name, 1, written]]))))
    assert job.status == "done", job.report["rows"][0]["errors"]
    assert Project.objects.get().owner == owner
