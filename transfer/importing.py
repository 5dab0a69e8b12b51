"""The two steps of an import: check (preview) and commit, run alike in the web request
(small files) or in a Celery task (large ones).

Both steps run every row through the importer inside one transaction: the check
rolls it back at the end, so what it reports is what the services said; the commit
keeps it only if every row went through and the plan is the one the user saw.
Progress goes to a cache the web page can read while the transaction is still open.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import clock
from transfer.importers import IMPORTERS, RowResult
from transfer.models import ImportJob
from transfer.reading import Budget, FileRefused, Sheet, read_spreadsheet

logger = logging.getLogger(__name__)

# Rows of each kind kept in the report for the page (the counts cover every row).
SHOWN_ROWS = {"create": 200, "update": 1000, "unchanged": 0, "error": 1000}
# The progress the page shows is written at most this often (each write costs a few ms).
PROGRESS_SECONDS = 0.5


def inline_rows() -> int:
    """Files up to this many rows are checked and imported during the request."""
    return getattr(settings, "TRANSFER_INLINE_ROWS", 500)


def _cache():
    return caches["transfer"] if "transfer" in settings.CACHES else caches["default"]


def set_progress(job_id: int, done: int, total: int) -> None:
    _cache().set(f"transfer-progress-{job_id}", (done, total), timeout=24 * 3600)


def get_progress(job_id: int) -> tuple[int, int] | None:
    return _cache().get(f"transfer-progress-{job_id}")


def _sheet_key(job: ImportJob, content: bytes) -> str:
    return f"transfer-sheet-{job.pk}-{hashlib.sha256(content).hexdigest()}"


def _sheet(job: ImportJob, *, committing: bool) -> Sheet:
    """The rows of the job's file. The upload leaves what it read for the check and the
    check for the commit, under the digest of the file, so that a workbook is parsed
    once (parsing is the slowest part of a large file's check)."""
    content = bytes(job.content)
    key = _sheet_key(job, content)
    sheet = _cache().get(key)
    if committing:
        _cache().delete(key)
    if sheet is None:
        sheet = read_spreadsheet(content, job.filename)
        if not committing:
            _cache().set(key, sheet, timeout=24 * 3600)
    return sheet


# What the web request may parse of an upload (blank cells included) before it leaves
# the file to the worker: some 0.3 s of parsing. A file of up to inline_rows() rows and
# a few dozen columns is read whole in the request.
REQUEST_CELLS = 100_000


def check_file(kind: str, data: bytes, filename: str, user) -> Sheet:
    """Read the file and its header row; FileRefused says what is wrong with it.

    The read has the request's budget: at most inline_rows() data rows and
    REQUEST_CELLS cells. A file it does not finish (sheet.complete False) is read again,
    whole, by the worker; a file of blank rows stops the read and is refused here."""
    sheet = read_spreadsheet(data, filename, budget=Budget(rows=inline_rows(), cells=REQUEST_CELLS))
    if sheet.headers:
        IMPORTERS[kind](user=user).map_headers(sheet.headers)
    return sheet


def _run(job: ImportJob, *, committing: bool) -> None:
    sheet = _sheet(job, committing=committing)
    importer = IMPORTERS[job.kind](user=job.user, decisions=job.decisions, committing=committing)
    mapping, ignored = importer.map_headers(sheet.headers)
    total = len(sheet.rows)
    rows = [
        (number, {column.key: (cells[index] if index < len(cells) else None) for index, column in mapping.items()})
        for number, cells in sheet.rows
    ]
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0, "confirm": 0}
    shown: list[dict] = []
    kept = dict.fromkeys(counts, 0)
    digest = hashlib.sha256()
    set_progress(job.pk, 0, total)
    with transaction.atomic():
        importer.preload(rows)
        results: list[RowResult] = []
        shown_at = time.monotonic()
        for done, (number, raw) in enumerate(rows, start=1):
            results.append(importer.run_row(number, raw))
            if time.monotonic() - shown_at >= PROGRESS_SECONDS:
                set_progress(job.pk, done, total)
                shown_at = time.monotonic()
        again = importer.finish()
        for result in results:
            result = again.get(result.number, result)
            counts[result.action] += 1
            if result.candidates and result.action != "error":
                counts["confirm"] += 1
            if result.candidates or result.warnings or kept[result.action] < SHOWN_ROWS[result.action]:
                kept[result.action] += 1
                shown.append(result.as_dict())
            # A near match's action depends on the user's answer, given after the check.
            action = "near" if result.candidates else result.action
            digest.update(f"{result.number}:{action}:{result.signature}:{result.organisation};".encode())
        named = importer.report()
        fingerprint = digest.hexdigest()
        stale = committing and fingerprint != job.fingerprint and not counts["error"]
        keep = committing and not counts["error"] and not stale
        if not keep:
            transaction.set_rollback(True)
    set_progress(job.pk, total, total)
    job.total_rows = total
    job.report = {"counts": counts, "rows": shown, "ignored": ignored, "stale": stale, **named}
    job.report["columns"] = [column.key for column in mapping.values()]
    if sheet.blank_stop:
        job.report["blank_stop"] = sheet.blank_stop
    job.finished_at = timezone.now()
    if not committing:
        job.fingerprint = fingerprint
        job.status = ImportJob.Status.PREVIEWED
        job.message = ""
    elif keep:
        job.status = ImportJob.Status.DONE
        job.message = _("%(rows)s rows imported.") % {"rows": total}
    else:
        job.status = ImportJob.Status.FAILED
        if stale:
            job.message = _("The records changed since the check: nothing was imported. Check the file again.")
        else:
            job.message = _("%(errors)s rows have errors: nothing was imported.") % {"errors": counts["error"]}


