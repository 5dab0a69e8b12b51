"""`manage.py backup` and `manage.py restore`: a restore into an empty database gives
back every row and every uploaded file; a restore into a database with data is
refused. (.ci/restore-drill does the same on PostgreSQL under write load.)"""

from __future__ import annotations

import io
import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.backup import current_checksums
from core.models import AuditEvent
from tests.factories import OrganisationFactory, VisitFactory


@contextmanager
def connected_to(name: str):
    """Point the app's database connection at another database for a while."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@pytest.fixture
def some_data(transactional_db, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "合同.pdf").write_bytes(b"%PDF-1.4 signed contract")
    organisation = OrganisationFactory(name="村田（中国）投资有限公司", owner=officer)
    VisitFactory(organisation=organisation, owner=officer)
    return organisation


def make_backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def test_a_backup_holds_the_database_the_files_and_a_manifest(some_data, tmp_path):
    folder = make_backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["crm_organisation"]["rows"] == 1
    now = current_checksums()
    # The backup itself is audited after the copy was taken: one event more than in it.
    assert now.pop("core_auditevent")["rows"] == manifest["tables"].pop("core_auditevent")["rows"] + 1
    assert manifest["tables"] == now
    assert AuditEvent.objects.filter(event="backup").exists()


def test_restore_refuses_a_database_with_data(some_data, tmp_path):
    folder = make_backup(tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder), stdout=io.StringIO())


def test_restore_refuses_a_folder_that_is_no_backup(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), stdout=io.StringIO())


@pytest.mark.sqlite_only
def test_a_sqlite_backup_restores_into_an_empty_database(some_data, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite restore is tested in the SQLite pass")
    folder = make_backup(tmp_path)
    expected = json.loads((folder / "manifest.json").read_text())["tables"]
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with connected_to(str(tmp_path / "restored.sqlite3")):
        out = io.StringIO()
        call_command("restore", str(folder), stdout=out)
        assert "every table matches" in out.getvalue()
        assert current_checksums() == expected
    assert (tmp_path / "restored-media" / "attachments" / "合同.pdf").read_bytes() == b"%PDF-1.4 signed contract"


@pytest.mark.postgres_only
def test_a_postgres_backup_restores_into_an_empty_database(postgres, some_data, tmp_path, settings):
    folder = make_backup(tmp_path)
    assert (folder / "database.dump").exists()
    expected = json.loads((folder / "manifest.json").read_text())["tables"]
    target = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    try:
        with connected_to(target):
            call_command("restore", str(folder), stdout=io.StringIO())
            assert current_checksums() == expected
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
    assert (tmp_path / "restored-media" / "attachments" / "合同.pdf").exists()
