"""The agreement on its project's page, the form that records it, the figures of a
check, the signed documents and the promise check list; as hidden as the project."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import Agreement, AgreementDocument, PromiseCheck
from agreements.services import check_record
from tests.agreements.helpers import make_agreement, signed_project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def page(client, project) -> str:
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_records_the_agreement_and_the_page_shows_the_intensity(client, officer, frozen_today):
    project = signed_project(officer)
    client.force_login(in_english(officer))
    assert "Record the agreement" in page(client, project)

    response = client.post(
        reverse("agreements:agreement_create", args=[project.pk]),
        {
            "signed_on": "2023-12-01",
            "land_mu": "120",
            "fixed_asset_investment": "60000",
            "annual_output": "150000",
            "annual_tax": "7500",
            "due_year": "2026",
            "jobs": "400",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/projects/{project.pk}/#agreement")
    html = page(client, project)
    assert "500.00 (10k yuan per mu)" in html  # 60,000万元 on 120亩
    assert html.count('class="promise-check"') == 4
    assert 'data-status="pending"' in html


def test_bad_input_shows_the_reason_on_the_field_and_keeps_nothing(client, officer, frozen_today):
    project = signed_project(officer)
    client.force_login(in_english(officer))
    response = client.post(
        reverse("agreements:agreement_create", args=[project.pk]),
        {"signed_on": "2023-12-01", "land_mu": "0", "fixed_asset_investment": "60000", "due_year": "2026"},
    )
    assert response.status_code == 400
    assert "The land in mu must be more than zero." in response.content.decode()
    response = client.post(
        reverse("agreements:agreement_create", args=[project.pk]),
        {"signed_on": "2023-12-01", "land_mu": "10", "fixed_asset_investment": "60000", "due_year": "2060"},
    )
    assert response.status_code == 400
    assert "The year of full production is between the signing year" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_officer_enters_a_figure_and_the_check_reads_not_met_with_the_ratio(client, officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer, due_year=2023)
    check = agreement.checks.get(kind="tax")
    client.force_login(in_english(officer))
    prefix = f"check-{check.pk}"
    response = client.post(
        reverse("agreements:check_record", args=[check.pk]),
        {f"{prefix}-actual": "4500", f"{prefix}-on": "2024-03-01", f"{prefix}-note": "2023年度税收"},
        follow=True,
    )
    assert "Annual tax: Not met, 75.0% of the promise." in response.content.decode()
    html = page(client, agreement.project)
    assert 'data-kind="tax" data-status="not_met"' in html
    assert "75.0%" in html and "56.25 (10k yuan) per mu" in html  # 4,500万元 of tax on 80亩


def test_a_signed_document_is_uploaded_and_read_back_and_a_disguised_file_refused(client, officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer)
    client.force_login(in_english(officer))
    url = reverse("agreements:document_upload", args=[agreement.pk])
    client.post(url, {"title": "投资协议", "file": SimpleUploadedFile("协议.pdf", PDF)})
    response = client.post(url, {"title": "病毒", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")}, follow=True)
    assert "is not a PDF file" in response.content.decode()
    document = AgreementDocument.objects.get()
    assert document.title == "投资协议"
    download = client.get(reverse("agreements:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_confidential_projects_agreement_is_hidden_like_the_project(
    client, officer, other_officer, manager, frozen_today
):
    secret = make_agreement(signed_project(officer, is_confidential=True, name="绝密扩产"), officer, due_year=2023)
    AgreementDocument.objects.create(
        agreement=secret, title="x", file="x.pdf", original_name="x.pdf", file_type="pdf", size=1, uploaded_by=officer
    )
    check = secret.checks.first()
    client.force_login(other_officer)
    for url in (
        reverse("agreements:agreement_update", args=[secret.pk]),
        reverse("agreements:agreement_create", args=[secret.project_id]),
        reverse("agreements:document_download", args=[AgreementDocument.objects.get().pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("agreements:check_record", args=[check.pk]), {}).status_code == 404
    listing = client.get(reverse("agreements:check_list")).content.decode()
    assert "绝密扩产" not in listing
    client.force_login(manager)
    assert "绝密扩产" in client.get(reverse("agreements:check_list")).content.decode()


def test_another_team_reads_the_agreement_but_cannot_write_it(client, officer, other_officer, frozen_today):
    agreement = make_agreement(signed_project(officer), officer, due_year=2023)
    client.force_login(in_english(other_officer))
    html = page(client, agreement.project)
    assert "Investment agreement" in html and "Edit the agreement" not in html and "Save the figure" not in html
    assert client.get(reverse("agreements:agreement_update", args=[agreement.pk])).status_code == 403
    check = agreement.checks.first()
    assert client.post(reverse("agreements:check_record", args=[check.pk]), {}).status_code == 403


def test_the_check_list_shows_what_needs_supervision_first(client, manager, officer, frozen_today):
    met = make_agreement(signed_project(officer, name="已达产项目"), officer, due_year=2023, annual_tax=None, jobs=None)
    for check in met.checks.all():
        check_record(check=check, actual=check.promised, by=officer)
    make_agreement(signed_project(officer, name="逾期未报项目"), officer, due_year=2023)
    make_agreement(signed_project(officer, name="尚未到期项目"), officer, due_year=2025)
    client.force_login(in_english(manager))
    html = client.get(reverse("agreements:check_list")).content.decode()
    assert "逾期未报项目" in html and "已达产项目" not in html and "尚未到期项目" not in html
    assert html.count('class="promise-check-row" data-status="late"') == 4
    html = client.get(
        reverse("agreements:check_list"), {"status": ["met", "pending"], "kind": "output"}
    ).content.decode()
    assert "已达产项目" in html and "尚未到期项目" in html and "逾期未报项目" not in html


def test_the_check_list_costs_the_same_queries_for_more_rows(
    client, manager, officer, frozen_today, django_assert_num_queries
):
    make_agreement(signed_project(officer), officer, due_year=2023)
    client.force_login(manager)
    url = reverse("agreements:check_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        make_agreement(signed_project(officer), officer, due_year=2023)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="promise-check-row"') == 20
    assert PromiseCheck.objects.count() == 20


def test_the_project_page_costs_the_same_queries_with_a_longer_agreement(client, officer, frozen_today):
    short = make_agreement(signed_project(officer), officer, annual_output=None, annual_tax=None, jobs=None)
    full = make_agreement(signed_project(officer), officer)
    client.force_login(officer)
    page(client, short.project)
    with CaptureQueriesContext(connection) as one:
        page(client, short.project)
    with CaptureQueriesContext(connection) as four:
        page(client, full.project)
    assert len(one.captured_queries) == len(four.captured_queries)


def test_the_export_holds_the_rows_of_the_page_with_the_same_filters(
    client, manager, officer, other_officer, frozen_today
):
    short = make_agreement(signed_project(officer, name="税收未达标项目"), officer, due_year=2023, jobs=None)
    check_record(check=short.checks.get(kind="tax"), actual=4200, by=officer)
    make_agreement(signed_project(officer, is_confidential=True, name="绝密项目"), officer, due_year=2023)
    client.force_login(in_english(other_officer))
    query = {"status": ["not_met", "late"], "kind": "tax"}
    html = client.get(reverse("agreements:check_list"), query).content.decode()
    response = client.get(reverse("agreements:check_list_export"), query)
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Project", "Team", "Owner", "Promise", "Due")
    assert [row[0] for row in rows[1:]] == ["税收未达标项目"]  # the confidential one is hidden here too
    assert rows[1][5:9] == (6000, 4200, 70, "Not met")
    assert html.count('class="promise-check-row"') == len(rows) - 1
