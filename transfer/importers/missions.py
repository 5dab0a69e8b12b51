"""The missions file: one row per mission (招商活动)."""

from __future__ import annotations

from crm import services as crm_services
from crm.models import Mission
from transfer.columns import ChoiceLookup, Column, choice_column, date_column, id_column, reference_column, text_column
from transfer.importers.engine import Importer, RowResult

MISSION_KINDS = ChoiceLookup(
    Mission.Kind, {"出访": "overseas", "境外招商": "overseas", "国内招商": "domestic", "会展": "exhibition"}
)
MISSION_REGIONS = ChoiceLookup(
    Mission.Region,
    {"日韩": "japan_korea", "欧洲": "europe", "港澳": "hk_macau", "台湾": "taiwan", "中东": "middle_east"}
    | {"北美": "north_america", "东南亚": "southeast_asia", "国内": "domestic", "其他": "other"},
)


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