def run(job_id: int, *, committing: bool) -> ImportJob | None:
    """Claim the job (so that a task delivered twice runs once) and run its step."""
    queued, running = (
        (ImportJob.Status.COMMIT_QUEUED, ImportJob.Status.COMMITTING)
        if committing
        else (ImportJob.Status.PREVIEW_QUEUED, ImportJob.Status.PREVIEWING)
    )
    if not ImportJob.objects.filter(pk=job_id, status=queued).update(status=running, heartbeat_at=timezone.now()):
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language), clock.same_day():
        try:
            _run(job, committing=committing)
        except FileRefused as refused:
            job.status = ImportJob.Status.REFUSED
            job.message = refused.message
            job.finished_at = timezone.now()
        except Exception:
            logger.exception("import %s failed", job_id)
            job.status = ImportJob.Status.FAILED
            job.message = _("The import stopped on an unexpected error; nothing was imported.")
            job.finished_at = timezone.now()
    fields = ["status", "message", "report", "fingerprint", "total_rows", "finished_at"]
    if job.status != ImportJob.Status.PREVIEWED:
        # The file is not needed once imported or refused; a corrected one is uploaded anew.
        job.content = b""
        fields.append("content")
    job.save(update_fields=fields)
    return job


def _dispatch(job: ImportJob, *, committing: bool) -> None:
    if job.total_rows <= inline_rows():
        run(job.pk, committing=committing)
        return
    from transfer import tasks

    task = tasks.commit_import if committing else tasks.preview_import
    queue = getattr(settings, "TRANSFER_TASK_QUEUE", None)
    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: task.apply_async(args=[job.pk], **options))


def start_import(*, kind: str, data: bytes, filename: str, user) -> ImportJob:
    """Check the file (FileRefused if it is no good) and start its preview."""
    sheet = check_file(kind, data, filename, user)
    job = ImportJob.objects.create(
        kind=kind,
        user=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=filename[:255],
        content=data,
        # A file the request did not read to its end: more rows than are checked inline
        # (the worker counts them).
        total_rows=len(sheet.rows) if sheet.complete else max(len(sheet.rows), inline_rows() + 1),
    )
    if sheet.complete:
        _cache().set(_sheet_key(job, data), sheet, timeout=24 * 3600)
    _dispatch(job, committing=False)
    job.refresh_from_db()
    return job


def choose_columns(*, job: ImportJob, choices: dict[str, str]) -> ImportJob:
    """Remember what the user said the headers the importer could not place are (a
    column key, or "" to ignore one), for this user and kind, and check the file again."""
    from transfer.models import ColumnChoice
    from transfer.parsing import lookup_key

    known = {column.key for column in IMPORTERS[job.kind].importable_columns()}
    with transaction.atomic():
        for header, column in choices.items():
            if column and column not in known:
                continue
            ColumnChoice.objects.update_or_create(
                user=job.user, kind=job.kind, header_key=lookup_key(header)[:200], defaults={"column": column}
            )
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.PREVIEW_QUEUED
        )
        if updated:
            job.refresh_from_db()
            _dispatch(job, committing=False)
    job.refresh_from_db()
    return job


def commit_import(*, job: ImportJob, decisions: dict[str, str]) -> ImportJob:
    """Import a checked file, with the user's answers to its near matches."""
    if job.status != ImportJob.Status.PREVIEWED or (job.report or {}).get("counts", {}).get("error"):
        # A file with errors is corrected and uploaded again; it is never imported in part.
        return job
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.COMMIT_QUEUED, decisions=decisions, language=translation.get_language() or job.language
    )
    if updated:
        job.refresh_from_db()
        _dispatch(job, committing=True)
    job.refresh_from_db()
    return job
