"""One file brings every record it names: a project, contact or visit row finds its
organisation (by credit code, by name, or by a name another row gives with a code) or
creates it in the same all-or-nothing import, and the preview says which and why.
A project the user may not see reads as one that does not exist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Contact, Organisation, Visit
from projects.models import Project
from tests.factories import OrganisationFactory, ProjectFactory, credit_code
from tests.transfer.conftest import commit, job_of, login, upload, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "投资方", "统一社会信用代码", "总投资(万元)"]


def organisations_of(job) -> dict:
    return job.report["organisations"]


def test_a_project_file_creates_the_investors_it_names_once_each(client, officer):
    login(client, officer)
    rows = [
        ["一期", "无锡芯源半导体有限公司", "", "1亿"],
        ["二期", "无锡芯源半导体 有限公司", credit_code(41), "2亿"],
        ["三期", "无锡芯源半导体", "", "3亿"],
        ["新厂", "江苏新材科技有限公司", "", "5000万"],
        ["扩建", "江苏新材科技 有限公司", "", "6000万"],
    ]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    assert job.status == "previewed", (job.message, job.report)
    assert job.report["counts"]["create"] == 5
    created = organisations_of(job)["create"]
    assert [(named["name"], named["credit_code"], named["rows"]) for named in created] == [
        # Row 2 names it first; row 3 gives the same name with a code: the code is kept.
        ("无锡芯源半导体有限公司", credit_code(41), [2, 3, 4]),
        ("江苏新材科技有限公司", "", [5, 6]),
    ]
    assert not Organisation.objects.exists()  # the check changed nothing

    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    xinyuan = Organisation.objects.get(credit_code=credit_code(41))
    assert xinyuan.name == "无锡芯源半导体有限公司"
    assert Organisation.objects.count() == 2
    assert set(xinyuan.projects.values_list("name", flat=True)) == {"一期", "二期", "三期"}
    assert Project.objects.count() == 5


def test_the_preview_says_why_each_investor_was_found(client, officer):
    by_code = OrganisationFactory(name="村田投资有限公司", credit_code=credit_code(7), owner=officer)
    by_name = OrganisationFactory(name="博世汽车部件（苏州）有限公司", credit_code="", owner=officer)
    seen = OrganisationFactory(name="英飞凌科技（无锡）有限公司", credit_code=credit_code(9), owner=officer)
    login(client, officer)
    rows = [
        ["甲", "村田电子（另一个写法）", credit_code(7), "1亿"],
        ["乙", "博世汽车部件(苏州)", "", "1亿"],
        ["丙", "英飞凌无锡公司", "", "1亿"],
        ["丁", "英飞凌无锡公司", credit_code(9), "1亿"],
    ]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    assert job.status == "previewed", (job.message, job.report)
    matched = {(named["name"], named["reason"], tuple(named["rows"])) for named in organisations_of(job)["match"]}
    assert matched == {
        (by_code.name, "matched by credit code", (2,)),
        (by_name.name, "matched by name", (3,)),
        (seen.name, "matched by a name given with a credit code in row 5", (4,)),
        (seen.name, "matched by credit code", (5,)),
    }
    assert organisations_of(job)["create"] == []
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "matched by a name given with a credit code in row 5" in page

    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    assert Organisation.objects.count() == 3
    assert dict(Project.objects.values_list("name", "investor")) == {
        "甲": by_code.pk,
        "乙": by_name.pk,
        "丙": seen.pk,
        "丁": seen.pk,
    }


def test_a_file_with_an_error_creates_no_investor(client, officer):
    login(client, officer)
    rows = [["甲", "全新企业有限公司", "", "1亿"], ["乙", "另一家新企业", "", "不是金额"]]
    job = commit(client, job_of(upload(client, "projects", xlsx(HEADERS, rows))))
    assert job.status != "done"
    assert not Organisation.objects.exists()
    assert not Project.objects.exists()


def test_a_contacts_file_creates_the_organisations_it_names(client, officer):
    login(client, officer)
    headers = ["客商名称", "统一社会信用代码", "姓名", "职务"]
    rows = [
        ["苏州新能源有限公司", credit_code(21), "王经理", "总经理"],
        ["苏州新能源有限公司 ", "", "李工", "工程师"],
    ]
    job = job_of(upload(client, "contacts", xlsx(headers, rows)))
    assert [(n["name"], n["rows"]) for n in organisations_of(job)["create"]] == [("苏州新能源有限公司", [2, 3])]
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    organisation = Organisation.objects.get()
    assert organisation.credit_code == credit_code(21)
    assert set(Contact.objects.values_list("organisation", "name")) == {
        (organisation.pk, "王经理"),
        (organisation.pk, "李工"),
    }


def test_a_visits_file_creates_the_organisations_it_names(client, officer):
    login(client, officer)
    day = timezone.localdate() - dt.timedelta(days=3)
    headers = ["日期", "客商名称", "洽谈内容"]
    rows = [[day, "德国精密机械有限公司", "介绍园区"], [day, "德国精密机械 有限公司", "再谈一次"]]
    job = commit(client, job_of(upload(client, "visits", xlsx(headers, rows))))
    assert job.status == "done", (job.message, job.report)
    assert Organisation.objects.get().name == "德国精密机械有限公司"
    assert Visit.objects.filter(organisation__name="德国精密机械有限公司").count() == 2


def test_a_refused_visit_row_leaves_no_organisation_behind(client, officer):
    login(client, officer)
    day = timezone.localdate() - dt.timedelta(days=3)
    headers = ["日期", "客商名称", "洽谈内容", "会见联系人"]
    rows = [
        [day, "南京新企业有限公司", "初次接触", "不认识的人"],
        [day, "南京新企业有限公司", "再谈", ""],
        [day, "名" * 400, "名称太长", ""],
    ]
    job = job_of(upload(client, "visits", xlsx(headers, rows)))
    # The long name refuses the organisations created all at once: each row creates its
    # own, and the refused row 2 leaves nothing that row 3 would find.
    assert job.report["counts"]["error"] == 2
    assert [(n["name"], n["rows"]) for n in organisations_of(job)["create"]] == [("南京新企业有限公司", [3])]
    assert not Organisation.objects.exists()


def test_a_file_creates_its_new_organisations_all_at_once(client, officer):
    login(client, officer)
    rows = [[f"项目{n}", f"新投资方{n % 40}有限公司", "", "1亿"] for n in range(120)]
    job = job_of(upload(client, "projects", xlsx(HEADERS, rows)))
    created = organisations_of(job)["create"]
    assert len(created) == 40 and [named["rows"] for named in created][:2] == [[2, 42, 82], [3, 43, 83]]
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    assert Organisation.objects.count() == 40
    assert Organisation.history.filter(history_type="+").count() == 40
    assert set(Organisation.objects.values_list("owner", flat=True)) == {officer.pk}


# --- a hidden project reads as a missing one (issue 15) ---------------------------------


@pytest.fixture
def hidden(other_officer):
    investor = OrganisationFactory(name="保密投资方有限公司", owner=other_officer)
    return ProjectFactory(name="保密项目", investor=investor, owner=other_officer, is_confidential=True)


def test_the_id_of_a_hidden_project_gets_the_answer_of_a_missing_id(client, officer, hidden):
    login(client, officer)
    headers = ["编号", "项目名称", "投资方", "总投资(万元)"]
    missing = Project.objects.order_by("-pk").first().pk + 1000
    rows = [[hidden.pk, "保密项目", hidden.investor.name, "2亿"], [missing, "保密项目", hidden.investor.name, "2亿"]]
    job = job_of(upload(client, "projects", xlsx(headers, rows)))
    errors = {row["row"]: row["errors"] for row in job.report["rows"] if row["errors"]}
    assert errors == {
        2: [["ID", f"No record has the ID {hidden.pk}; leave the ID empty to create one."]],
        3: [["ID", f"No record has the ID {missing}; leave the ID empty to create one."]],
    }
    hidden.refresh_from_db()
    assert hidden.total_investment != 20000


def test_a_row_naming_a_hidden_project_reads_as_naming_a_new_one(client, officer, hidden):
    login(client, officer)
    headers = ["项目名称", "投资方", "总投资(万元)"]
    rows = [["保密项目", hidden.investor.name, "2亿"], ["没有的项目", hidden.investor.name, "2亿"]]
    job = job_of(upload(client, "projects", xlsx(headers, rows)))
    assert [(row["row"], row["action"], row["errors"]) for row in job.report["rows"]] == [
        (2, "create", []),
        (3, "create", []),
    ]
    hidden.refresh_from_db()
    assert hidden.total_investment != 20000
