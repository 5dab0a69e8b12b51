"""Files built in the tests: workbooks and CSV texts as offices save them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import translation

from tests.factories import IndustryFactory, ParkFactory


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list], encoding: str = "utf-8") -> bytes:
    lines = [",".join(headers)] + [",".join("" if cell is None else str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload(client, kind: str, data: bytes, name: str = "data.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/transfer/import/{kind}/", {"file": file})


@pytest.fixture(autouse=True)
def english():
    """New strings are not in the catalogue yet: read the pages in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def zone(db):
    return {
        "industry": IndustryFactory(name="集成电路", name_en="Integrated circuits"),
        "park": ParkFactory(name="集成电路设计产业园", name_en="IC Design Park"),
    }


def login(client, user):
    """Log in as `user`, who reads the site in English (new strings: see BRIEF)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def job_of(response):
    from transfer.models import ImportJob

    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def commit(client, job, **answers):
    response = client.post(f"/transfer/jobs/{job.pk}/commit/", {f"row-{k}": v for k, v in answers.items()})
    assert response.status_code == 302
    job.refresh_from_db()
    return job
