"""Every report downloads as .xlsx, for the period on its page, with what the user may see."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from core.models import AuditEvent
from tests.factories import ProjectFactory
from tests.transfer.conftest import login

pytestmark = pytest.mark.django_db

REPORTS = ["dashboard", "review", "supervision", "missions", "scorecards"]


def workbook(answer) -> openpyxl.Workbook:
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def rows_of(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.fixture
def late_projects(officer, other_officer, reminder_rules):
    today = timezone.localdate()
    signed = today - dt.timedelta(days=200)
    common = {
        "stage": "signed",
        "signed_on": signed,
        "signed_amount": 1,
        "started_planned": today - dt.timedelta(days=40),
    }
    ProjectFactory(name="=HYPERLINK(1)", owner=officer, total_investment=250000, **common)
    ProjectFactory(name="别组保密项目", owner=other_officer, is_confidential=True, **common)


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_downloads_for_the_period_of_its_page(client, manager, late_projects, name):
    login(client, manager)
    book = workbook(client.get(f"/transfer/export/reports/{name}.xlsx?year={timezone.localdate().year}"))
    assert book.sheetnames
    assert all(sheet.max_row >= 1 for sheet in book.worksheets)
    assert AuditEvent.objects.filter(event="export", detail__report=name).count() == 1


def test_the_supervision_list_export_names_the_late_milestone_in_numbers(client, officer, late_projects):
    login(client, officer)
    rows = rows_of(workbook(client.get("/transfer/export/reports/supervision.xlsx")).active)
    assert [row["Project"] for row in rows] == ["'=HYPERLINK(1)"]  # neutralised, and no other team's secret
    assert rows[0]["Days late"] == 40
    assert isinstance(rows[0]["Planned"], dt.datetime)


def test_the_review_export_starts_with_the_paragraph(client, manager, late_projects):
    login(client, manager)
    book = workbook(client.get(f"/transfer/export/reports/review.xlsx?year={timezone.localdate().year}"))
    paragraph = book.worksheets[0].cell(row=2, column=1).value
    assert "Signed" in paragraph or "signed" in paragraph


def test_a_bad_period_is_refused_and_nothing_is_recorded(client, manager):
    login(client, manager)
    answer = client.get("/transfer/export/reports/dashboard.xlsx?year=20x5")
    assert answer.status_code == 400
    assert not AuditEvent.objects.filter(event="export").exists()
    assert client.get("/transfer/export/reports/nothing.xlsx").status_code == 404


def test_the_report_page_links_to_its_export_with_the_same_period(client, manager):
    login(client, manager)
    page = client.get("/reports/missions/?year=2025&quarter=2").content.decode()
    assert 'href="/transfer/export/reports/missions.xlsx?year=2025&amp;quarter=2"' in page


def test_sheet_titles_are_made_acceptable_to_excel():
    from transfer.exporting import sheet_title

    used: set[str] = set()
    assert sheet_title("Split: by park / cluster [2025]?", used) == "Split  by park   cluster  2025"
    second = sheet_title("Split: by park / cluster [2025]?", used)
    assert second.endswith(" (2)") and len(second) <= 31
    assert len(sheet_title("很长的标题" * 10, used)) == 31
