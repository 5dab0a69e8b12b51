"""Lists downloaded as .xlsx: filtered as on the page, only what the user may see,
typed cells, no formulas, and a file that imports back without a change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.models import Contact, Mission, Organisation, Visit
from projects.models import Project
from tests.factories import (
    ContactFactory,
    MissionFactory,
    OrganisationFactory,
    ProjectFactory,
    VisitFactory,
    project_in_stage,
)
from tests.transfer.conftest import job_of, login, read_xlsx, upload

pytestmark = pytest.mark.django_db


def export(client, name, query=""):
    response = client.get(f"/transfer/export/{name}.xlsx{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def ledger(officer, zone, frozen_today):
    """A small zone with one of everything, written the way people write."""
    organisation = OrganisationFactory(
        name="村田（中国）投资有限公司",
        name_en="Murata (China) Investment Co., Ltd.",
        owner=officer,
        industry=zone["industry"],
        park=zone["park"],
        is_in_zone=True,
        city="无锡",
        listed_on=dt.date(2020, 5, 6),
        exchange="TSE",
        stock_code="6981",
    )
    ContactFactory(organisation=organisation, name="田中", title="总经理", phone="+81 3 1234 5678", owner=officer)
    mission = MissionFactory(title="日本招商团组", owner=officer, leader=officer, cities="东京、大阪")
    mission.participants.set([officer])
    visit = VisitFactory(
        organisation=organisation, owner=officer, mission=mission, date=mission.start_date, summary="=介绍园区政策"
    )
    visit.officers.set([officer])
    visit.contacts.set(organisation.contacts.all())
    project = project_in_stage(
        "started",
        name="村田新工厂",
        investor=organisation,
        owner=officer,
        total_investment=Decimal("500000"),
        signed_amount=Decimal("500000"),
        foreign_capital_usd=Decimal("7000"),
        capital_origin="foreign",
        is_major=True,
        completed_planned=dt.date(2025, 4, 30),
        industry=zone["industry"],
    )
    project_in_stage("on_hold", name="搁置项目", investor=organisation, owner=officer, exit_reason="资金未到位")
    return {"organisation": organisation, "project": project}


@pytest.mark.parametrize("name", ["organisations", "contacts", "missions", "visits", "projects"])
def test_an_export_imports_back_without_creating_or_changing_anything(client, officer, ledger, name):
    login(client, officer)
    data = export(client, name)
    counts = {model: model.objects.count() for model in (Organisation, Contact, Mission, Visit, Project)}
    job = job_of(upload(client, name, data, f"{name}.xlsx"))
    assert job.status == "previewed", job.message
    report = job.report
    assert report["counts"]["create"] == 0 and report["counts"]["update"] == 0, report["rows"]
    assert report["counts"]["error"] == 0 and report["counts"]["unchanged"] >= 1, report["rows"]
    assert report["ignored"] == []
    assert {model: model.objects.count() for model in counts} == counts


def test_numbers_stay_numbers_and_dates_stay_dates(client, officer, ledger):
    login(client, officer)
    rows = read_xlsx(export(client, "projects"))
    started = rows[1:][column(rows, "Project name").index("村田新工厂")]
    headers = rows[0]
    assert started[headers.index("Total investment (10k yuan)")] == 500000
    assert isinstance(started[headers.index("Total investment (10k yuan)")], int | float)
    assert isinstance(started[headers.index("Construction started on")], dt.datetime)
    assert started[headers.index("Planned completion")] == dt.datetime(2025, 4, 30)
    assert started[headers.index("Stage")] == "Construction started"
    assert started[headers.index("Major project")] == "Yes"


def test_cells_that_would_be_formulas_are_neutralised(client, officer, frozen_today):
    hostile = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    for n, text in enumerate(hostile):
        OrganisationFactory(name=f"公司{n}", description=text, owner=officer)
    login(client, officer)
    import io

    import openpyxl

    data = export(client, "organisations")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Description")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    # XML stores a carriage return as a line feed: the cell still cannot start a formula.
    assert sorted(cell.value for cell in cells) == sorted("'" + text.replace("\r", "\n") for text in hostile)
    # and the import reads them back as they were
    job = job_of(upload(client, "organisations", data))
    assert job.report["counts"]["unchanged"] == len(hostile) - 1, job.report
    assert job.report["counts"]["error"] == 0


def test_the_export_follows_the_list_filters(client, officer, zone):
    OrganisationFactory(name="集成电路企业有限公司", industry=zone["industry"], owner=officer)
    OrganisationFactory(name="生物医药企业有限公司", owner=officer)
    login(client, officer)
    rows = read_xlsx(export(client, "organisations", f"?industry={zone['industry'].pk}"))
    assert column(rows, "Name") == ["集成电路企业有限公司"]
    rows = read_xlsx(export(client, "organisations", "?q=生物"))
    assert column(rows, "Name") == ["生物医药企业有限公司"]


def test_every_export_is_in_the_audit_log(client, officer, zone):
    from core.models import AuditEvent

    login(client, officer)
    export(client, "organisations", "?q=生物")
    entry = AuditEvent.objects.get(event="export")
    assert entry.user == officer
    assert entry.detail == {"list": "organisations", "query": "q=%E7%94%9F%E7%89%A9"}


def test_invalid_filters_are_refused(client, officer):
    login(client, officer)
    assert client.get("/transfer/export/projects.xlsx?stage=nonsense").status_code == 400


def test_an_officer_does_not_export_projects_they_may_not_see(client, officer, other_officer):
    ProjectFactory(name="本组项目", owner=officer)
    ProjectFactory(name="别组公开项目", owner=other_officer)
    ProjectFactory(name="别组保密项目", owner=other_officer, is_confidential=True)
    login(client, officer)
    rows = read_xlsx(export(client, "projects"))
    assert sorted(column(rows, "Project name")) == ["别组公开项目", "本组项目"]


def test_exporting_needs_a_login(client):
    assert client.get("/transfer/export/organisations.xlsx").status_code == 302


def test_the_export_query_count_does_not_grow_with_rows(client, officer, django_assert_max_num_queries):
    for n in range(30):
        visit = VisitFactory(owner=officer, summary=f"纪要{n}")
        visit.officers.set([officer])
    login(client, officer)
    with django_assert_max_num_queries(12):
        export(client, "visits")


def test_the_import_template_has_chinese_headers_and_imports_as_empty(client, officer):
    from django.utils import translation

    login(client, officer)
    officer.language = "zh-hans"
    officer.save()
    with translation.override("zh-hans"):
        rows = read_xlsx(client.get("/transfer/import/projects/template.xlsx").content)
    assert rows[0][:3] == ["编号", "项目名称*", "投资方*"]


def test_the_list_pages_export_button_downloads_what_the_list_shows(client, officer):
    import re

    ProjectFactory(name="本组签约项目", owner=officer, stage="signed", signed_on=dt.date(2025, 1, 2), signed_amount=1)
    ProjectFactory(name="本组在谈项目", owner=officer, stage="negotiating")
    login(client, officer)
    page = client.get("/projects/?stage=signed&sort=-investment&page=1").content.decode()
    href = re.search(r'href="(/transfer/export/projects\.xlsx[^"]*)"', page).group(1).replace("&amp;", "&")
    answer = client.get(href)
    assert answer.status_code == 200
    assert column(read_xlsx(answer.content), "Project name") == ["本组签约项目"]
