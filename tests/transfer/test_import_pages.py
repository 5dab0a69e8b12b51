"""The import pages: templates, other kinds (visits, missions, contacts), whose jobs
one sees, and pages a strict Content-Security-Policy will not break."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from crm.models import Contact, Mission, Visit
from tests.factories import ContactFactory, MissionFactory, OrganisationFactory
from tests.transfer.conftest import commit, job_of, login, read_xlsx, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["organisations", "contacts", "missions", "visits", "projects"])
def test_each_import_page_offers_its_template_and_the_template_imports(client, officer, kind):
    login(client, officer)
    page = client.get(f"/transfer/import/{kind}/").content.decode()
    assert f'href="/transfer/import/{kind}/template.xlsx"' in page
    template = client.get(f"/transfer/import/{kind}/template.xlsx")
    rows = read_xlsx(template.content)
    assert len(rows) == 1 and all(rows[0])
    # An empty template is "no data rows", not "missing columns"
    response = upload(client, kind, template.content)
    assert "no data rows" in response.content.decode()


def test_columns_can_come_in_any_order_with_english_or_chinese_headers(client, officer):
    organisation = OrganisationFactory(name="星海电子有限公司", owner=officer)
    login(client, officer)
    headers = ["What was discussed", "Kind", "客商名称", "Date", "意向"]
    data = xlsx(headers, [["介绍园区政策", "接待", "星海电子有限公司", "2024年1月24日", "强"]])
    job = commit(client, job_of(upload(client, "visits", data)))
    assert job.status == "done", job.report
    visit = Visit.objects.get()
    assert (visit.organisation, visit.kind, visit.intention, visit.date) == (
        organisation,
        "received",
        "high",
        dt.date(2024, 1, 24),
    )
    assert list(visit.officers.all()) == [officer]


def test_visits_name_the_contacts_met_and_the_officers(client, officer, colleague):
    organisation = OrganisationFactory(name="星海电子有限公司", owner=officer)
    ContactFactory(organisation=organisation, name="王芳", owner=officer)
    login(client, officer)
    headers = ["日期", "客商名称", "洽谈内容", "会见联系人", "参与人员"]
    rows = [["2024/3/1", "星海电子", "扩产", "王芳", f"{officer.username}、{colleague.username}"]]
    job = commit(client, job_of(upload(client, "visits", xlsx(headers, rows))))
    assert job.status == "done", job.report
    visit = Visit.objects.get()
    assert [c.name for c in visit.contacts.all()] == ["王芳"]
    assert set(visit.officers.all()) == {officer, colleague}


def test_a_visit_in_the_future_is_refused_by_the_visit_rules(client, officer, frozen_today):
    OrganisationFactory(name="星海电子有限公司", owner=officer)
    login(client, officer)
    job = job_of(
        upload(client, "visits", xlsx(["日期", "客商名称", "洽谈内容"], [["2030/1/1", "星海电子有限公司", "x"]]))
    )
    [row] = job.report["rows"]
    assert row["action"] == "error" and "future" in row["errors"][0][1]


def test_missions_import(client, officer):
    login(client, officer)
    headers = ["活动名称", "地区", "开始日期", "结束日期", "活动类型"]
    job = commit(
        client,
        job_of(upload(client, "missions", xlsx(headers, [["日韩招商周", "日韩", "2024/4/8", "2024/4/12", "出访"]]))),
    )
    assert job.status == "done", job.report
    mission = Mission.objects.get()
    assert (mission.region, mission.kind, mission.owner) == ("japan_korea", "overseas", officer)


def test_missions_that_end_before_they_start_are_refused(client, officer):
    login(client, officer)
    headers = ["活动名称", "地区", "开始日期", "结束日期"]
    job = job_of(upload(client, "missions", xlsx(headers, [["日韩招商周", "日韩", "2024/4/8", "2024/4/1"]])))
    assert job.report["counts"]["error"] == 1


def test_contacts_import_into_existing_organisations(client, officer):
    MissionFactory()
    organisation = OrganisationFactory(name="星海电子有限公司", owner=officer)
    login(client, officer)
    headers = ["客商名称", "姓名", "职务", "邮箱"]
    job = commit(
        client,
        job_of(
            upload(client, "contacts", xlsx(headers, [["星海电子（中国）有限公司", "王芳", "总经理", "wf@example.cn"]]))
        ),
    )
    assert job.status == "done", job.report
    assert Contact.objects.get().organisation == organisation


def test_an_import_job_is_seen_by_its_owner_only(client, officer, colleague):
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称"], [["甲公司"]])))
    login(client, colleague)
    assert client.get(f"/transfer/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/transfer/jobs/{job.pk}/commit/").status_code == 404


def test_pages_need_a_login(client):
    assert client.get("/transfer/import/organisations/").status_code == 302
    assert client.get("/transfer/import/nothing/").status_code == 302


def test_an_unknown_list_is_not_found(client, officer):
    login(client, officer)
    assert client.get("/transfer/import/nothing/").status_code == 404
    assert client.get("/transfer/export/nothing.xlsx").status_code == 404


def test_the_export_button_keeps_the_list_filters(rf, officer):
    from django.template.loader import render_to_string

    request = rf.get("/crm/organisations/", {"kind": "company", "q": "村田"})
    request.user = officer
    html = render_to_string(
        "transfer/includes/export_button.html", {"export_list": "organisations", "request": request}
    )
    assert 'href="/transfer/export/organisations.xlsx?kind=company&amp;q=%E6%9D%91%E7%94%B0"' in html


def test_templates_have_no_inline_scripts_or_handlers():
    folder = Path(settings.BASE_DIR) / "templates"
    for path in [*folder.glob("transfer/**/*.html"), *folder.glob("admin/crm/**/*.html")]:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "style=" not in text, path


def test_a_blank_cell_leaves_the_stored_value_alone(client, officer, colleague):
    mission = MissionFactory(title="欧洲招商周", owner=officer, cities="慕尼黑")
    mission.participants.set([officer, colleague])
    login(client, officer)
    headers = ["编号", "活动名称", "地区", "开始日期", "结束日期", "城市", "参团人员"]
    row = [mission.pk, "欧洲招商周", "日韩", mission.start_date, mission.end_date, "", ""]
    job = job_of(upload(client, "missions", xlsx(headers, [row])))
    assert job.report["counts"]["unchanged"] == 1, job.report
    commit(client, job)
    mission.refresh_from_db()
    assert mission.cities == "慕尼黑" and mission.participants.count() == 2
