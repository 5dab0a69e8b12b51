"""The row engine every importer shares: how a row's cells become values, how a row
is imported so that a refused row leaves nothing behind, how its errors are collected,
and the helpers that compare a file's values with a stored record.

An importer handles one row at a time inside the import's transaction, so a row sees
what earlier rows of the same file wrote (two rows of one company give one company).
The loop over a file's rows, the preview (a check rolled back) and the all-or-nothing
commit are run by transfer.importing with an importer of this kind.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from crm import collisions
from crm.models import Organisation
from transfer.columns import Column
from transfer.importers.named import NamedOrganisations
from transfer.lookups import Lookups
from transfer.parsing import header_unit, lookup_key
from transfer.reading import FileRefused, FormulaText

logger = logging.getLogger(__name__)


def warn_of_claim(result: RowResult, record, column: str, peeked: dict) -> None:
    """A row that works on a group another team registered first (首谈报备) is imported
    all the same, with the notice as a warning (who and since when, nothing more). The
    service recorded the collision; a project written later in one batch is only peeked."""
    notice = getattr(record, "claim_notice", None)
    if notice is None and not hasattr(record, "claim_notice"):
        # The registrations are read once for the whole file (`peeked`, the importer's).
        if "peek" not in peeked:
            peeked["peek"] = collisions.peek_many()
        notice = peeked["peek"](getattr(record, "investor_id", None), record.team_id)
    if notice is not None:
        result.warnings.append((column, notice.text))


class RowError(Exception):
    def __init__(self, column: str | None, message) -> None:
        super().__init__(str(message))
        self.column = column
        self.message = str(message)


@dataclass
class RowResult:
    number: int
    action: str = ""  # "create", "update", "unchanged" or "error"
    label: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (column, message): imported all the same
    candidates: list[tuple[int, str]] = field(default_factory=list)  # near matches to confirm
    signature: str = ""
    organisation: str = ""  # how the row's organisation was found or created (named.py)

    def as_dict(self) -> dict:
        return {
            "row": self.number,
            "action": self.action,
            "label": self.label,
            "changes": self.changes,
            "errors": self.errors,
            "warnings": self.warnings,
            "candidates": self.candidates,
        }


NEW = "new"  # the user's answer to a near match: it is another organisation


class _UndoRow(Exception):
    """Raised inside a row's savepoint so that a refused row leaves nothing behind."""


