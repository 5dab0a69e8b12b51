"""The organisations a file names (a project's investor, a contact's or a visit's
organisation): each row finds its organisation, or creates it in the same all-or-nothing
import, so that one file brings every record it names.

A row finds its organisation by its credit code first, then by the normalised name
(crm.names), then by a name another row of the same file gives with a credit code. What
was found and what will be created is kept for the preview: the organisations to create
with the rows naming each, and each match with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from crm import services as crm_services
from crm.credit_code import normalise as normalise_credit_code
from crm.models import Organisation
from crm.names import normalise_organisation_name

# Rows listed for one organisation in the report (the count covers them all).
SHOWN_ROWS = 50
# Organisations listed in the report, of each kind (the counts cover them all).
SHOWN_ORGANISATIONS = 1000

BY_CODE = "code"
BY_NAME = "name"
BY_ROW = "row"


@dataclass
class Named:
    """One organisation of the file: to create, or found and why."""

    name: str
    credit_code: str = ""
    how: str = ""  # BY_CODE, BY_NAME, BY_ROW; "" for one the file creates
    seen_in_row: int | None = None  # BY_ROW: the row that gave the name with a code
    rows: list[int] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the spellings of the file

    def add(self, number: int, written: str) -> None:
        if number not in self.rows:
            self.rows.append(number)
        if written and written not in self.written:
            self.written.append(written)

    def reason(self) -> str:
        if self.how == BY_CODE:
            return _("matched by credit code")
        if self.how == BY_NAME:
            return _("matched by name")
        if self.how == BY_ROW:
            return _("matched by a name given with a credit code in row %(row)s") % {"row": self.seen_in_row}
        return ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "credit_code": self.credit_code,
            "reason": self.reason(),
            "rows": self.rows[:SHOWN_ROWS],
            "row_count": len(self.rows),
            "written": [text for text in self.written if text != self.name][:10],
        }


class NamedOrganisations:
    """Finds or creates the organisation of each row, for one import step."""

    def __init__(self, importer) -> None:
        self.importer = importer
        self.lookups = importer.lookups
        # Name key -> (credit code, row) of the first row giving that name with a code.
        self.coded_names: dict[str, tuple[str, int]] = {}
        self.created: dict[int, Named] = {}  # pk (in this step) -> the organisation created
        self.matched: dict[tuple[int, str, int | None], Named] = {}
        self.cache: dict[int, Organisation] = {}
        self._named: list[tuple[int, str, str]] = []  # (row, name, code) of every row

    def learn(self, number: int, name: str, credit_code: str) -> None:
        """Note a row's name and code before the rows are imported (the preload)."""
        key = normalise_organisation_name(name) if name else ""
        code = normalise_credit_code(credit_code) if credit_code else ""
        if key and code and key not in self.coded_names:
            self.coded_names[key] = (code, number)
        self._named.append((number, name, code))

    def create_all(self) -> None:
        """Create at once, before the rows run, the organisations the rows name and the
        CRM does not have (one per credit code, else per name key): a few statements
        for thousands of new investors. If the services refuse one of them, none is
        created here, and each row creates its own, getting its own answer."""
        new: dict[str, Named] = {}
        for number, name, code in self._named:
            code, _seen_in = self._code_for(name, code)
            _how, ids = self.lookups.organisation_ids(name=name, credit_code=code)
            if ids or not name:
                continue  # found (or not to be created): the row says how
            key = f"code:{code}" if code else f"name:{normalise_organisation_name(name)}"
            if key not in new:
                new[key] = Named(name=name.strip(), credit_code=code)
            new[key].add(number, name)
        if not new:
            return
        organisations = [Organisation(name=named.name, credit_code=named.credit_code) for named in new.values()]
        try:
            with transaction.atomic():
                crm_services.organisations_create_many(organisations=organisations, by=self.importer.user)
        except DomainError:
            return
        for organisation, named in zip(organisations, new.values(), strict=True):
            self.lookups.remember_organisation(organisation.pk, organisation.name, "", organisation.credit_code)
            self.importer.created_ids.add(organisation.pk)
            self.cache[organisation.pk] = organisation
            self.created[organisation.pk] = named

    def _code_for(self, name: str, code: str) -> tuple[str, int | None]:
        """The credit code a row's organisation is looked up by: its own, else (when its
        name finds no stored one) the code another row of the file gives that name."""
        if code or not name:
            return code, None
        _how, ids = self.lookups.organisation_ids(name=name)
        if not ids and normalise_organisation_name(name) in self.coded_names:
            return self.coded_names[normalise_organisation_name(name)]
        return "", None

    def find_or_create(self, number: int, name: str, credit_code: str) -> tuple[Organisation, str]:
        """The row's organisation and a signature of how it was found (for the fingerprint).
        DomainError (field "name" or "credit_code") if it can be neither found nor created."""
        code = normalise_credit_code(credit_code) if credit_code else ""
        code, seen_in = self._code_for(name, code)
        how, ids = self.lookups.organisation_ids(name=name, credit_code=code)
        if len(ids) > 1:
            raise DomainError(
                _("Several organisations are called “%(name)s”; add the credit code column.") % {"name": name},
                field="name",
            )
        if ids:
            pk = next(iter(ids))
            if pk in self.created:
                self.created[pk].add(number, name)
                return self._get(pk), f"new:{self.created[pk].rows[0]}"
            organisation = self._get(pk)
            if seen_in is not None:
                how = BY_ROW
            key = (pk, how, seen_in)
            if key not in self.matched:
                self.matched[key] = Named(
                    name=organisation.name, credit_code=organisation.credit_code, how=how, seen_in_row=seen_in
                )
            self.matched[key].add(number, name)
            return organisation, f"{how}:{pk}"
        if not name:
            raise DomainError(
                _("No organisation has the credit code %(code)s; add its name to create it.") % {"code": code},
                field="credit_code",
            )
        organisation = Organisation(name=name, credit_code=code)
        with transaction.atomic():
            crm_services.organisation_save(organisation=organisation, by=self.importer.user)
        self.lookups.remember_organisation(organisation.pk, organisation.name, "", organisation.credit_code)
        self.importer.created_ids.add(organisation.pk)
        self.cache[organisation.pk] = organisation
        self.created[organisation.pk] = Named(name=organisation.name, credit_code=organisation.credit_code)
        self.created[organisation.pk].add(number, name)
        return organisation, f"new:{number}"

    def mark(self) -> int:
        return len(self.created)

    def undo(self, mark: int) -> None:
        """Forget the organisations created since `mark`: the savepoint of a refused row
        that created them was rolled back."""
        for pk in list(self.created)[mark:]:
            del self.created[pk]
            self.cache.pop(pk, None)
            self.importer.created_ids.discard(pk)
            self.lookups.forget_organisation(pk)

    def _get(self, pk: int) -> Organisation:
        if pk not in self.cache:
            self.cache[pk] = Organisation.objects.get(pk=pk)
        return self.cache[pk]

    def preload(self, ids) -> None:
        """Read these organisations at once (the importer's preload found them)."""
        ordered = sorted(set(ids) - set(self.cache))
        for start in range(0, len(ordered), 1000):
            self.cache.update(Organisation.objects.in_bulk(ordered[start : start + 1000]))

    def report(self) -> dict:
        created = list(self.created.values())
        matched = sorted(self.matched.values(), key=lambda named: named.rows[0])
        return {
            "create": [named.as_dict() for named in created[:SHOWN_ORGANISATIONS]],
            "create_count": len(created),
            "match": [named.as_dict() for named in matched[:SHOWN_ORGANISATIONS]],
            "match_count": len(matched),
        }
