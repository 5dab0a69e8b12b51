"""The organisations file: one row per organisation (and optionally one contact)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from crm import services as crm_services
from crm.models import Organisation
from crm.names import normalise_organisation_name
from transfer import parsing
from transfer.columns import (
    ChoiceLookup,
    Column,
    bool_column,
    choice_column,
    date_column,
    id_column,
    parse_credit_code,
    reference_column,
    text_column,
)
from transfer.importers.engine import NEW, Importer, RowError, RowResult
from transfer.importers.shared import (
    ContactsMixin,
    contact_columns,
    country_column,
    owner_column,
    team_column,
)
from transfer.lookups import Lookups

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
            parse=parse_credit_code,
            aliases=("信用代码", "unified social credit code"),
            width=22,
        ),
        choice_column("kind", "类型", "Kind", ORGANISATION_KINDS, aliases=("客商类型", "单位类型")),
        country_column(),
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
        owner_column(),
        team_column(),
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
