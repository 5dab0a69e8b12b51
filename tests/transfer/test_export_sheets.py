"""Exported workbooks read well in Excel: one labelled column per fact (no internal
keys), sheet names cut at a word (or given short names), a filter on every list's
header row with the header frozen, and the same words as the pages (投资方)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from tests.factories import ProjectFactory
from transfer.exporting import Sheet, sheet_title, write_xlsx

pytestmark = pytest.mark.django_db


def workbook(answer) -> openpyxl.Workbook:
    assert answer.status_code == 200, answer.content[:300]
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def login(client, user, language="zh-hans"):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)


def headers(sheet) -> list:
    return list(next(sheet.iter_rows(values_only=True)))


@pytest.fixture
def signed_project(officer, reminder_rules):
    today = timezone.localdate()
    return ProjectFactory(
        owner=officer,
        stage="signed",
        signed_on=today - dt.timedelta(days=200),
        signed_amount=1,
        started_planned=today - dt.timedelta(days=40),
        total_investment=250000,
    )


def test_the_dashboards_first_sheet_has_one_stage_column_with_labels(client, manager, signed_project):
    login(client, manager)
    book = workbook(client.get(f"/transfer/export/reports/dashboard.xlsx?year={timezone.localdate().year}"))
    first = book.worksheets[0]
    assert headers(first).count("阶段") == 1
    stages = [row[0] for row in first.iter_rows(min_row=2, values_only=True)]
    assert "签约" in stages
    assert not {"lead", "signed", "negotiating"} & set(stages)


def test_english_sheet_names_are_whole_words(client, manager, signed_project):
    login(client, manager, "en")
    names = []
    for report in ("dashboard", "review", "supervision", "missions", "scorecards"):
        names += workbook(client.get(f"/transfer/export/reports/{report}.xlsx")).sheetnames
    assert "Stages reached" in names
    assert "Late milestones" in names
    for name in names:
        assert len(name) <= 31
        assert name.split()[-1] not in {"stag", "the", "in", "by", "of"}, name


def test_a_long_title_is_cut_at_a_word():
    used: set[str] = set()
    assert sheet_title("Projects that reached each stage in the period", used) == "Projects that reached each"
    assert sheet_title("Projects that reached each stage in the period", used) == "Projects that reached each (2)"
    assert len(sheet_title("重大项目" * 10, used)) == 31


def test_a_list_export_has_a_filter_and_a_frozen_header(client, officer, signed_project):
    login(client, officer)
    sheet = workbook(client.get("/transfer/export/projects.xlsx")).worksheets[0]
    assert sheet.freeze_panes == "A2"
    width = sheet.max_column
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(width)}2"


def test_an_empty_sheet_still_has_its_filter():
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx([Sheet(title="x", headers=["a", "b"], rows=[])])))
    assert book.worksheets[0].auto_filter.ref == "A1:B1"


def test_the_supervision_export_says_investor_as_the_pages_do(client, officer, signed_project):
    login(client, officer)
    sheet = workbook(client.get("/transfer/export/reports/supervision.xlsx")).worksheets[0]
    assert "投资方" in headers(sheet)
    assert "投资机构" not in headers(sheet)
