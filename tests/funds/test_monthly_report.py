"""The monthly report (月报): its figures for a month, what an officer may see, the
export's figures against the page's, and a page whose queries do not grow with rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funds.report import Month, monthly_report
from projects.models import Project, Target
from tests.factories import ProjectFactory, UserFactory
from tests.funds.conftest import entry
from tests.transfer.conftest import login

JUNE_2024 = Month(2024, 6)


def signed_project(owner, name, total, signed_on, **extra):
    return ProjectFactory(
        name=name, owner=owner, total_investment=total, stage=extra.pop("stage", "signed"), signed_on=signed_on, **extra
    )


@pytest.fixture
def zone(officer, other_officer, frozen_today):
    p1 = signed_project(officer, "十二亿新项目", 120000, dt.date(2024, 6, 3))
    p2 = signed_project(
        officer,
        "两亿外资项目",
        20000,
        dt.date(2024, 2, 10),
        stage="started",
        started_on=dt.date(2024, 6, 5),
        capital_origin=Project.CapitalOrigin.FOREIGN,
    )
    p3 = signed_project(officer, "去年小项目", 5000, dt.date(2023, 3, 1))
    secret = signed_project(other_officer, "别组百亿保密项目", 1000000, dt.date(2024, 6, 1), is_confidential=True)
    entry(p1, dt.date(2024, 6, 1), 3000)
    entry(p2, dt.date(2024, 2, 1), 2000, kind="loan")
    entry(p2, dt.date(2024, 6, 1), 1000, usd=Decimal(140))
    entry(p3, dt.date(2023, 4, 1), 500)
    entry(p3, dt.date(2023, 6, 1), 200)
    entry(secret, dt.date(2024, 6, 1), 9999)
    return {"p1": p1, "p2": p2, "p3": p3, "secret": secret}


def target_for_2024(name: str, metric: str, value: int) -> Target:
    return Target.objects.create(
        name=name, metric=metric, value=value, starts_on=dt.date(2024, 1, 1), deadline=dt.date(2024, 12, 31)
    )


def rows(report, key) -> dict[str, dict]:
    return {
        row.get("kind") or row.get("tier") or row.get("stage") or row["label"]: row for row in report.table(key).rows
    }


def test_funds_in_place_for_the_month_the_year_and_last_year(zone, officer):
    funds = rows(monthly_report(user=officer, month=JUNE_2024), "monthly_funds")
    total = funds["total"]
    assert (total["month"], total["month_ly"], total["ytd"], total["ytd_ly"]) == (
        Decimal("0.40"),
        Decimal("0.02"),
        Decimal("0.60"),
        Decimal("0.07"),
    )
    assert total["ytd_change"] == Decimal("757.1")
    assert funds["loan"]["ytd"] == Decimal("0.20") and funds["loan"]["month"] == 0


def test_signed_projects_by_tier_and_the_milestones_of_the_month(zone, officer):
    report = monthly_report(user=officer, month=JUNE_2024)
    signed = rows(report, "monthly_signed")
    assert (signed["above_1b"]["month_count"], signed["above_1b"]["month_yi"]) == (1, Decimal("12.00"))
    assert (signed["total"]["month_count"], signed["total"]["ytd_count"], signed["total"]["ytd_ly_count"]) == (1, 2, 1)
    started = rows(report, "monthly_milestones")["started"]
    assert (started["month"], started["ytd"]) == (1, 1)
    fdi = report.table("monthly_foreign_capital").rows[0]
    assert (fdi["month"], fdi["ytd"]) == (Decimal("140.00"), Decimal("140.00"))


def test_an_officer_never_counts_another_teams_confidential_project(zone, officer, manager):
    officer_total = rows(monthly_report(user=officer, month=JUNE_2024), "monthly_funds")["total"]["month"]
    manager_total = rows(monthly_report(user=manager, month=JUNE_2024), "monthly_funds")["total"]["month"]
    assert (officer_total, manager_total) == (Decimal("0.40"), Decimal("1.40"))
    assert rows(monthly_report(user=officer, month=JUNE_2024), "monthly_signed")["above_10b"]["month_count"] == 0


def test_the_funds_targets_show_progress_against_time(zone, manager, frozen_today):
    target_for_2024("2024年到位资金1亿元", Target.Metric.FUNDS_IN_PLACE, 1)
    target_for_2024("2024年实际使用外资1000万美元", Target.Metric.FOREIGN_CAPITAL_USED, 1000)
    target_for_2024("新签项目", Target.Metric.SIGNED_PROJECTS, 10)
    targets = {
        row["metric"]: row for row in monthly_report(user=manager, month=JUNE_2024).table("monthly_targets").rows
    }
    assert set(targets) == {"funds_in_place", "foreign_capital_used"}  # the report's own targets only
    assert targets["funds_in_place"]["actual"] == Decimal("1.60")  # 0.60 + the secret 0.9999, in 亿元
    assert targets["funds_in_place"]["done_pct"] == Decimal("160.0")
    assert targets["foreign_capital_used"]["actual"] == Decimal("140.00")
    assert targets["foreign_capital_used"]["time_pct"] == Decimal("45.6")  # 15 June 2024: day 167 of 366


def same_number(text: str) -> str:
    """ "1.00", "1.0" and "1" are one number (a text column of the page, a number cell)."""
    try:
        return str(Decimal(text).normalize())
    except ArithmeticError:
        return text


class Cells(HTMLParser):
    """The text of each cell of each table on a page, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag == "td" and self.table is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.table[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def shown(value, number_format: str) -> str:
    """A cell of the export as the page writes it."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float | int) and number_format == "General":
        return same_number(str(value))
    if number_format == "0.0":
        return f"{Decimal(str(value)):.1f}%"
    if number_format == "0.00":
        number = Decimal(str(value)).quantize(Decimal("0.01"))
        return str(int(number)) if number == number.to_integral_value() else f"{number:.2f}"
    return str(value)


def test_the_download_has_the_figures_of_the_page(zone, client, manager):
    target_for_2024("2024年到位资金10亿元", Target.Metric.FUNDS_IN_PLACE, 10)
    login(client, manager)
    page = client.get("/funds/monthly-report/?year=2024&month=6")
    assert page.status_code == 200
    parser = Cells()
    parser.feed(page.content.decode())
    export = client.get("/transfer/export/reports/monthly.xlsx?year=2024&month=6")
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    tables = page.context["report"].tables
    assert len(book.worksheets) == len(tables) == 6
    for sheet, table in zip(book.worksheets, tables, strict=True):
        on_page = [[same_number(cell) for cell in row] for row in parser.tables[f"table-{table.key}"] if row]
        in_file = [
            [same_number(shown(cell.value, cell.number_format)) for cell in row]
            for row in list(sheet.iter_rows(min_row=2))
        ]
        assert in_file == on_page, table.key
    funds_rows = parser.tables["table-monthly_funds"]
    assert ["Total", "1.40", "0.02", "1.60", "0.07", "2185.7%"] in funds_rows


def test_a_wrong_month_shows_the_current_one_with_the_reason(client, officer, frozen_today):
    login(client, officer)
    page = client.get("/funds/monthly-report/?year=2024&month=13")
    assert page.status_code == 400
    assert page.context["month"] == Month(2024, 6)
    assert "between 1 and 12" in page.content.decode()
    assert client.get("/transfer/export/reports/monthly.xlsx?month=13").status_code == 400


def test_the_page_costs_the_same_queries_for_more_projects_and_entries(zone, client, officer):
    login(client, officer)
    url = "/funds/monthly-report/?year=2024&month=6"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    someone = UserFactory(team=officer.team)
    for number in range(6):
        project = signed_project(someone, f"更多项目{number}", 10000 * (number + 1), dt.date(2024, 6, 2))
        entry(project, dt.date(2024, 6, 1), 100 + number)
        entry(project, dt.date(2024, 5, 1), 100 + number, kind="own_funds")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_problems_raised_and_solved_are_counted_by_window(zone, officer):
    from problems.models import Department, Problem

    department = Department.objects.create(name="自然资源和规划局")

    def problem(project, raised_on, status="open", closed_on=None):
        return Problem.objects.create(
            project=project,
            title="用地指标",
            kind="land",
            raised_on=raised_on,
            raised_by=officer,
            department=department,
            due_on=raised_on + dt.timedelta(days=30),
            status=status,
            closed_on=closed_on,
            resolution="已协调" if closed_on else "",
        )

    problem(zone["p1"], dt.date(2024, 6, 4))
    problem(zone["p2"], dt.date(2024, 3, 1), "solved", dt.date(2024, 6, 10))
    problem(zone["p2"], dt.date(2024, 5, 1), "unsolvable", dt.date(2024, 5, 20))
    problem(zone["p3"], dt.date(2023, 6, 2), "solved", dt.date(2023, 6, 20))
    problem(zone["secret"], dt.date(2024, 6, 5))  # another team's confidential project

    table = rows(monthly_report(user=officer, month=JUNE_2024), "monthly_problems")
    assert {key: (row["month"], row["month_ly"], row["ytd"], row["ytd_ly"]) for key, row in table.items()} == {
        "opened": (1, 1, 3, 1),
        "solved": (1, 1, 1, 1),
        "unsolvable": (0, 0, 1, 0),
    }
