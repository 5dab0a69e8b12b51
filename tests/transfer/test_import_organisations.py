"""Importing organisations with their contacts: preview, commit, duplicates, rights."""

from __future__ import annotations

import pytest

from crm.models import Contact, Organisation
from crm.selectors import organisation_search
from tests.factories import OrganisationFactory, credit_code
from tests.transfer.conftest import commit, csv_bytes, job_of, login, upload, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["客商名称", "统一社会信用代码", "类型", "产业", "园区", "联系人", "职务", "电话"]


def test_a_preview_shows_what_would_be_created_and_changes_nothing(client, officer, zone):
    login(client, officer)
    data = xlsx(
        HEADERS,
        [
            [
                "无锡芯片设计有限公司",
                credit_code(1),
                "企业",
                "集成电路",
                "集成电路设计产业园",
                "王芳",
                "总经理",
                "13800000000",
            ]
        ],
    )
    job = job_of(upload(client, "organisations", data))
    assert job.status == "previewed"
    assert job.report["counts"]["create"] == 1
    assert not Organisation.objects.exists()
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "无锡芯片设计有限公司" in page and "Import all" in page

    job = commit(client, job)
    assert job.status == "done", job.message
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.credit_code, organisation.kind) == (
        "无锡芯片设计有限公司",
        credit_code(1),
        "company",
    )
    assert (organisation.industry, organisation.park) == (zone["industry"], zone["park"])
    assert (organisation.owner, organisation.team) == (officer, officer.team)
    contact = Contact.objects.get()
    assert (contact.name, contact.title, contact.phone, contact.organisation) == (
        "王芳",
        "总经理",
        "13800000000",
        organisation,
    )
    assert organisation.history.first().history_user == officer


def test_two_rows_of_one_company_make_one_company_with_two_contacts(client, officer):
    login(client, officer)
    data = xlsx(
        ["Name", "Contact", "Job title"],
        [["星海电子有限公司", "王芳", "总经理"], ["星海电子（中国）有限公司", "李雷", "采购"]],
    )
    job = commit(client, job_of(upload(client, "organisations", data)))
    assert job.status == "done", job.message
    assert Organisation.objects.count() == 1
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["李雷", "王芳"]


@pytest.mark.parametrize(
    "written",
    [
        "村田投资有限公司",
        "村田（中国）投资有限公司",
        "村田(中国)投资 有限公司",
        "村田投资股份有限公司",
        "村田投资有限公司 ",
    ],
)
def test_an_existing_organisation_is_found_by_its_name_written_differently(client, officer, written):
    existing = OrganisationFactory(name="村田（中国）投资有限公司", credit_code="", owner=officer)
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称", "城市"], [[written, "无锡"]])))
    assert job.report["counts"] == {"create": 0, "update": 1, "unchanged": 0, "error": 0, "confirm": 0}
    [row] = job.report["rows"]
    assert row["changes"] == [["City", "", "无锡"]]
    commit(client, job)
    existing.refresh_from_db()
    assert existing.city == "无锡" and Organisation.objects.count() == 1


def test_an_english_name_in_another_style_matches_too(client, officer):
    OrganisationFactory(name="村田制作所", name_en="Murata Manufacturing Co., Ltd.", credit_code="", owner=officer)
    login(client, officer)
    job = job_of(
        upload(client, "organisations", xlsx(["Name", "English name"], [["村田制作所", "MURATA MANUFACTURING CO LTD"]]))
    )
    assert job.report["counts"]["create"] == 0


def test_the_credit_code_wins_over_the_name(client, officer):
    existing = OrganisationFactory(name="旧名称科技有限公司", credit_code=credit_code(7), owner=officer)
    login(client, officer)
    code_in_full_width = credit_code(7).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    job = job_of(
        upload(
            client,
            "organisations",
            xlsx(["客商名称", "统一社会信用代码"], [["新名称科技有限公司", code_in_full_width]]),
        )
    )
    [row] = job.report["rows"]
    assert row["action"] == "update"
    assert row["changes"] == [["Name", "旧名称科技有限公司", "新名称科技有限公司"]]
    commit(client, job)
    existing.refresh_from_db()
    assert existing.name == "新名称科技有限公司"


