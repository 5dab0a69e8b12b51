"""The reports' .xlsx downloads carry the same figures as the reports, as numbers."""

import io
from decimal import Decimal

import openpyxl
import pytest

from projects.reports import selectors
from projects.reports.periods import parse_period
from projects.reports.selectors.common import Column

YEAR_2024 = parse_period({"year": "2024"})


def sheets(client, user, name: str, query: str = "year=2024") -> dict[str, list[tuple]]:
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    answer = client.get(f"/transfer/export/reports/{name}.xlsx?{query}")
    assert answer.status_code == 200, answer.content[:300]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def by_first_cell(rows: list[tuple]) -> dict:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_the_dashboard_workbook_has_the_known_zones_figures(client, zone, manager):
    book = sheets(client, manager, "dashboard")
    team_sheet = next(rows for rows in book.values() if any(row[0] == "日韩招商组" for row in rows[1:]))
    japan_korea = by_first_cell(team_sheet)["日韩招商组"]
    assert japan_korea["Signed"] == 5  # P1 P2 P5 P7 P8, as the dashboard test counts them
    assert japan_korea["Signed investment (100M yuan)"] == pytest.approx(27.7)


def test_every_sheet_equals_its_table(client, zone, manager):
    report = selectors.dashboard(user=manager, period=YEAR_2024)
    tables = [report.funnel, *report.splits, report.trend, report.targets]
    if report.landed is not None and report.landed.rows:  # funds in place, when installed
        tables.append(report.landed)
    book = list(sheets(client, manager, "dashboard").values())
    assert len(book) == len(tables)
    for rows, table in zip(book, tables, strict=True):
        # Internal keys ("lead" beside 线索) are left out: one column per fact.
        columns = Column.shown(table.columns)
        assert list(rows[0]) == [str(column.label) for column in columns]
        for written, row in zip(rows[1:], table.rows, strict=True):
            for value, column in zip(written, columns, strict=True):
                expected = row.get(column.key)
                if isinstance(expected, Decimal):
                    assert value == pytest.approx(float(expected)), (table.key, column.key)
                elif expected is None or expected == "":
                    assert value in (None, ""), (table.key, column.key)
                else:
                    assert value == expected, (table.key, column.key)


def test_the_review_workbook_counts_new_projects_per_tier(client, zone, manager):
    review = selectors.review(user=manager, period=YEAR_2024)
    book = list(sheets(client, manager, "review").values())
    assert book[0][1][0] == review.paragraphs["en"]
    tiers = by_first_cell(book[1])
    for row in review.new_projects.rows:
        assert tiers[str(row["label"])]["Projects"] == row["count"]
