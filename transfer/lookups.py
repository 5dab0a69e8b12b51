"""Reference data found by name: industries, parks, officers, teams, missions, and
organisations by credit code or normalised name.

Reference tables are read whole, once per import step and only if the file has such a
column (the largest, missions, has 20,000 rows at scale 1; users 2,000). Organisations
(300,000 at scale 1) are read only for the names and codes the file uses, found through
their stored name keys; the organisation import, whose near matches compare against
every name, reads them all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import Team, User
from crm.credit_code import normalise as normalise_credit_code
from crm.models import Industry, Mission, Organisation, Park
from crm.names import normalise_organisation_name
from transfer import parsing
from transfer.parsing import lookup_key

# Names (and codes) asked for in one query: well below SQLite's limit on parameters.
CHUNK = 500


class Lookups:
    def __init__(self, *, every_organisation: bool = False) -> None:
        self._tables: dict[str, dict[str, list]] = {}
        self._every_organisation = every_organisation
        self._organisations_loaded = False
        # What was read already: name keys, credit codes, organisations.
        self._read_keys: set[str] = set()
        self._read_codes: set[str] = set()
        self._known: set[int] = set()
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.coded_ids: set[int] = set()
        # Answers of organisation_ids, until an organisation is remembered or forgotten.
        self._answers: dict[tuple[str, str, str], tuple[str, set[int]]] = {}

    # --- reference data ---

    def _load(self, table: str) -> dict[str, list]:
        if table in self._tables:
            return self._tables[table]
        index: dict[str, list] = defaultdict(list)

        def add(key: str, obj) -> None:
            if key and obj not in index[lookup_key(key)]:
                index[lookup_key(key)].append(obj)

        if table == "industry":
            for obj in Industry.objects.all():
                add(obj.name, obj)
                add(obj.name_en, obj)
        elif table == "park":
            for obj in Park.objects.all():
                add(obj.name, obj)
                add(obj.name_en, obj)
        elif table == "team":
            for obj in Team.objects.all():
                add(obj.name, obj)
                add(obj.name_en, obj)  # an English export writes the English name
        elif table == "user":
            for obj in User.objects.filter(is_active=True):
                for key in (
                    obj.username,
                    str(obj),
                    obj.display_name,
                    obj.get_full_name(),
                    f"{obj.last_name}{obj.first_name}",
                    obj.email,
                ):
                    add(key, obj)
        elif table == "mission":
            for obj in Mission.objects.all():
                add(obj.title, obj)
        self._tables[table] = index
        return index

    def find(self, table: str, raw):
        text = parsing.clean_text(raw)
        if not text:
            return None
        found = self._load(table).get(lookup_key(text), [])
        if len(found) == 1:
            return found[0]
        if not found:
            messages = {
                "industry": _("No industry is called “%(name)s”; an admin adds industries."),
                "park": _("No park is called “%(name)s”; an admin adds parks."),
                "team": _("No team is called “%(name)s”."),
                "user": _("No active user is called “%(name)s”; write the login name or the person's full name."),
                "mission": _("No mission is called “%(name)s”."),
            }
            raise ValueError(messages[table] % {"name": text})
        raise ValueError(_("Several records are called “%(name)s”; make the name unique first.") % {"name": text})

    def find_many(self, table: str, raw) -> list:
        return [self.find(table, name) for name in parsing.split_names(raw)]

    # --- organisations ---

    def _load_organisations(self) -> None:
        if self._organisations_loaded:
            return
        for pk, name, name_en, code in Organisation.objects.values_list("pk", "name", "name_en", "credit_code"):
            if pk not in self._known:
                self.remember_organisation(pk, name, name_en, code)
        self._organisations_loaded = True

    def read_organisations(self, questions: Iterable[tuple[str, str, str]]) -> None:
        """Read the organisations that the questions (name, English name, credit code)
        can match: one query per 500 names of the file, whatever its length."""
        if self._every_organisation:
            self._load_organisations()
            return
        keys: set[str] = set()
        codes: set[str] = set()
        # A ledger names the same few hundred investors thousands of times.
        for name, name_en, credit_code in set(questions):
            for text in (name, name_en):
                key = normalise_organisation_name(text) if text else ""
                if key and key not in self._read_keys:
                    keys.add(key)
            code = normalise_credit_code(credit_code) if credit_code else ""
            if code and code not in self._read_codes:
                codes.add(code)
        if not keys and not codes:
            return
        ordered_keys, ordered_codes = sorted(keys), sorted(codes)
        for start in range(0, max(len(ordered_keys), len(ordered_codes)), CHUNK):
            names, credit_codes = ordered_keys[start : start + CHUNK], ordered_codes[start : start + CHUNK]
            found = Organisation.objects.filter(
                Q(name_key__in=names) | Q(name_en_key__in=names) | Q(credit_code__in=credit_codes)
            ).values_list("pk", "name", "name_en", "credit_code")
            for pk, name, name_en, code in found:
                # Known ones may have been changed by this import: its own record stands.
                if pk not in self._known:
                    self.remember_organisation(pk, name, name_en, code)
        self._read_keys |= keys
        self._read_codes |= codes

    def remember_organisation(self, pk: int, name: str, name_en: str = "", code: str = "") -> None:
        self._answers.clear()
        self._known.add(pk)
        if code:
            self.by_code[code] = pk
            self.coded_ids.add(pk)
        for text in (name, name_en):
            key = normalise_organisation_name(text)
            if key:
                self.by_name[key].add(pk)

    def forget_organisation(self, pk: int) -> None:
        self._answers.clear()
        for code in [code for code, value in self.by_code.items() if value == pk]:
            del self.by_code[code]
        self.coded_ids.discard(pk)
        for ids in self.by_name.values():
            ids.discard(pk)

    def organisation_ids(self, *, name: str = "", name_en: str = "", credit_code: str = "") -> tuple[str, set[int]]:
        """How the organisation was matched ("code", "name" or "") and the candidates."""
        question = (name, name_en, credit_code)
        if question not in self._answers:
            # Read by the importer's preload already, unless a row asks something new.
            self.read_organisations([question])
            self._answers[question] = self._organisation_ids(name, name_en, credit_code)
        how, ids = self._answers[question]
        return how, set(ids)

    def _organisation_ids(self, name: str, name_en: str, credit_code: str) -> tuple[str, set[int]]:
        code = normalise_credit_code(credit_code) if credit_code else ""
        if code and code in self.by_code:
            return "code", {self.by_code[code]}
        ids: set[int] = set()
        for text in (name, name_en):
            key = normalise_organisation_name(text)
            if key:
                ids |= self.by_name.get(key, set())
        if code:
            # A file's credit code that differs from the matched record's is another organisation.
            ids = {pk for pk in ids if pk not in self.coded_ids}
        return ("name" if ids else ""), ids