def test_a_near_match_waits_for_the_users_answer(client, officer):
    existing = OrganisationFactory(name="华虹半导体有限公司", credit_code="", owner=officer)
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称", "城市"], [["华虹半导体无锡有限公司", "无锡"]])))
    assert job.report["counts"]["confirm"] == 1
    [row] = job.report["rows"]
    assert row["candidates"] == [[existing.pk, "华虹半导体有限公司"]]
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Possible duplicates" in page and f'value="{existing.pk}"' in page

    # Without an answer nothing is imported.
    job = commit(client, job)
    assert job.status == "failed"
    assert Organisation.objects.count() == 1


def test_confirming_a_near_match_updates_the_existing_organisation_under_its_stored_name(client, officer):
    existing = OrganisationFactory(name="华虹半导体有限公司", credit_code="", owner=officer)
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称", "城市"], [["华虹半导体无锡有限公司", "无锡"]])))
    job = commit(client, job, **{str(job.report["rows"][0]["row"]): existing.pk})
    assert job.status == "done", job.message
    existing.refresh_from_db()
    assert (existing.name, existing.city) == ("华虹半导体有限公司", "无锡")
    assert Organisation.objects.count() == 1


def test_answering_new_creates_another_organisation(client, officer):
    OrganisationFactory(name="华虹半导体有限公司", credit_code="", owner=officer)
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称"], [["华虹半导体无锡有限公司"]])))
    job = commit(client, job, **{"2": "new"})
    assert job.status == "done", job.message
    assert Organisation.objects.count() == 2


def test_errors_name_the_row_and_the_column_and_nothing_is_imported(client, officer):
    login(client, officer)
    rows = [["甲公司", "企业", ""], ["乙公司", "外星机构", ""], ["丙公司", "企业", "2024年13月45日"]]
    job = job_of(upload(client, "organisations", xlsx(["客商名称", "类型", "上市日期"], rows)))
    errors = [
        (row["row"], column) for row in job.report["rows"] if row["action"] == "error" for column, _m in row["errors"]
    ]
    assert errors == [(3, "Kind"), (4, "Listing date")]
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Import all" not in page and "外星机构" in page
    client.post(f"/transfer/jobs/{job.pk}/commit/")
    assert not Organisation.objects.exists()


def test_an_officer_cannot_change_another_teams_organisation(client, officer, other_officer):
    theirs = OrganisationFactory(name="别组客商有限公司", owner=other_officer, city="苏州")
    login(client, officer)
    job = job_of(upload(client, "organisations", xlsx(["客商名称", "城市"], [["别组客商有限公司", "无锡"]])))
    [row] = job.report["rows"]
    assert row["action"] == "error"
    assert "not allowed" in row["errors"][0][1]
    commit(client, job)
    theirs.refresh_from_db()
    assert theirs.city == "苏州"


def test_a_gbk_csv_from_chinese_excel(client, officer):
    login(client, officer)
    data = csv_bytes(["客商名称", "城市", "类型"], [["无锡微纳传感有限公司", "无锡", "企业"]], encoding="gbk")
    job = commit(client, job_of(upload(client, "organisations", data, "客商.csv")))
    assert job.status == "done", job.message
    assert Organisation.objects.get().name == "无锡微纳传感有限公司"


def test_a_commit_after_the_records_changed_imports_nothing_and_asks_for_a_new_check(client, officer, colleague):
    login(client, officer)
    data = xlsx(["客商名称", "城市"], [["甲科技有限公司", "无锡"], ["乙科技有限公司", "苏州"]])
    job = job_of(upload(client, "organisations", data))
    assert job.report["counts"]["create"] == 2
    OrganisationFactory(name="乙科技有限公司", credit_code="", city="苏州", owner=officer)  # someone was quicker
    job = commit(client, job)
    assert job.status == "failed"
    assert "changed since the check" in job.message
    assert list(Organisation.objects.values_list("name", flat=True)) == ["乙科技有限公司"]


def test_an_imported_organisation_is_found_by_part_of_its_name(client, officer):
    login(client, officer)
    data = xlsx(["Name", "English name"], [["无锡瀚芯微电子有限公司", "Wuxi Hanxin Microelectronics"]])
    job = commit(client, job_of(upload(client, "organisations", data)))
    assert job.status == "done", job.message
    page = client.get("/crm/organisations/", {"q": "瀚芯"}).content.decode()
    assert "无锡瀚芯微电子有限公司" in page
    assert [o.name for o in organisation_search("hanxin")] == ["无锡瀚芯微电子有限公司"]
