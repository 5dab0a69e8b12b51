"""Research reports and policies: checked by content, limited in size, served to
logged-in users only, from storage outside the static files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from chains import services
from chains.models import IndustryDocument, IndustryMember
from core.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# The first bytes of a Windows executable (MZ header) and of an ELF binary.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", EXE)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_in_tmp(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def upload_url(industry) -> str:
    return reverse("chains:document_upload", args=[industry.pk])


def post(client, industry, name: str, content: bytes, kind: str = "report"):
    return client.post(
        upload_url(industry),
        {
            "kind": kind,
            "title": "化合物半导体产业研究报告",
            "issued_on": "2024-05-01",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )


def test_a_manager_uploads_a_pdf_and_the_industry_page_lists_it(industry, manager, client, media_in_tmp):
    client.force_login(manager)
    response = post(client, industry, "报告.pdf", PDF)
    assert response.status_code == 302
    document = IndustryDocument.objects.get()
    assert (document.file_type, document.size, document.original_name) == ("pdf", len(PDF), "报告.pdf")
    # Stored under the media root, under a name of ours.
    assert (media_in_tmp / document.file.name).read_bytes() == PDF
    assert "报告" not in document.file.name
    page = client.get(reverse("chains:industry_detail", args=[industry.pk])).content.decode()
    assert "化合物半导体产业研究报告" in page and "2024-05-01" in page


@pytest.mark.parametrize("name,content", [("report.pdf", EXE), ("report.docx", ELF), ("policy.xlsx", EXE)])
def test_a_renamed_executable_is_refused(industry, manager, client, name, content):
    client.force_login(manager)
    response = post(client, industry, name, content)
    assert response.status_code == 400
    assert "refused" in response.content.decode() or "拒" in response.content.decode()
    assert not IndustryDocument.objects.exists()


def test_a_zip_that_is_not_a_word_file_is_refused(industry, manager):
    upload = SimpleUploadedFile("report.docx", zip_without_word())
    with pytest.raises(DomainError) as refused:
        services.document_upload(
            industry=industry, kind="report", title="x", issued_on="2024-01-01", upload=upload, by=manager
        )
    assert refused.value.code == "file_content_refused"


def test_an_executable_by_its_own_name_is_refused(industry, manager):
    upload = SimpleUploadedFile("setup.exe", EXE)
    with pytest.raises(DomainError) as refused:
        services.document_upload(
            industry=industry, kind="policy", title="x", issued_on="2024-01-01", upload=upload, by=manager
        )
    assert refused.value.code == "file_type_refused"


def test_a_word_file_is_accepted(industry, manager):
    upload = SimpleUploadedFile("政策.docx", docx_bytes())
    document = services.document_upload(
        industry=industry, kind="policy", title="政策", issued_on="2024-01-01", upload=upload, by=manager
    )
    assert document.file_type == "docx" and document.file.name.endswith(".docx")


def test_an_oversized_file_is_refused(industry, manager, client):
    client.force_login(manager)
    with override_settings(CHAINS_DOCUMENT_MAX_BYTES=1024):
        response = post(client, industry, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert not IndustryDocument.objects.exists()


def test_the_default_limit_is_twenty_megabytes():
    from chains.documents import max_bytes

    assert not hasattr(settings, "CHAINS_DOCUMENT_MAX_BYTES") and max_bytes() == 20 * 1024 * 1024


def test_documents_are_served_to_logged_in_users_only(industry, manager, officer, client):
    document = services.document_upload(
        industry=industry,
        kind="report",
        title="研究报告",
        issued_on="2024-03-01",
        upload=SimpleUploadedFile("r.pdf", PDF),
        by=manager,
    )
    url = reverse("chains:document_download", args=[document.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    # Nothing under the static or media URL hands it out.
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404


def test_an_officer_outside_the_industry_team_may_not_upload(industry, officer, client):
    client.force_login(officer)
    assert post(client, industry, "r.pdf", PDF).status_code == 403
    IndustryMember.objects.create(industry=industry, item=IndustryMember.Item.TEAM, user=officer)
    assert post(client, industry, "r.pdf", PDF).status_code == 302


def test_anonymous_uploads_are_refused(industry, client):
    response = post(client, industry, "r.pdf", PDF)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not IndustryDocument.objects.exists()


def test_the_service_refuses_a_user_without_rights(industry, officer):
    with pytest.raises(NotPermitted):
        services.document_upload(
            industry=industry,
            kind="report",
            title="x",
            issued_on="2024-01-01",
            upload=SimpleUploadedFile("r.pdf", PDF),
            by=officer,
        )


def test_the_admin_checks_an_uploaded_file_by_its_bytes_too(industry, admin_user, client):
    client.force_login(admin_user)
    url = reverse("admin:chains_industrydocument_add")
    data = {"industry": industry.pk, "kind": "policy", "title": "产业政策", "issued_on": "2024-02-01"}
    response = client.post(url, {**data, "file": SimpleUploadedFile("policy.pdf", EXE)})
    assert response.status_code == 200 and not IndustryDocument.objects.exists()
    response = client.post(url, {**data, "file": SimpleUploadedFile("policy.pdf", PDF)})
    assert response.status_code == 302
    document = IndustryDocument.objects.get()
    assert (document.file_type, document.uploaded_by, document.size) == ("pdf", admin_user, len(PDF))


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@pytest.mark.parametrize(
    "name,content,accepted",
    [
        ("old.doc", OLE2 + b"\x00" * 504 + "WordDocument".encode("utf-16-le"), True),
        ("old.xls", OLE2 + b"\x00" * 504 + "Workbook".encode("utf-16-le"), True),
        # An installer is an OLE2 file too, without a Word or Excel stream.
        ("setup.doc", OLE2 + b"\x00" * 504 + "SummaryInformation".encode("utf-16-le"), False),
        ("old.xls", OLE2 + b"\x00" * 504 + "WordDocument".encode("utf-16-le"), False),
    ],
)
def test_old_office_files_are_told_apart_from_other_compound_files(industry, manager, name, content, accepted):
    upload = SimpleUploadedFile(name, content)
    arguments = dict(industry=industry, kind="report", title="t", issued_on="2024-01-01", upload=upload, by=manager)
    if accepted:
        assert services.document_upload(**arguments).file_type == name.rsplit(".", 1)[1]
    else:
        with pytest.raises(DomainError):
            services.document_upload(**arguments)
