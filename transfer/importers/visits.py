"""The visits file: one row per visit to or from an organisation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm import services as crm_services
from crm.models import Visit
from transfer import parsing
from transfer.columns import ChoiceLookup, Column, choice_column, date_column, id_column, reference_column, text_column
from transfer.importers.engine import Importer, RowError, RowResult, warn_of_claim
from transfer.importers.shared import organisation_ref_columns
from transfer.parsing import lookup_key

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


class VisitImporter(Importer):
    kind = "visits"
    organisation_columns = ("organisation", "organisation_credit_code")
    plain_fields = ("date", "kind", "mission", "location", "summary", "intention", "next_step", "follow_up_on")
    columns = [
        id_column(),
        date_column("date", "日期", "Date", required=True, aliases=("拜访日期", "接待日期")),
        *organisation_ref_columns(),
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
        organisation = self.organisation_named(values, name_key="organisation", code_key="organisation_credit_code")
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
            warn_of_claim(result, visit, self.column("organisation").header(), self.claim_peeks)
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
            warn_of_claim(result, visit, self.column("organisation").header(), self.claim_peeks)
        result.action = "update" if result.changes else "unchanged"
        result.signature = f"{visit.pk}|{len(result.changes)}"
