"""An import in its two steps (ImportJob), and merges of organisations (Merge)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file: checked and previewed, then committed whole or not at all."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        CONTACTS = "contacts", _("Contacts")
        MISSIONS = "missions", _("Missions")
        VISITS = "visits", _("Visits")
        PROJECTS = "projects", _("Projects")
        FUNDS = "funds", _("Funds in place")

    class Status(models.TextChoices):
        PREVIEW_QUEUED = "preview_queued", _("Waiting to be checked")
        PREVIEWING = "previewing", _("Being checked")
        PREVIEWED = "previewed", _("Checked: waiting for your confirmation")
        COMMIT_QUEUED = "commit_queued", _("Waiting to be imported")
        COMMITTING = "committing", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")
        REFUSED = "refused", _("File refused")
        CANCELLED = "cancelled", _("Cancelled")

    RUNNING = (Status.PREVIEW_QUEUED, Status.PREVIEWING, Status.COMMIT_QUEUED, Status.COMMITTING)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW_QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # What the check found: counts and the rows to show (see transfer.importing.Report).
    report = models.JSONField(_("report"), default=dict, blank=True)
    # The user's answers to near matches: {row number: organisation id or "new"}.
    decisions = models.JSONField(_("decisions"), default=dict, blank=True)
    # The plan the user saw; a commit whose plan differs (the data changed meanwhile) stops.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written when a step is claimed and then every TRANSFER_HEARTBEAT_SECONDS while a worker
    # runs it; a claimed step without one for TRANSFER_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # A step whose worker died is run again from this status ("" when it cannot be).
    retry_status = models.CharField(_("run again from"), max_length=16, choices=Status.choices, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and bool(self.retry_status)


class Merge(models.Model):
    """Two organisations made one: what moved to the survivor, so that it can be undone."""

    survivor = models.ForeignKey(
        "crm.Organisation", on_delete=models.PROTECT, related_name="merges", verbose_name=_("survivor")
    )
    absorbed_id = models.PositiveBigIntegerField(_("merged organisation id"))
    absorbed_name = models.CharField(_("merged organisation"), max_length=200)
    # The merged organisation's fields as they were, to bring it back on undo.
    absorbed_data = models.JSONField(_("merged organisation's data"), default=dict)
    # {"contacts": [ids], "visits": [ids], "projects": [ids], "qualifications": [ids]}
    moved = models.JSONField(_("what moved"), default=dict)
    # Qualifications the survivor already had, removed with the merged organisation.
    dropped_qualifications = models.JSONField(_("qualifications removed"), default=list)
    # Survivor fields that were empty and were filled from the merged organisation: old values.
    survivor_before = models.JSONField(_("survivor's fields before"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge of organisations")
        verbose_name_plural = _("merges of organisations")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.absorbed_name} → {self.survivor}"

    @property
    def moved_count(self) -> int:
        return sum(len(ids) for ids in self.moved.values())


class ColumnChoice(models.Model):
    """A header the importer could not place, and what the user said it is: a column of
    that kind of import, or nothing (ignored). Remembered for the user and the kind, so
    the office's own headers are placed the same way in its next files."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportJob.Kind.choices)
    header_key = models.CharField(_("header"), max_length=200)  # parsing.lookup_key of the header
    column = models.CharField(_("column"), max_length=50, blank=True)  # a Column.key; empty: ignored

    class Meta:
        verbose_name = _("column choice")
        verbose_name_plural = _("column choices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "header_key"], name="column_choice_one_per_header")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header_key} -> {self.column or '-'}"
