"""Importing the project ledger (项目台账): amounts and dates as offices write them,
stages reached through the stage machine, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import Project, StageChange
from tests.factories import OrganisationFactory, credit_code, project_in_stage
from tests.transfer.conftest import commit, job_of, login, upload, xlsx

pytestmark = pytest.mark.django_db

HEADERS = [
    "项目名称",
    "投资方",
    "总投资(万元)",
    "阶段",
    "线索日期",
    "在谈日期",
    "签约日期",
    "签约金额(万元)",
    "开工日期",
]


@pytest.fixture
def investor(officer):
    return OrganisationFactory(name="村田（中国）投资有限公司", credit_code=credit_code(3), owner=officer)


def import_projects(client, headers, rows, name="台账.xlsx"):
    job = job_of(upload(client, "projects", xlsx(headers, rows), name))
    return job


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("5亿", Decimal("50000")),
        ("50,000万元", Decimal("50000")),
        ("５亿", Decimal("50000")),
        ("1.2亿元", Decimal("12000")),
        ("8000万", Decimal("8000")),
        ("300000000元", Decimal("30000")),
        (50000, Decimal("50000")),
        ("５０，０００万元", Decimal("50000")),
    ],
)
def test_amounts_as_people_write_them(client, officer, investor, written, stored):
    login(client, officer)
    job = commit(
        client, import_projects(client, ["项目名称", "投资方", "总投资(万元)"], [["新工厂", investor.name, written]])
    )
    assert job.status == "done", (job.message, job.report)
    assert Project.objects.get().total_investment == stored


def test_a_usd_amount_is_kept_as_foreign_capital(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)", "外资(万美元)"]
    job = commit(client, import_projects(client, headers, [["外资项目", investor.name, "2亿", "3000万美元"]]))
    assert job.status == "done", job.report
    project = Project.objects.get()
    assert project.foreign_capital_usd == Decimal("3000")
    assert project.capital_origin == Project.CapitalOrigin.FOREIGN
    assert project.total_investment == Decimal("20000")


def test_a_usd_total_is_converted_at_the_rate_of_the_row_s_year_and_the_rate_is_kept(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资", "签约日期", "签约金额(万元)", "阶段"]
    job = import_projects(client, headers, [["外资项目", investor.name, "3,000万美元", "2023/5/10", "2亿", "签约"]])
    [row] = job.report["rows"]
    assert row["action"] == "create", row
    # The preview shows the yuan figure and the rate
    shown = " ".join(after for _column, _before, after in row["changes"])
    assert "21140.10" in shown and "7.0467" in shown
    assert "7.0467" in client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    project = Project.objects.get()
    assert project.total_investment == Decimal("21140.10")
    assert (project.original_amount, project.original_currency) == (Decimal("3000"), "USD")
    assert project.exchange_rate == Decimal("7.0467") and "统计公报" in project.exchange_rate_source
    assert project.foreign_capital_usd == Decimal("3000")
    assert project.capital_origin == Project.CapitalOrigin.FOREIGN


def test_a_foreign_total_in_a_year_without_a_rate_names_currency_and_year(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资", "签约日期", "阶段", "签约金额(万元)"]
    job = import_projects(client, headers, [["欧洲项目", investor.name, "800万欧元", "2023/5/10", "签约", "5000"]])
    [row] = job.report["rows"]
    assert row["action"] == "error"
    assert "No exchange rate is stored for Euro (EUR) in 2023" in row["errors"][0][1]
    assert "Admin › Exchange rates" in row["errors"][0][1]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("header", "written", "stored"),
    [
        ("总投资（亿元）", 5, Decimal("50000")),
        ("总投资(亿元)", "1.5", Decimal("15000")),
        ("计划总投资(万元)", "５０００", Decimal("5000")),
        ("投资额", "2亿元人民币", Decimal("20000")),
        ("总投资（亿元）", "8000万元", Decimal("8000")),
    ],
)
def test_a_bare_number_is_read_in_the_unit_its_header_names(client, officer, investor, header, written, stored):
    login(client, officer)
    job = commit(client, import_projects(client, ["项目名称", "投资方", header], [["新工厂", investor.name, written]]))
    assert job.status == "done", (job.message, job.report)
    assert Project.objects.get().total_investment == stored


@pytest.mark.parametrize(
    "written",
    [
        "2024年1月24日",
        "2024/1/24",
        "2024-01-24",
        "2024.1.24",
        45315,
        "45315",
        "２０２４年１月２４日",
        dt.date(2024, 1, 24),
    ],
)
def test_dates_as_people_write_them(client, officer, investor, written, frozen_today):
    login(client, officer)
    job = import_projects(
        client, ["项目名称", "投资方", "总投资", "线索日期"], [["新工厂", investor.name, "1亿", written]]
    )
    job = commit(client, job)
    assert job.status == "done", job.report
    assert Project.objects.get().lead_on == dt.date(2024, 1, 24)


def test_a_ledger_row_walks_the_project_through_its_stages(client, officer, investor, frozen_today):
    login(client, officer)
    row = [
        "村田新工厂",
        "村田投资有限公司",
        "5亿",
        "开工",
        "2023年3月1日",
        "2023/6/1",
        "2023-09-01",
        "5亿",
        "2024年1月24日",
    ]
    job = commit(client, import_projects(client, HEADERS, [row]))
    assert job.status == "done", job.report
    project = Project.objects.get()
    assert project.stage == "started"
    assert (project.lead_on, project.negotiating_on, project.signed_on, project.started_on) == (
        dt.date(2023, 3, 1),
        dt.date(2023, 6, 1),
        dt.date(2023, 9, 1),
        dt.date(2024, 1, 24),
    )
    assert project.investor == investor and project.signed_amount == Decimal("50000")
    assert list(StageChange.objects.order_by("reached_on").values_list("to_stage", "changed_by")) == [
        ("negotiating", officer.pk),
        ("signed", officer.pk),
        ("started", officer.pk),
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [("在谈", "negotiating"), ("Under negotiation", "negotiating"), ("negotiating", "negotiating")],
)
def test_stage_names_in_chinese_or_english(client, officer, investor, stage, expected, frozen_today):
    login(client, officer)
    row = ["项目", investor.name, "1亿", stage, "2024/1/1", "2024/2/1", "", "", ""]
    job = commit(client, import_projects(client, HEADERS, [row]))
    assert job.status == "done", job.report
    assert Project.objects.get().stage == expected


def test_the_stage_rules_apply_to_an_import(client, officer, investor, frozen_today):
    login(client, officer)
    # Signed without a signed amount, and started before it was signed.
    rows = [
        ["甲项目", investor.name, "1亿", "签约", "2024/1/1", "2024/2/1", "2024/3/1", "", ""],
        ["乙项目", investor.name, "1亿", "开工", "2024/1/1", "2024/2/1", "2024/3/1", "1亿", "2024/2/15"],
        ["丙项目", investor.name, "1亿", "在谈", "2024/1/1", "2025/2/1", "", "", ""],
    ]
    job = import_projects(client, HEADERS, rows)
    errors = {row["row"]: row["errors"][0] for row in job.report["rows"] if row["action"] == "error"}
    assert set(errors) == {2, 3, 4}
    assert "signed amount" in errors[2][1]
    assert "reached" in errors[3][1]
    assert "future" in errors[4][1]
    assert not Project.objects.exists()


def test_an_officer_imports_projects_in_their_own_name_only(client, officer, colleague, investor):
    login(client, officer)
    job = import_projects(
        client, ["项目名称", "投资方", "总投资", "负责人"], [["项目", investor.name, "1亿", colleague.username]]
    )
    [row] = job.report["rows"]
    assert row["action"] == "error" and "own name" in row["errors"][0][1]


def test_an_unknown_park_or_officer_is_an_error_naming_the_value(client, officer, investor):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资", "园区", "负责人"]
    job = import_projects(
        client,
        headers,
        [["项目", "不存在的公司", "1亿", "", ""], ["项目二", investor.name, "1亿", "火星园区", "nobody"]],
    )
    messages = [message for row in job.report["rows"] for _column, message in row["errors"]]
    # An investor not found is created with its project (test_import_named.py).
    assert not any("不存在的公司" in message for message in messages)
    assert any("火星园区" in message for message in messages)
    assert any("nobody" in message for message in messages)


def test_industries_parks_and_officers_are_found_by_name(client, manager, colleague, investor, zone):
    colleague.first_name, colleague.last_name = "四", "李"
    colleague.save()
    login(client, manager)
    headers = ["项目名称", "投资方", "总投资", "产业", "载体", "负责人"]
    job = commit(
        client,
        import_projects(
            client, headers, [["项目", investor.name, "1亿", "Integrated circuits", "集成电路设计产业园", "李四"]]
        ),
    )
    assert job.status == "done", job.report
    project = Project.objects.get()
    assert (project.industry, project.park, project.owner) == (zone["industry"], zone["park"], colleague)


def test_an_officer_cannot_import_into_another_teams_project(client, officer, other_officer, investor):
    theirs = project_in_stage("lead", name="别组项目", investor=investor, owner=other_officer)
    login(client, officer)
    job = import_projects(client, ["项目名称", "投资方", "总投资"], [["别组项目", investor.name, "9亿"]])
    [row] = job.report["rows"]
    assert row["action"] == "error"
    commit(client, job)
    theirs.refresh_from_db()
    assert theirs.total_investment == Decimal("50000")


def test_an_officer_cannot_create_projects_for_another_team(client, officer, other_team, investor):
    login(client, officer)
    job = import_projects(
        client, ["项目名称", "投资方", "总投资", "团队"], [["项目", investor.name, "1亿", other_team.name]]
    )
    [row] = job.report["rows"]
    assert row["action"] == "error" and "own team" in row["errors"][0][1]


def test_changing_a_planned_date_needs_a_reason_and_is_recorded(client, officer, investor, frozen_today):
    project = project_in_stage(
        "signed", name="计划项目", investor=investor, owner=officer, started_planned=dt.date(2024, 9, 1)
    )
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资", "计划开工日期"]
    job = import_projects(client, headers, [["计划项目", investor.name, "5亿", "2024/10/1"]])
    [row] = job.report["rows"]
    assert row["action"] == "error" and "re-plan" in row["errors"][0][1]

    job = import_projects(
        client, [*headers, "计划调整原因"], [["计划项目", investor.name, "5亿", "2024/10/1", "土地证延后"]]
    )
    assert job.report["rows"][0]["changes"] == [["Planned construction start", "2024-09-01", "2024-10-01"]]
    assert commit(client, job).status == "done"
    project.refresh_from_db()
    assert project.started_planned == dt.date(2024, 10, 1)
    assert project.replans.get().reason == "土地证延后"


def test_a_ledger_without_lead_dates_leaves_the_lead_date_unknown(client, officer, investor, frozen_today):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资", "阶段", "在谈日期", "签约日期", "签约金额"]
    job = commit(
        client,
        import_projects(client, headers, [["项目", investor.name, "2亿", "签约", "2024/2/1", "2024/3/1", "2亿"]]),
    )
    assert job.status == "done", job.report
    project = Project.objects.get()
    # The lead date is not taken from the negotiation's: it is recorded as unknown.
    assert (project.lead_on, project.signed_on, project.stage) == (None, dt.date(2024, 3, 1), "signed")
    assert project.undated() == ["lead"]
    assert job.content == b""  # not kept once imported
