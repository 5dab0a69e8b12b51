"""The problem list as an Excel workbook, from the same filtered selector as the page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.models import AlertLevel
from problems import selectors
from transfer.exporting import Sheet, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(problems, today: dt.date):
    for problem in problems.iterator(chunk_size=2000):
        selectors.decorate([problem], today)
        yield [
            problem.project.name,
            problem.title,
            str(problem.get_kind_display()),
            problem.department.name,
            problem.department_contact,
            problem.raised_on,
            str(problem.raised_by),
            problem.due_on,
            str(problem.get_status_display()),
            problem.days_late or None,
            str(AlertLevel(problem.level).label) if problem.level else "",
            problem.closed_on,
            problem.resolution,
            problem.project.team.name if problem.project.team else "",
        ]


def problem_workbook(problems, *, today: dt.date) -> bytes:
    headers = [
        _("Project"),
        _("Problem"),
        _("Kind"),
        _("Department responsible"),
        _("Person responsible there"),
        _("Raised on"),
        _("Raised by"),
        _("Due date"),
        _("Status"),
        _("Days late"),
        _("Alert level"),
        _("Closed on"),
        _("Resolution"),
        _("Team"),
    ]
    return write_xlsx([Sheet(_("Problems to coordinate"), headers, _rows(problems, today))])


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "no-store"
    return response
