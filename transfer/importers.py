"""One importer per list: its columns, how a row finds the record it is about, and how
it is written, always through the services of crm and projects (rules, permissions
and history apply as for a person's edit).

An importer handles one row at a time inside the import's transaction, so a row sees
what earlier rows of the same file wrote (two rows of one company give one company).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.errors import DomainError
from crm import services as crm_services
from crm.models import Contact, Mission, Organisation, Visit
from crm.names import normalise_organisation_name
from projects import services as project_services
from projects.models import PIPELINE, SIDE_EXITS, Project, Stage, actual_field
from transfer import parsing
from transfer.columns import (
    ChoiceLookup,
    Column,
    amount_column,
    bool_column,
    choice_column,
    country_name,
    date_column,
    id_column,
    integer_column,
    parse_country,
    reference_column,
    text_column,
)
from transfer.lookups import Lookups
from transfer.parsing import lookup_key
from transfer.reading import FileRefused

logger = logging.getLogger(__name__)


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
    candidates: list[tuple[int, str]] = field(default_factory=list)  # near matches to confirm
    signature: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.number,
            "action": self.action,
            "label": self.label,
            "changes": self.changes,
            "errors": self.errors,
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
        self.user = user
        self.decisions = {str(k): v for k, v in (decisions or {}).items()}
        self.committing = committing
        self.lookups = Lookups()
        self.created_ids: set[int] = set()
        self.row: RowResult | None = None

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
        for index, header in enumerate(headers):
            key = lookup_key(_strip_required_mark(header))
            column = by_name.get(key)
            if column is None:
                if header and key not in by_name:
                    ignored.append(header)
                continue
            if column in mapping.values():
                raise FileRefused(_("The column “%(column)s” appears twice.") % {"column": header})
            mapping[index] = column
        present = set(mapping.values())
        missing = [column for column in self.required_columns() if column not in present]
        if missing:
            raise FileRefused(
                _("Required columns are missing: %(columns)s. Download the template to see them.")
                % {"columns": "、".join(column.header() for column in missing)}
            )
        return mapping, ignored

    def required_columns(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    # --- the rows of a file ---

    def preload(self, rows: list[dict[str, object]]) -> None:
        """Read at once what the rows will look up (before the first row is imported)."""
        if self.organisation_columns:
            self.lookups.read_organisations(self._organisations_named(rows))

    def _organisations_named(self, rows: list[dict[str, object]]) -> list[tuple[str, str, str]]:
        name_key, code_key = self.organisation_columns
        questions = []
        for raw in rows:
            try:
                name = self.column(name_key).parse(raw.get(name_key), self.lookups)
                code = self.column(code_key).parse(raw.get(code_key), self.lookups)
            except ValueError:
                continue  # the row will say what is wrong with it
            questions.append((name or "", "", code or ""))
        return questions

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
        try:
            with transaction.atomic():
                result = self.import_row(number, raw)
                if result.errors:
                    raise _UndoRow
        except _UndoRow:
            pass
        except Exception:
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
                values[key] = column.parse(cell, self.lookups)
            except ValueError as error:
                result.errors.append((column.header(), str(error)))
                continue
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

    def existing_organisation(self, values: dict, *, name_key: str, code_key: str) -> Organisation:
        """The organisation a visit, project or contact belongs to; it must exist."""
        name, code = values.get(name_key) or "", values.get(code_key) or ""
        how, ids = self.lookups.organisation_ids(name=name, credit_code=code)
        if len(ids) == 1:
            # Rows of a visit or project file do not change organisations: one read each.
            cache = self.__dict__.setdefault("_organisations", {})
            pk = next(iter(ids))
            if pk not in cache:
                cache[pk] = Organisation.objects.get(pk=pk)
            return cache[pk]
        if len(ids) > 1:
            raise RowError(
                name_key,
                _("Several organisations are called “%(name)s”; add the credit code column.") % {"name": name},
            )
        raise RowError(
            name_key if name else code_key,
            _("No organisation “%(name)s” was found; import it with the organisations first.") % {"name": name or code},
        )


def _same(old, new) -> bool:
    if isinstance(new, list):
        return {getattr(item, "pk", item) for item in old} == {getattr(item, "pk", item) for item in new}
    if hasattr(new, "pk") or hasattr(old, "pk"):
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    if isinstance(new, str) and not isinstance(old, str):
        return str(old or "") == new
    return old == new


def _strip_required_mark(header: str) -> str:
    return (header or "").strip().rstrip("*＊").strip()


# --- Choices people write ---------------------------------------------------------------

ORGANISATION_KINDS = ChoiceLookup(
    Organisation.Kind,
    {
        "企业": "company",
        "公司": "company",
        "高校": "university",
        "大学": "university",
        "科研院所": "institute",
        "研究院": "institute",
        "新型研发机构": "rnd_institute",
        "协会": "association",
        "商会": "association",
        "投资机构": "investor",
        "政府": "government",
        "政府部门": "government",
        "离岸创新中心": "offshore_centre",
    },
)
EXCHANGES = ChoiceLookup(Organisation.Exchange, {"上交所": "SSE", "深交所": "SZSE", "北交所": "BSE", "港交所": "HKEX"})
MISSION_KINDS = ChoiceLookup(
    Mission.Kind, {"出访": "overseas", "境外招商": "overseas", "国内招商": "domestic", "会展": "exhibition"}
)
MISSION_REGIONS = ChoiceLookup(
    Mission.Region,
    {"日韩": "japan_korea", "欧洲": "europe", "港澳": "hk_macau", "台湾": "taiwan", "中东": "middle_east"}
    | {"北美": "north_america", "东南亚": "southeast_asia", "国内": "domestic", "其他": "other"},
)
VISIT_KINDS = ChoiceLookup(
    Visit.Kind,
    {"拜访": "outgoing", "走访": "outgoing", "外出拜访": "outgoing", "接待": "received", "来访": "received"}
    | {"线上": "online", "视频会议": "online"},
)
INTENTIONS = ChoiceLookup(
    Visit.Intention,
    {
        "强": "high",
        "高": "high",
        "较强": "high",
        "中": "medium",
        "一般": "medium",
        "弱": "low",
        "低": "low",
        "无": "none",
    },
)
STAGES = ChoiceLookup(
    Stage,
    {"线索": "lead", "在谈": "negotiating", "洽谈": "negotiating", "签约": "signed", "已签约": "signed"}
    | {"开工": "started", "在建": "started", "竣工": "completed", "投产": "producing", "达产": "producing"}
    | {"搁置": "on_hold", "暂停": "on_hold", "终止": "dropped", "放弃": "dropped"},
)
PROJECT_KINDS = ChoiceLookup(
    Project.Kind, {"新建": "new", "新设": "new", "增资": "expansion", "扩建": "expansion", "合资": "joint_venture"}
)
CAPITAL_ORIGINS = ChoiceLookup(
    Project.CapitalOrigin, {"内资": "domestic", "外资": "foreign", "港澳台资": "hmt", "港澳台": "hmt"}
)
SOURCES = ChoiceLookup(
    Project.SourceKind,
    {"招商活动": "mission", "拜访": "visit", "百渠": "channel", "渠道": "channel", "驻点": "resident_office"}
    | {"会展": "exhibition", "来电来访": "inquiry", "存量企业": "existing_investor", "其他": "other"},
)


def _country_column() -> Column:
    return Column(
        "country",
        "国家/地区",
        "Country",
        get=lambda record: record.country.code or None,
        parse=lambda raw, _c=None: parse_country(raw),
        cell=lambda code: country_name(Organisation(country=code).country) if code else "",
        aliases=("国家", "国别", "country or region"),
    )


def _owner_column() -> Column:
    return reference_column("owner", "负责人", "Owner", "user", aliases=("招商专员", "责任人", "officer"))


def _team_column() -> Column:
    return reference_column("team", "团队", "Team", "team", aliases=("招商小组", "小组"))


def _organisation_ref_columns() -> list[Column]:
    return [
        Column(
            "organisation",
            "客商名称",
            "Organisation",
            get=lambda record: record.organisation.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=True,
            aliases=("企业名称", "单位名称", "客商", "企业", "organisation name", "company"),
            width=30,
        ),
        Column(
            "organisation_credit_code",
            "统一社会信用代码",
            "Credit code",
            get=lambda record: record.organisation.credit_code,
            parse=lambda raw, _c=None: parsing.fold_width(parsing.clean_text(raw)).upper().replace(" ", ""),
            aliases=("信用代码", "unified social credit code"),
            width=22,
        ),
    ]


# --- Contacts (on their own, or with their organisation) ------------------------------


def contact_columns(prefix: str = "") -> list[Column]:
    """Contact columns; in the organisations file they carry the prefix "contact_"."""
    name_headers = ("联系人", "Contact") if prefix else ("姓名", "Name")
    columns = [
        Column(
            f"{prefix}name",
            *name_headers,
            get=lambda record: record.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=not prefix,
            aliases=("联系人姓名", "contact name") if prefix else ("联系人", "full name"),
        ),
        text_column(f"{prefix}title", "职务", "Job title", aliases=("职位", "title")),
        text_column(f"{prefix}phone", "电话", "Phone", aliases=("手机", "联系电话", "mobile")),
        text_column(f"{prefix}email", "邮箱", "E-mail", aliases=("电子邮件", "email")),
        text_column(f"{prefix}wechat", "微信", "WeChat", aliases=("微信号",)),
    ]
    for column in columns:
        if prefix:
            column.get = _contact_getter(column.key[len(prefix) :])
            column.import_only = True
    return columns


def _contact_getter(attribute: str):
    return lambda contact: getattr(contact, attribute) or ""


class ContactsMixin:
    """Find a contact of an organisation by name; create or update it through contact_save."""

    def contact_of(self, organisation: Organisation, name: str) -> Contact | None:
        cache = self.__dict__.setdefault("_contacts", {})
        if organisation.pk not in cache:
            index: dict[str, Contact] = {}
            if organisation.pk not in self.created_ids:
                for contact in organisation.contacts.all():
                    index.setdefault(lookup_key(contact.name), contact)
            cache[organisation.pk] = index
        return cache[organisation.pk].get(lookup_key(name))

    def save_contact(self, organisation: Organisation, values: dict, prefix: str, result: RowResult) -> str:
        """ "create", "update" or "unchanged" for the contact of the row."""
        name = values.get(f"{prefix}name")
        if not name:
            return "unchanged"
        fields = [f"{prefix}{attribute}" for attribute in ("title", "phone", "email", "wechat", "name_en", "notes")]
        fields += [f"{prefix}is_active"]
        contact = self.contact_of(organisation, name)
        plain = {key[len(prefix) :]: values[key] for key in fields if key in values and values[key] not in (None, "")}
        if contact is None:
            contact = Contact(organisation=organisation, name=name, **plain)
            crm_services.contact_save(contact=contact, by=self.user)
            self.__dict__["_contacts"][organisation.pk][lookup_key(name)] = contact
            result.changes.append((self.column(f"{prefix}name").header(), "", name))
            return "create"
        changed = self.changes(contact, values, fields)
        if not changed:
            return "unchanged"
        self.set_fields(
            contact, {key[len(prefix) :]: values[key] for key in changed}, [k[len(prefix) :] for k in changed]
        )
        crm_services.contact_save(contact=contact, by=self.user)
        return "update"


# --- Organisations ----------------------------------------------------------------------


class OrganisationImporter(ContactsMixin, Importer):
    kind = "organisations"
    plain_fields = (
        "name",
        "name_en",
        "credit_code",
        "kind",
        "country",
        "city",
        "address",
        "website",
        "industry",
        "park",
        "is_in_zone",
        "description",
        "exchange",
        "stock_code",
        "listed_on",
        "owner",
        "team",
    )
    columns = [
        id_column(),
        Column(
            "name",
            "客商名称",
            "Name",
            get=lambda record: record.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=True,
            aliases=("企业名称", "单位名称", "名称", "中文名称", "Chinese name", "organisation", "company"),
            width=30,
        ),
        text_column("name_en", "英文名称", "English name", width=30),
        Column(
            "credit_code",
            "统一社会信用代码",
            "Credit code",
            get=lambda record: record.credit_code,
            parse=lambda raw, _c=None: parsing.fold_width(parsing.clean_text(raw)).upper().replace(" ", ""),
            aliases=("信用代码", "unified social credit code"),
            width=22,
        ),
        choice_column("kind", "类型", "Kind", ORGANISATION_KINDS, aliases=("客商类型", "单位类型")),
        _country_column(),
        text_column("city", "城市", "City"),
        text_column("address", "地址", "Address", width=30),
        text_column("website", "网址", "Website", aliases=("网站",)),
        reference_column("industry", "产业", "Industry", "industry", aliases=("所属产业", "行业")),
        reference_column("park", "园区", "Park", "park", aliases=("载体", "所在园区")),
        bool_column("is_in_zone", "是否在区内", "In the zone", aliases=("在区企业", "located in the zone")),
        text_column("description", "简介", "Description", width=40),
        choice_column("exchange", "上市交易所", "Stock exchange", EXCHANGES, aliases=("交易所",)),
        text_column("stock_code", "股票代码", "Stock code"),
        date_column("listed_on", "上市日期", "Listing date"),
        _owner_column(),
        _team_column(),
        *contact_columns("contact_"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Near matches compare the file's names with every stored one.
        self.lookups = Lookups(every_organisation=True)
        self._near_index: dict[str, list[int]] | None = None

    # --- near matches ---

    def _near_prefix_index(self) -> dict[str, list[int]]:
        """Prefixes and suffixes of the names already stored (not those this file adds)."""
        if self._near_index is None:
            self.lookups.organisation_ids()  # loads the names
            # Only parts at least half as long as the name: shorter ones match too much.
            index: dict[str, list[int]] = defaultdict(list)
            for key, ids in self.lookups.by_name.items():
                for length in range(max(2, (len(key) + 1) // 2), len(key)):
                    index[key[:length]].extend(ids)
                    index[key[-length:]].extend(ids)
            self._near_index = index
        return self._near_index

    def near_matches(self, name: str, name_en: str) -> list[Organisation]:
        """Stored organisations whose name contains this one's core, or the other way round."""
        ids: set[int] = set()
        for text in (name, name_en):
            key = normalise_organisation_name(text)
            if len(key) < 2:
                continue
            for start in range(len(key)):
                for end in range(start + max(2, (len(key) + 1) // 2), len(key) + 1):
                    ids |= self.lookups.by_name.get(key[start:end], set())
            ids.update(self._near_prefix_index().get(key, ()))
        ids -= self.created_ids
        if not ids:
            return []
        return list(Organisation.objects.filter(pk__in=ids).order_by("name")[:5])

    # --- rows ---

    def find(self, values: dict, result: RowResult) -> Organisation | None:
        self.matched_by = "id"
        if values.get("id"):
            return self.record_by_id(
                Organisation, values["id"], Organisation.objects.select_related("owner", "team", "industry", "park")
            )
        name, name_en, code = values.get("name") or "", values.get("name_en") or "", values.get("credit_code") or ""
        how, ids = self.lookups.organisation_ids(name=name, name_en=name_en, credit_code=code)
        if len(ids) > 1:
            names = "、".join(Organisation.objects.filter(pk__in=ids).values_list("name", flat=True)[:5])
            raise RowError(
                "name", _("Several organisations match this name (%(names)s); add the credit code.") % {"names": names}
            )
        if ids:
            pk = next(iter(ids))
            self.matched_by = how
            result.signature = f"{how}:{'row' if pk in self.created_ids else pk}"
            return Organisation.objects.get(pk=pk)
        near = self.near_matches(name, name_en)
        if not near:
            result.signature = "new"
            return None
        result.candidates = [(organisation.pk, organisation.name) for organisation in near]
        result.signature = "near:" + ",".join(str(pk) for pk, _name in result.candidates)
        answer = self.decisions.get(str(result.number))
        if answer == NEW:
            return None
        if answer and str(answer).isdigit() and int(answer) in {pk for pk, _name in result.candidates}:
            self.matched_by = "near"
            return Organisation.objects.get(pk=int(answer))
        if self.committing:
            raise RowError(
                "name",
                _("“%(name)s” looks like %(others)s: confirm whether it is the same organisation.")
                % {"name": name, "others": "、".join(n for _pk, n in result.candidates)},
            )
        return None

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values.get("name") or ""
        organisation = self.find(values, result)
        fields = [key for key in self.plain_fields if key in values]
        if organisation is None:
            organisation = Organisation()
            self.set_fields(organisation, values, fields)
            crm_services.organisation_save(organisation=organisation, by=self.user)
            self.created_ids.add(organisation.pk)
            self.lookups.remember_organisation(
                organisation.pk, organisation.name, organisation.name_en, organisation.credit_code
            )
            result.action = "create"
        else:
            if self.matched_by in ("name", "near"):
                # Found by another spelling of its name: the stored spelling stays.
                fields = [key for key in fields if key not in ("name", "name_en") or not getattr(organisation, key)]
            changed = self.changes(organisation, values, fields)
            if changed:
                self.lookups.forget_organisation(organisation.pk)
                self.set_fields(organisation, values, changed)
                crm_services.organisation_save(organisation=organisation, by=self.user)
                self.lookups.remember_organisation(
                    organisation.pk, organisation.name, organisation.name_en, organisation.credit_code
                )
            result.action = "update" if changed else "unchanged"
        contact = self.save_contact(organisation, values, "contact_", result)
        if result.action == "unchanged" and contact != "unchanged":
            result.action = "update"
        if not result.candidates:
            result.signature += f"|{len(result.changes)}"


# --- Contacts -----------------------------------------------------------------------------


class ContactImporter(ContactsMixin, Importer):
    kind = "contacts"
    organisation_columns = ("organisation", "organisation_credit_code")
    columns = [
        id_column(),
        *_organisation_ref_columns(),
        *contact_columns(),
        text_column("name_en", "英文姓名", "Name in English"),
        text_column("notes", "备注", "Notes", width=30),
        bool_column("is_active", "是否在职", "Still works there", aliases=("在职",)),
    ]

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values["name"]
        if values.get("id"):
            contact = self.record_by_id(Contact, values["id"])
            keys = ["name", "title", "phone", "email", "wechat", "name_en", "notes", "is_active"]
            changed = self.changes(contact, values, keys)
            if changed:
                self.set_fields(contact, values, changed)
                crm_services.contact_save(contact=contact, by=self.user)
            result.action = "update" if changed else "unchanged"
            result.signature = f"id:{contact.pk}|{len(result.changes)}"
            return
        organisation = self.existing_organisation(values, name_key="organisation", code_key="organisation_credit_code")
        result.action = self.save_contact(organisation, values, "", result)
        result.signature = f"{organisation.pk}|{result.action}|{len(result.changes)}"


# --- Missions -----------------------------------------------------------------------------


class MissionImporter(Importer):
    kind = "missions"
    plain_fields = ("title", "kind", "region", "cities", "start_date", "end_date", "leader", "goals", "summary")
    columns = [
        id_column(),
        text_column("title", "活动名称", "Title", required=True, aliases=("团组名称", "招商活动", "名称"), width=30),
        choice_column("kind", "活动类型", "Kind", MISSION_KINDS, aliases=("类型",)),
        choice_column("region", "地区", "Region", MISSION_REGIONS, required=True, aliases=("出访地区", "区域")),
        text_column("cities", "城市", "Cities"),
        date_column("start_date", "开始日期", "Start date", required=True, aliases=("出发日期",)),
        date_column("end_date", "结束日期", "End date", required=True, aliases=("返回日期",)),
        reference_column("leader", "带队领导", "Leader", "user", aliases=("团长", "带队")),
        Column(
            "participants",
            "参团人员",
            "Participants",
            get=lambda record: list(record.participants.all()),
            parse=lambda raw, context: context.find_many("user", raw),
            cell=lambda users: "、".join(sorted(str(user) for user in users or [])),
            aliases=("成员", "团组成员"),
        ),
        text_column("goals", "目标", "Goals", width=30),
        text_column("summary", "成果", "Outcome report", width=30, aliases=("成果报告",)),
    ]

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values["title"]
        mission = None
        if values.get("id"):
            mission = self.record_by_id(
                Mission, values["id"], Mission.objects.select_related("leader").prefetch_related("participants")
            )
        else:
            mission = (
                Mission.objects.filter(title=values["title"], start_date=values["start_date"]).order_by("pk").first()
            )
        fields = [key for key in self.plain_fields if key in values]
        participants = values.get("participants") or None
        if mission is None:
            mission = Mission()
            self.set_fields(mission, values, fields)
            crm_services.mission_save(mission=mission, by=self.user, participants=participants)
            result.action = "create"
            result.signature = "new"
            return
        changed = self.changes(mission, values, [*fields, "participants"])
        if changed:
            self.set_fields(mission, values, [key for key in changed if key != "participants"])
            crm_services.mission_save(
                mission=mission, by=self.user, participants=participants if "participants" in changed else None
            )
        result.action = "update" if changed else "unchanged"
        result.signature = f"{mission.pk}|{len(result.changes)}"


# --- Visits -------------------------------------------------------------------------------


class VisitImporter(Importer):
    kind = "visits"
    organisation_columns = ("organisation", "organisation_credit_code")
    plain_fields = ("date", "kind", "mission", "location", "summary", "intention", "next_step", "follow_up_on")
    columns = [
        id_column(),
        date_column("date", "日期", "Date", required=True, aliases=("拜访日期", "接待日期")),
        *_organisation_ref_columns(),
        choice_column("kind", "方式", "Kind", VISIT_KINDS, aliases=("类型", "拜访方式")),
        reference_column("mission", "招商活动", "Mission", "mission", aliases=("所属活动", "团组")),
        text_column("location", "地点", "Place", aliases=("拜访地点",)),
        text_column(
            "summary", "洽谈内容", "What was discussed", required=True, aliases=("纪要", "内容", "summary"), width=40
        ),
        choice_column("intention", "意向", "Intention", INTENTIONS, aliases=("投资意向",)),
        text_column("next_step", "下一步", "Next step", aliases=("后续安排",), width=30),
        date_column("follow_up_on", "跟进日期", "Follow-up date"),
        Column(
            "officers",
            "参与人员",
            "Officers",
            get=lambda record: list(record.officers.all()),
            parse=lambda raw, context: context.find_many("user", raw),
            cell=lambda users: "、".join(sorted(str(user) for user in users or [])),
            aliases=("拜访人员", "招商人员"),
        ),
        Column(
            "contacts",
            "会见联系人",
            "Contacts met",
            get=lambda record: sorted(contact.name for contact in record.contacts.all()),
            parse=lambda raw, _c=None: parsing.split_names(raw),
            cell=lambda names: "、".join(sorted(names or [])),
            aliases=("对方人员", "联系人"),
        ),
    ]

    def apply(self, values: dict, result: RowResult) -> None:
        organisation = self.existing_organisation(values, name_key="organisation", code_key="organisation_credit_code")
        result.label = f"{values['date']} {organisation.name}"
        contacts = None
        if values.get("contacts"):
            by_name = {lookup_key(contact.name): contact for contact in organisation.contacts.all()}
            missing = [name for name in values["contacts"] if lookup_key(name) not in by_name]
            if missing:
                raise RowError(
                    "contacts",
                    _("%(names)s: not contacts of %(organisation)s; add them first.")
                    % {"names": "、".join(missing), "organisation": organisation.name},
                )
            contacts = [by_name[lookup_key(name)] for name in values["contacts"]]
        if values.get("id"):
            visit = self.record_by_id(
                Visit,
                values["id"],
                Visit.objects.select_related("organisation", "mission").prefetch_related("officers", "contacts"),
            )
        else:
            visit = (
                Visit.objects.filter(organisation=organisation, date=values["date"], summary=values["summary"])
                .order_by("pk")
                .first()
            )
        fields = [key for key in self.plain_fields if key in values]
        officers = values.get("officers") or None
        if visit is None:
            visit = Visit(organisation=organisation)
            self.set_fields(visit, values, fields)
            crm_services.visit_save(visit=visit, by=self.user, officers=officers, contacts=contacts)
            result.action = "create"
            result.signature = "new"
            return
        keys = [*fields, "officers", "contacts"]
        if visit.organisation_id != organisation.pk:
            result.changes.append((self.column("organisation").header(), visit.organisation.name, organisation.name))
        changed = self.changes(visit, values, keys)
        if changed or visit.organisation_id != organisation.pk:
            visit.organisation = organisation
            self.set_fields(visit, values, [key for key in changed if key not in ("officers", "contacts")])
            crm_services.visit_save(
                visit=visit,
                by=self.user,
                officers=officers if "officers" in changed else None,
                contacts=contacts if "contacts" in changed else None,
            )
        result.action = "update" if result.changes else "unchanged"
        result.signature = f"{visit.pk}|{len(result.changes)}"


# --- Projects -----------------------------------------------------------------------------

_STAGE_DATE_HEADERS = {
    "lead": ("线索日期", "Lead noted on", ("线索时间", "立项日期")),
    "negotiating": ("在谈日期", "Negotiation began on", ("洽谈日期",)),
    "signed": ("签约日期", "Signed on", ("签约时间",)),
    "started": ("开工日期", "Construction started on", ("开工时间",)),
    "completed": ("竣工日期", "Completed on", ("竣工时间",)),
    "producing": ("投产日期", "Production began on", ("投产时间",)),
}
_PLANNED_HEADERS = {
    "signed": ("计划签约日期", "Planned signing", ("计划签约",)),
    "started": ("计划开工日期", "Planned construction start", ("计划开工",)),
    "completed": ("计划竣工日期", "Planned completion", ("计划竣工",)),
    "producing": ("计划投产日期", "Planned production", ("计划投产",)),
}


def _exit_date(project: Project):
    if project.stage == Stage.DROPPED:
        return project.dropped_on
    if project.stage == Stage.ON_HOLD:
        return project.on_hold_on
    return None


class ProjectImporter(Importer):
    kind = "projects"
    organisation_columns = ("investor", "investor_credit_code")
    plain_fields = (
        "name",
        "industry",
        "park",
        "kind",
        "capital_origin",
        "description",
        "total_investment",
        "fixed_asset_investment",
        "foreign_capital_usd",
        "expected_annual_output",
        "signed_amount",
        "jobs",
        "source_kind",
        "source_mission",
        "source_note",
        "is_major",
        "is_confidential",
        "owner",
        "team",
        "signed_planned",
        "started_planned",
        "completed_planned",
        "producing_planned",
    )
    columns = [
        id_column(),
        text_column("name", "项目名称", "Project name", required=True, aliases=("项目", "name"), width=30),
        Column(
            "investor",
            "投资方",
            "Investor",
            get=lambda record: record.investor,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            cell=lambda value: getattr(value, "name", value or ""),
            required=True,
            aliases=("投资主体", "投资企业", "客商名称", "企业名称"),
            width=30,
        ),
        Column(
            "investor_credit_code",
            "投资方信用代码",
            "Investor's credit code",
            get=lambda record: record.investor.credit_code,
            parse=lambda raw, _c=None: parsing.fold_width(parsing.clean_text(raw)).upper().replace(" ", ""),
            aliases=("统一社会信用代码", "信用代码"),
            width=22,
        ),
        Column(
            "total_investment",
            "总投资(万元)",
            "Total investment (10k yuan)",
            get=lambda record: record.total_investment,
            parse=lambda raw, _c=None: parsing.parse_amount(raw),
            cell=lambda value: None if value is None else getattr(value, "value", value),
            required=True,
            aliases=("总投资", "计划总投资", "投资总额", "total investment"),
            number_format="#,##0.00",
        ),
        amount_column(
            "fixed_asset_investment",
            "固定资产投资(万元)",
            "Fixed-asset investment (10k yuan)",
            aliases=("固定资产投资",),
        ),
        amount_column(
            "foreign_capital_usd",
            "外资(万美元)",
            "Foreign capital (10k USD)",
            usd=True,
            aliases=("外资", "利用外资", "外资金额", "foreign capital"),
        ),
        amount_column("signed_amount", "签约金额(万元)", "Signed amount (10k yuan)", aliases=("签约金额", "协议投资")),
        amount_column(
            "expected_annual_output",
            "预计年产值(万元)",
            "Expected annual output (10k yuan)",
            aliases=("预计年产值", "年产值"),
        ),
        integer_column("jobs", "就业人数", "Jobs", aliases=("新增就业",)),
        reference_column("industry", "产业", "Industry", "industry", aliases=("所属产业", "行业")),
        reference_column("park", "园区", "Park", "park", aliases=("载体", "落户园区", "落地载体")),
        choice_column("kind", "项目类型", "Kind", PROJECT_KINDS, aliases=("类型",)),
        choice_column("capital_origin", "资本来源", "Capital origin", CAPITAL_ORIGINS, aliases=("内外资",)),
        choice_column("source_kind", "项目来源", "Source", SOURCES, aliases=("来源",)),
        reference_column("source_mission", "来源活动", "Source mission", "mission"),
        text_column("source_note", "来源说明", "Source details"),
        bool_column("is_major", "重大项目", "Major project", aliases=("是否重大项目",)),
        bool_column("is_confidential", "保密", "Confidential", aliases=("是否保密",)),
        _owner_column(),
        _team_column(),
        choice_column("stage", "阶段", "Stage", STAGES, aliases=("项目阶段", "进展阶段", "状态")),
        *[
            date_column(actual_field(stage), zh, en, aliases=aliases)
            for stage, (zh, en, aliases) in _STAGE_DATE_HEADERS.items()
        ],
        *[
            date_column(f"{stage}_planned", zh, en, aliases=aliases)
            for stage, (zh, en, aliases) in _PLANNED_HEADERS.items()
        ],
        Column(
            "exit_on",
            "搁置/终止日期",
            "Put on hold or dropped on",
            get=_exit_date,
            parse=lambda raw, _c=None: parsing.parse_date(raw),
            number_format="yyyy-mm-dd",
            aliases=("搁置日期", "终止日期"),
        ),
        Column(
            "exit_reason",
            "搁置/终止原因",
            "Reason for hold or drop",
            get=lambda record: record.exit_reason or "",
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            aliases=("搁置原因", "终止原因"),
        ),
        Column(
            "replan_reason",
            "计划调整原因",
            "Reason for re-planning",
            # Never exported with a value: the reason applies to one file's changes only.
            get=lambda record: "",
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            aliases=("调整原因",),
            import_only=True,
        ),
        text_column("description", "项目简介", "Description", aliases=("简介", "项目内容"), width=40),
    ]

    defers_writes = True
    _RELATED = ("investor", "owner", "team", "industry", "park", "source_mission")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Projects read or created by this import: by id, and by (investor, name key).
        self._by_pk: dict[int, Project] = {}
        self._projects: dict[tuple[int, str], Project] = {}
        self._loaded_investors: set[int] = set()
        # New projects checked by the services, written by finish() (or earlier, when
        # a row needs one of them); with the row each came from, to import it again.
        self._pending: list[tuple[project_services.NewProject, int, dict]] = []
        self._again: dict[int, RowResult] = {}
        self._deferring = True
        self._raw: dict | None = None
        self._created_by_row: dict[int, int] = {}  # id() of a project this file creates -> its row

    # --- what the rows look up ---

    def _remember(self, projects) -> None:
        for project in projects:
            project = self._by_pk.setdefault(project.pk, project)
            self._projects.setdefault((project.investor_id, lookup_key(project.name)), project)

    def _load_investors(self, investor_ids) -> None:
        """Read the projects of these investors (newest first, as the name lookup wants)."""
        ids = sorted(set(investor_ids) - self._loaded_investors)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            self._remember(
                Project.objects.select_related(*self._RELATED)
                .filter(investor_id__in=chunk)
                .order_by("-created_at", "-id")
            )
            self._loaded_investors.update(chunk)

    def _load_ids(self, ids) -> None:
        ids = sorted({pk for pk in ids if 0 < pk < 2**63} - set(self._by_pk))
        for start in range(0, len(ids), 1000):
            self._remember(Project.objects.select_related(*self._RELATED).filter(pk__in=ids[start : start + 1000]))

    def preload(self, rows: list[dict[str, object]]) -> None:
        """The investors of the file, their projects and the projects named by id: a few
        queries for the whole file instead of some for every row."""
        super().preload(rows)
        investor_ids: set[int] = set()
        project_ids: set[int] = set()
        for raw in rows:
            try:
                name = self.column("investor").parse(raw.get("investor"), self.lookups)
                code = self.column("investor_credit_code").parse(raw.get("investor_credit_code"), self.lookups)
                project_id = self.column("id").parse(raw.get("id"), self.lookups)
            except ValueError:
                continue  # the row will say what is wrong with it
            _how, ids = self.lookups.organisation_ids(name=name or "", credit_code=code or "")
            if len(ids) == 1:
                investor_ids |= ids
            if project_id:
                project_ids.add(project_id)
        organisations = self.__dict__.setdefault("_organisations", {})
        ordered = sorted(investor_ids)
        for start in range(0, len(ordered), 1000):
            organisations.update(Organisation.objects.in_bulk(ordered[start : start + 1000]))
        self._load_investors(investor_ids)
        self._load_ids(project_ids)

    def _existing(self, investor_id: int, name: str) -> Project | None:
        """The project of this investor with this name (the newest if several)."""
        if investor_id not in self._loaded_investors:
            self._load_investors([investor_id])
        return self._projects.get((investor_id, lookup_key(name)))

    def _by_id(self, pk: int) -> Project:
        if pk not in self._by_pk:
            self._load_ids([pk])
        if pk not in self._by_pk:
            raise RowError("id", _("No record has the ID %(id)s; leave the ID empty to create one.") % {"id": pk})
        return self._by_pk[pk]

    # --- new projects, written many at once ---

    def import_row(self, number: int, raw: dict[str, object]) -> RowResult:
        self._raw = raw
        return super().import_row(number, raw)

    def _write_pending(self) -> None:
        """Write the new projects checked so far. If that fails, the services did not
        foresee something the database refuses: their rows are imported again one by
        one, as a person would enter them, so each row gets its own answer."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            project_services.projects_create_many(projects=[new for new, _number, _raw in pending], by=self.user)
        except Exception:
            logger.info("%s import: writing %s new projects at once failed; one by one", self.kind, len(pending))
            waiting = {id(new.project) for new, _number, _raw in pending}
            self._projects = {key: p for key, p in self._projects.items() if id(p) not in waiting}
            for key in waiting:
                self._created_by_row.pop(key, None)
            self._deferring = False
            try:
                for _new, number, raw in pending:
                    self._again[number] = self.import_row_alone(number, raw)
            finally:
                self._deferring = True
            return
        self._remember(new.project for new, _number, _raw in pending)

    def finish(self) -> dict[int, RowResult]:
        if self.committing:
            self._write_pending()
        # The check stops here: the services checked every new project and its moves,
        # and the check's writes are undone anyway. The commit writes them.
        return self._again

    def _amounts(self, values: dict) -> None:
        """A USD total investment is kept as foreign capital; the total itself is in yuan."""
        total = values.get("total_investment")
        if total is None:
            return
        if total.currency == parsing.USD:
            if values.get("foreign_capital_usd") not in (None, total.value):
                raise RowError(
                    "total_investment",
                    _("The total investment is in US dollars and differs from the foreign capital column."),
                )
            values["foreign_capital_usd"] = total.value
            raise RowError(
                "total_investment",
                _(
                    "The total investment %(amount)s万美元 was kept as foreign capital; also enter the total in yuan (万元): reports count in yuan."
                )
                % {"amount": total.value},
            )
        values["total_investment"] = total.value
        if values.get("foreign_capital_usd") and not values.get("capital_origin"):
            values["capital_origin"] = Project.CapitalOrigin.FOREIGN

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values["name"]
        self._amounts(values)
        investor = self.existing_organisation(values, name_key="investor", code_key="investor_credit_code")
        values["investor"] = investor
        if values.get("id"):
            project = self._by_id(values["id"])
        else:
            project = self._existing(investor.pk, values["name"])
        if project is not None and project.pk is None:
            # An earlier row of this file creates it: write those first, then change it.
            self._write_pending()
            project = self._existing(investor.pk, values["name"])
        if project is not None and not permissions.can_view_project(self.user, project):
            raise RowError("name", _("You may not change this project."))
        fields = [key for key in self.plain_fields if key in values]
        if project is None:
            self._create(investor, values, fields, result)
            return
        # A project an earlier row creates gets another id in the check than in the commit.
        created_by = self._created_by_row.get(id(project))
        result.signature = f"row {created_by}" if created_by else str(project.pk)
        changed = self.changes(project, values, [*fields, "investor"])
        for key in ("lead_on",):
            if values.get(key) and values[key] != project.lead_on:
                raise RowError(
                    key, _("The date a stage was reached is changed by an admin's correction, not by an import.")
                )
        result.action = "update" if changed else "unchanged"
        if not changed and not self._moves(project, values):
            # Nothing to write: the stage checks only (no savepoint needed).
            self._advance(project, values, result)
        else:
            try:
                with transaction.atomic():
                    if changed:
                        self.set_fields(project, values, changed)
                        project_services.project_save(
                            project=project, by=self.user, replan_reason=values.get("replan_reason") or ""
                        )
                    self._advance(project, values, result)
            except Exception:
                # The row's writes were undone: so are its changes to the project read.
                try:
                    project.refresh_from_db()
                except Project.DoesNotExist:
                    pass  # deleted meanwhile: the row's error says so
                raise
        result.signature += f"|{len(result.changes)}"

    def _create(self, investor, values: dict, fields: list[str], result: RowResult) -> None:
        project = Project(investor=investor)
        self.set_fields(project, values, fields)
        # Ledgers often start at signing: the lead is then noted on the first date given.
        dates = [values.get(actual_field(stage)) for stage in PIPELINE] + [values.get("exit_on")]
        project.lead_on = values.get("lead_on") or min((day for day in dates if day), default=None)
        if self._deferring:
            new = project_services.project_prepare_new(project=project, by=self.user)
            self._advance(project, values, result, new=new)
            self._pending.append((new, result.number, self._raw))
        else:
            project_services.project_save(project=project, by=self.user)
            self._advance(project, values, result)
        result.action = "create"
        result.signature = f"new|{len(result.changes)}"
        self._projects[(investor.pk, lookup_key(project.name))] = project
        self._created_by_row[id(project)] = result.number

    def _target(self, values: dict) -> Stage | None:
        """The stage the row puts the project at (given, or the last stage it dates)."""
        target = values.get("stage")
        if target is None:
            reached = [stage for stage in PIPELINE if values.get(actual_field(stage))]
            if not reached:
                return None
            target = reached[-1]
        return Stage(target)

    def _moves(self, project: Project, values: dict) -> bool:
        target = self._target(values)
        return target is not None and target != Stage(project.stage)

    def _advance(
        self, project: Project, values: dict, result: RowResult, new: project_services.NewProject | None = None
    ) -> None:
        """Move the project stage by stage to the stage of the row, on the row's dates
        (a new project through `new`, written later; a stored one at once)."""
        target = self._target(values)
        if target is None:
            return
        current = Stage(project.stage)
        # Dates of stages already reached stay as recorded.
        for stage in PIPELINE:
            given, stored = values.get(actual_field(stage)), project.actual_date(stage)
            if given and stored and given != stored and stage != Stage.LEAD:
                raise RowError(
                    actual_field(stage),
                    _("The date a stage was reached is changed by an admin's correction, not by an import."),
                )
        if target == current:
            return
        path: list[Stage] = []
        pipeline_target = target
        if target in SIDE_EXITS:
            held = [stage for stage in PIPELINE if values.get(actual_field(stage)) or project.actual_date(stage)]
            pipeline_target = held[-1] if held else current
        if current in PIPELINE and pipeline_target in PIPELINE:
            start, end = PIPELINE.index(current), PIPELINE.index(pipeline_target)
            if end < start:
                raise RowError(
                    "stage",
                    _("The project is already at “%(stage)s”; an import does not move projects back.")
                    % {"stage": current.label},
                )
            path = PIPELINE[start + 1 : end + 1]
        if target in SIDE_EXITS:
            path.append(target)
        before = current.label
        for stage in path:
            if stage in SIDE_EXITS:
                on, key = values.get("exit_on"), "exit_on"
            else:
                on, key = values.get(actual_field(stage)), actual_field(stage)
            if on is None:
                raise RowError(
                    key, _("Enter the date the project reached “%(stage)s”.") % {"stage": Stage(stage).label}
                )
            move = {"to_stage": stage, "on": on, "reason": values.get("exit_reason") or ""}
            move["signed_amount"] = values.get("signed_amount")
            try:
                if new is not None:
                    new.change_stage(**move)
                else:
                    project_services.project_change_stage(project=project, by=self.user, **move)
            except DomainError as error:
                raise RowError("stage" if error.field != "signed_amount" else "signed_amount", str(error)) from error
        result.changes.append((self.column("stage").header(), str(before), str(target.label)))
        if result.action == "unchanged":
            result.action = "update"


IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (OrganisationImporter, ContactImporter, MissionImporter, VisitImporter, ProjectImporter)
}