class Importer:
    kind = ""
    columns: list[Column] = []
    # The record's own fields set from same-named columns (others are handled in code).
    plain_fields: tuple[str, ...] = ()
    # False: every row runs in its own savepoint, undone if the row is refused. True:
    # the importer keeps a row's writes together itself (in a savepoint where it writes
    # at once, or deferred to finish()), so rows that write nothing cost no savepoint.
    defers_writes = False
    # The columns (name, credit code) naming the organisation each row belongs to.
    organisation_columns: tuple[str, str] | None = None

    def __init__(self, *, user, decisions: dict | None = None, committing: bool = False) -> None:
        self.claim_peeks: dict = {}  # warn_of_claim's
        self.user = user
        self.decisions = {str(k): v for k, v in (decisions or {}).items()}
        self.committing = committing
        self.lookups = Lookups()
        self.created_ids: set[int] = set()
        self.row: RowResult | None = None
        # The unit each amount column's header names (总投资（亿元）): set by map_headers.
        self.header_units: dict[str, tuple] = {}
        self._column_choices: dict[str, str] | None = None
        # The organisations the rows name, found or created (organisation_columns).
        self.named = NamedOrganisations(self)

    # --- columns ---

    @classmethod
    def column(cls, key: str) -> Column:
        index = cls.__dict__.get("_by_key")
        if index is None:
            index = {column.key: column for column in cls.columns}
            cls._by_key = index
        return index[key]

    @classmethod
    def importable_columns(cls) -> list[Column]:
        return [column for column in cls.columns if not column.export_only]

    def map_headers(self, headers: list[str]) -> tuple[dict[int, Column], list[str]]:
        """Which column each header is; refuses a file without the required columns."""
        by_name: dict[str, Column] = {}
        for column in self.importable_columns():
            for name in column.names():
                by_name.setdefault(lookup_key(name), column)
        for column in self.columns:
            if column.export_only:
                for name in column.names():
                    by_name.setdefault(lookup_key(name), None)
        mapping: dict[int, Column] = {}
        ignored: list[str] = []
        self.header_units = {}
        for index, header in enumerate(headers):
            key = lookup_key(_strip_required_mark(header))
            if key not in by_name:
                # 总投资（亿元）, 计划总投资(万元): the name without the unit in brackets.
                key = lookup_key(_UNIT_IN_BRACKETS.sub("", _strip_required_mark(header))) or key
            column = by_name.get(key)
            if column is None and key not in by_name and header:
                # A header the office chose a column for (or to ignore) in an earlier file.
                chosen = self.column_choices().get(lookup_key(_strip_required_mark(header)))
                if chosen == "":
                    continue
                column = self.column(chosen) if chosen in {c.key for c in self.importable_columns()} else None
                if column is None:
                    ignored.append(header)
                    continue
            if column is None:
                continue
            if column in mapping.values():
                raise FileRefused(_("The column “%(column)s” appears twice.") % {"column": header})
            mapping[index] = column
            unit = header_unit(header) if column.extra.get("amount") else None
            if unit:
                self.header_units[column.key] = unit
        present = set(mapping.values())
        missing = [column for column in self.required_columns() if column not in present]
        if missing:
            raise FileRefused(
                _("Required columns are missing: %(columns)s. Download the template to see them.")
                % {"columns": "、".join(column.header() for column in missing)}
            )
        return mapping, ignored

    def column_choices(self) -> dict[str, str]:
        """{header key: column key, or "" for ignored}: what this user chose for headers
        of this kind of file (transfer.models.ColumnChoice)."""
        if self._column_choices is None:
            from transfer.models import ColumnChoice

            self._column_choices = dict(
                ColumnChoice.objects.filter(user=self.user, kind=self.kind).values_list("header_key", "column")
            )
        return self._column_choices

    def required_columns(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    # --- the rows of a file ---

    def preload(self, rows: list[tuple[int, dict[str, object]]]) -> None:
        """Read at once what the rows (number, cells) will look up, before the first
        row is imported; note which names the file gives with a credit code."""
        if self.organisation_columns:
            self.lookups.read_organisations(self._organisations_named(rows))
            self.named.create_all()

    def _organisations_named(self, rows: list[tuple[int, dict[str, object]]]) -> list[tuple[str, str, str]]:
        name_key, code_key = self.organisation_columns
        questions = []
        for number, raw in rows:
            try:
                name = self.column(name_key).parse(raw.get(name_key), self.lookups)
                code = self.column(code_key).parse(raw.get(code_key), self.lookups)
            except ValueError:
                continue  # the row will say what is wrong with it
            questions.append((name or "", "", code or ""))
            self.named.learn(number, name or "", code or "")
        return questions

    def report(self) -> dict:
        """What the preview shows beside the rows: the organisations named."""
        return {"organisations": self.named.report()} if self.organisation_columns else {}

    def run_row(self, number: int, raw: dict[str, object]) -> RowResult:
        """Import one row so that a refused row leaves nothing behind."""
        if not self.defers_writes:
            return self.import_row_alone(number, raw)
        try:
            return self.import_row(number, raw)
        except Exception:
            return self._unexpected(number, RowResult(number))

    def import_row_alone(self, number: int, raw: dict[str, object]) -> RowResult:
        """Import one row in its own savepoint, undone if the row is refused."""
        result = RowResult(number)
        mark = self.named.mark()
        try:
            with transaction.atomic():
                result = self.import_row(number, raw)
                if result.errors:
                    raise _UndoRow
        except _UndoRow:
            self.named.undo(mark)
        except Exception:
            self.named.undo(mark)
            result = self._unexpected(number, result)
        return result

    def _unexpected(self, number: int, result: RowResult) -> RowResult:
        logger.exception("%s import: row %s failed unexpectedly", self.kind, number)
        result.action = "error"
        result.errors.append(("", _("This row could not be imported (an unexpected error); nothing was saved.")))
        return result

    def finish(self) -> dict[int, RowResult]:
        """Write what the rows deferred. Returns the results of rows that had to be
        imported again one by one (their first result no longer holds)."""
        return {}

    # --- one row ---

    def import_row(self, number: int, raw: dict[str, object]) -> RowResult:
        self.row = result = RowResult(number)
        values: dict[str, object] = {}
        for key, cell in raw.items():
            column = self.column(key)
            try:
                unit = self.header_units.get(key)
                values[key] = column.parse(cell, self.lookups, unit) if unit else column.parse(cell, self.lookups)
            except ValueError as error:
                if isinstance(cell, FormulaText):
                    message = _(
                        "The formula %(formula)s has no value saved in the file (it was saved without being "
                        "calculated): open the file in Excel, save it and upload it again."
                    ) % {"formula": cell}
                    result.errors.append((column.header(), message))
                else:
                    result.errors.append((column.header(), str(error)))
                continue
            if isinstance(cell, FormulaText):
                result.warnings.append(
                    (
                        column.header(),
                        _(
                            "The formula %(formula)s has no value saved in the file (it was saved without being "
                            "calculated); its text was imported as it is."
                        )
                        % {"formula": cell},
                    )
                )
            if column.required and (values[key] is None or values[key] == ""):
                result.errors.append((column.header(), _("This column must be filled in.")))
        if not result.errors:
            try:
                self.apply(values, result)
            except RowError as error:
                header = self.column(error.column).header() if error.column else ""
                result.errors.append((header, error.message))
            except DomainError as error:
                result.errors.append((self.header_for_field(error.field), str(error)))
        if result.errors:
            result.action = "error"
        return result

    def header_for_field(self, name: str | None) -> str:
        for column in self.columns:
            if column.key == name:
                return column.header()
        return ""

    def apply(self, values: dict, result: RowResult) -> None:
        raise NotImplementedError

    # --- helpers ---

    def changes(self, record, values: dict, keys) -> list[str]:
        """Keys whose value in the file differs from the record's; blank cells change nothing."""
        changed = []
        for key in keys:
            if key not in values or values[key] is None or values[key] == "" or values[key] == []:
                continue
            column = self.column(key)
            old, new = column.get(record), values[key]
            if not _same(old, new):
                changed.append(key)
                self.row.changes.append((column.header(), column.display(old), column.display(new)))
        return changed

    def set_fields(self, record, values: dict, keys) -> None:
        for key in keys:
            if key in values and values[key] is not None and values[key] != "":
                setattr(record, key, values[key])

    def record_by_id(self, model, pk: int, queryset=None):
        record = (queryset if queryset is not None else model._default_manager).filter(pk=pk).first()
        if record is None:
            raise RowError("id", _("No record has the ID %(id)s; leave the ID empty to create one.") % {"id": pk})
        return record

    def organisation_named(self, values: dict, *, name_key: str, code_key: str) -> Organisation:
        """The organisation a visit, project or contact belongs to, found or created
        (see named.py); the way it was found joins the row's signature."""
        try:
            organisation, how = self.named.find_or_create(
                self.row.number, values.get(name_key) or "", values.get(code_key) or ""
            )
        except DomainError as error:
            raise RowError(code_key if error.field == "credit_code" else name_key, str(error)) from error
        self.row.organisation = how
        return organisation


def _same(old, new) -> bool:
    if isinstance(new, list):
        return {getattr(item, "pk", item) for item in old} == {getattr(item, "pk", item) for item in new}
    if hasattr(new, "pk") or hasattr(old, "pk"):
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    if isinstance(new, str) and not isinstance(old, str):
        return str(old or "") == new
    return old == new


_UNIT_IN_BRACKETS = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def _strip_required_mark(header: str) -> str:
    return (header or "").strip().rstrip("*＊").strip()
