"""The organisations a file names are read through their stored name keys, not by
reading every organisation: found wherever they are in the table and however the file
spells them, unknown ones refused row by row, in queries that do not grow with the
number of names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Organisation
from projects.models import Project
from tests.factories import OrganisationFactory, credit_code
from tests.transfer.conftest import commit, job_of, login, upload, xlsx
from transfer import importing
from transfer.models import ImportJob
from transfer.reading import read_spreadsheet

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "投资方", "总投资(万元)"]


def many_organisations(officer, count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(name=f"填充{n}科技有限公司", owner=officer, team=officer.team) for n in range(count)
    )


def test_an_investor_stored_after_many_others_is_found_by_any_spelling(client, officer):
    many_organisations(officer, 1200)
    murata = OrganisationFactory(name="村田投资股份有限公司", name_en="Murata Co., Ltd.", credit_code="", owner=officer)
    login(client, officer)
    rows = [
        ["项目一", "村田（中国）投资 有限公司", "1亿"],
        ["项目二", "MURATA  co ltd", "1亿"],
        ["项目三", " 村田投资有限公司 ", "1亿"],
    ]
    job = commit(client, job_of(upload(client, "projects", xlsx(HEADERS, rows))))
    assert job.status == "done", job.report
    assert set(Project.objects.values_list("investor", flat=True)) == {murata.pk}


def test_an_investor_is_found_by_its_credit_code_whatever_the_name_says(client, officer):
    many_organisations(officer, 600)
    investor = OrganisationFactory(name="无锡村田电子有限公司", credit_code=credit_code(77), owner=officer)
    login(client, officer)
    headers = [*HEADERS, "投资方信用代码"]
    rows = [["项目一", "村田电子（无锡）", "1亿", credit_code(77).lower()]]
    job = commit(client, job_of(upload(client, "projects", xlsx(headers, rows))))
    assert job.status == "done", job.report
    assert Project.objects.get().investor == investor


def test_unknown_investors_are_created_with_their_projects(client, officer):
    investor = OrganisationFactory(name="村田投资有限公司", owner=officer)
    login(client, officer)
    rows = [["项目一", investor.name, "1亿"], ["项目二", "不存在的公司", "1亿"], ["项目三", "另一家没有的公司", "1亿"]]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    assert [named["name"] for named in job.report["organisations"]["create"]] == ["不存在的公司", "另一家没有的公司"]
    job = commit(client, job)
    assert job.status == "done", job.report
    assert set(Project.objects.values_list("investor__name", flat=True)) == {
        investor.name,
        "不存在的公司",
        "另一家没有的公司",
    }


def _check_queries(officer, names: list[str]) -> int:
    data = xlsx(HEADERS, [[f"项目{n}", name, "1亿"] for n, name in enumerate(names)])
    job = ImportJob.objects.create(
        kind="projects", user=officer, filename="台账.xlsx", content=data, total_rows=len(names)
    )
    with CaptureQueriesContext(connection) as check:
        importing.run(job.pk, committing=False)
    job.refresh_from_db()
    assert job.report["counts"]["create"] == len(names), job.report
    return len(check)


def test_the_check_reads_10_or_200_investors_in_the_same_queries(officer):
    investors = many_organisations(officer, 200)
    names = [organisation.name for organisation in investors]
    assert _check_queries(officer, names[:10]) == _check_queries(officer, names)


def test_the_workbook_is_parsed_once_for_the_upload_the_check_and_the_commit(officer, monkeypatch):
    investor = OrganisationFactory(name="村田投资有限公司", owner=officer)
    parsed = []

    def counting(data, filename, **options):
        parsed.append(filename)
        return read_spreadsheet(data, filename, **options)

    monkeypatch.setattr(importing, "read_spreadsheet", counting)
    data = xlsx(HEADERS, [["项目一", investor.name, "1亿"], ["项目二", investor.name, "2亿"]])
    job = importing.start_import(kind="projects", data=data, filename="台账.xlsx", user=officer)
    assert job.status == ImportJob.Status.PREVIEWED, job.message
    job = importing.commit_import(job=job, decisions={})
    assert job.status == ImportJob.Status.DONE, job.message
    assert parsed == ["台账.xlsx"]
    assert Project.objects.count() == 2
