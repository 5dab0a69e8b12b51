"""The projects file: one row per project, moved along the pipeline by the stage service."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock, permissions
from core.errors import DomainError
from projects import services as project_services
from projects.models import PIPELINE, SIDE_EXITS, LossReason, Project, Stage, actual_field
from transfer import parsing
from transfer.columns import (
    ChoiceLookup,
    Column,
    amount_column,
    bool_column,
    choice_column,
    date_column,
    id_column,
    integer_column,
    parse_credit_code,
    reference_column,
    text_column,
)
from transfer.importers.engine import Importer, RowError, RowResult, warn_of_claim
from transfer.importers.shared import owner_column, team_column
from transfer.money import Rates, missing_rate
from transfer.parsing import lookup_key

logger = logging.getLogger(__name__)

# Rows listed in the preview with stages reached on an unknown date (the count covers all).
UNDATED_SHOWN = 200

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
LOSS_REASONS = ChoiceLookup(
    LossReason,
    {"外流": "other_location", "落户外地": "other_location", "资金": "financing", "政策": "policy"}
    | {"战略调整": "strategy", "投资方战略": "strategy", "其他": "other"},
)
SOURCES = ChoiceLookup(
    Project.SourceKind,
    {"招商活动": "mission", "拜访": "visit", "百渠": "channel", "渠道": "channel", "驻点": "resident_office"}
    | {"会展": "exhibition", "来电来访": "inquiry", "存量企业": "existing_investor", "其他": "other"},
)


_STAGE_DATE_HEADERS = {
    "lead": ("线索日期", "Lead noted on", ("线索时间", "立项日期", "立项时间", "首次接洽时间", "lead date")),
    "negotiating": ("在谈日期", "Negotiation began on", ("洽谈日期", "在谈时间", "洽谈时间", "negotiation date")),
    "signed": (
        "签约日期",
        "Signed on",
        ("签约时间", "实际签约时间", "实际签约日期", "signing date", "date signed", "signed date"),
    ),
    "started": (
        "开工日期",
        "Construction started on",
        ("开工时间", "实际开工时间", "实际开工日期", "actual start date", "construction start", "start date"),
    ),
    "completed": (
        "竣工日期",
        "Completed on",
        ("竣工时间", "实际竣工时间", "实际竣工日期", "actual completion date", "completion date"),
    ),
    "producing": (
        "投产日期",
        "Production began on",
        ("投产时间", "实际投产时间", "实际投产日期", "production start date"),
    ),
}
_PLANNED_HEADERS = {
    "signed": ("计划签约日期", "Planned signing", ("计划签约", "计划签约时间", "planned signing date")),
    "started": (
        "计划开工日期",
        "Planned construction start",
        ("计划开工", "计划开工时间", "planned start date", "planned start"),
    ),
    "completed": (
        "计划竣工日期",
        "Planned completion",
        ("计划竣工", "计划竣工时间", "planned completion date"),
    ),
    "producing": ("计划投产日期", "Planned production", ("计划投产", "计划投产时间", "planned production date")),
}


def _reached_on(raw, _context=None):
    """The date a stage was reached: a date in the future is the cell's error (the stage
    service refuses it too), so that a row names it beside its other faults."""
    day = parsing.parse_date(raw)
    today = clock.today()
    if day and day > today:
        raise ValueError(
            _("The date a stage is reached cannot be in the future: %(date)s is after today (%(today)s).")
            % {"date": day, "today": today}
        )
    return day


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
            aliases=("投资主体", "投资企业", "投资方名称", "客商名称", "企业名称", "investor name", "company"),
            width=30,
        ),
        Column(
            "investor_credit_code",
            "投资方信用代码",
            "Investor's credit code",
            get=lambda record: record.investor.credit_code,
            parse=parse_credit_code,
            aliases=(
                "统一社会信用代码",
                "信用代码",
                "投资方统一社会信用代码",
                "credit code",
                "unified social credit code",
            ),
            width=22,
        ),
        amount_column(
            "total_investment",
            "总投资(万元)",
            "Total investment (10k yuan)",
            required=True,
            aliases=("总投资", "计划总投资", "投资总额", "投资额", "项目总投资", "total investment", "investment"),
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
        reference_column(
            "industry", "产业", "Industry", "industry", aliases=("所属产业", "行业", "所属行业", "产业领域", "sector")
        ),
        reference_column("park", "园区", "Park", "park", aliases=("载体", "落户园区", "落地载体")),
        choice_column("kind", "项目类型", "Kind", PROJECT_KINDS, aliases=("类型",)),
        choice_column("capital_origin", "资本来源", "Capital origin", CAPITAL_ORIGINS, aliases=("内外资",)),
        choice_column("source_kind", "项目来源", "Source", SOURCES, aliases=("来源",)),
        reference_column("source_mission", "来源活动", "Source mission", "mission"),
        text_column("source_note", "来源说明", "Source details"),
        bool_column("is_major", "重大项目", "Major project", aliases=("是否重大项目",)),
        bool_column("is_confidential", "保密", "Confidential", aliases=("是否保密",)),
        owner_column(),
        team_column(),
        choice_column(
            "stage",
            "阶段",
            "Stage",
            STAGES,
            aliases=(
                "项目阶段",
                "当前阶段",
                "进展阶段",
                "进展",
                "项目进展",
                "推进阶段",
                "状态",
                "current stage",
                "status",
            ),
        ),
        *[
            date_column(actual_field(stage), zh, en, aliases=aliases, parse=_reached_on)
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
            parse=_reached_on,
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
        choice_column("loss_reason", "流失原因", "Loss reason", LOSS_REASONS, aliases=("终止类型",)),
        text_column("lost_to", "流失去向", "Competing location", aliases=("去向", "落户地", "竞争地区")),
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
        text_column(
            "description",
            "项目简介",
            "Description",
            aliases=("简介", "项目内容", "备注", "项目情况", "remarks", "notes", "note"),
            width=40,
        ),
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
        # Rows whose project passes stages on dates the row does not give: row -> (label, stages).
        self._undated: dict[int, tuple[str, list[str]]] = {}
        self.rates = Rates()  # the exchange-rate table, read once

    # --- what the rows look up ---

    def _remember(self, projects) -> None:
        for project in projects:
            project = self._by_pk.setdefault(project.pk, project)
            # A project the user may not see is not found by its name: a row naming it
            # reads as one naming a project that does not exist (it creates one).
            if self._visible(project):
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

    def preload(self, rows: list[tuple[int, dict[str, object]]]) -> None:
        """The investors of the file, their projects and the projects named by id: a few
        queries for the whole file instead of some for every row."""
        super().preload(rows)
        investor_ids: set[int] = set()
        project_ids: set[int] = set()
        for _number, raw in rows:
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
        self.named.preload(investor_ids)
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
        if pk not in self._by_pk or not self._visible(self._by_pk[pk]):
            # A project the user may not see reads as one that does not exist.
            raise RowError("id", _("No record has the ID %(id)s; leave the ID empty to create one.") % {"id": pk})
        return self._by_pk[pk]

    def _visible(self, project: Project) -> bool:
        return project.pk is None or permissions.can_view_project(self.user, project)

    # --- new projects, written many at once ---

    def import_row(self, number: int, raw: dict[str, object]) -> RowResult:
        self._raw = raw
        return super().import_row(number, raw)

    def report(self) -> dict:
        """Beside the organisations: the projects whose stage dates stay unknown."""
        rows = sorted(self._undated.items())
        shown = [{"row": number, "label": label, "stages": stages} for number, (label, stages) in rows[:UNDATED_SHOWN]]
        return {**super().report(), "undated": {"rows": shown, "count": len(rows)}}

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

    # How a total written in another currency became yuan (set with the total).
    _AS_WRITTEN = ("original_amount", "original_currency", "exchange_rate", "exchange_rate_source")
    _YUAN_AMOUNTS = ("total_investment", "fixed_asset_investment", "signed_amount", "expected_annual_output")

    def _set_as_written(self, project: Project, values: dict) -> None:
        """The total as written in another currency and its rate, or nothing (yuan)."""
        for key in self._AS_WRITTEN:
            setattr(project, key, values.get(key, "" if key.endswith(("currency", "source")) else None))

    def _row_date(self, values: dict):
        """The date whose exchange rate turns the row's foreign amounts into yuan: the
        signing date, else the latest date the row gives, else today."""
        if values.get("signed_on"):
            return values["signed_on"]
        dates = [values.get(actual_field(stage)) for stage in PIPELINE] + [values.get("exit_on")]
        dates = [day for day in dates if day]
        return max(dates) if dates else clock.today()

    def _amounts(self, values: dict, result: RowResult) -> None:
        """Amounts in 万元 as the models store them. A foreign amount is converted at the
        rate of the row's date (crm.ExchangeRate): the total keeps what was written,
        its currency and the rate, and is also kept as foreign capital in 万美元."""
        on = None
        for key in self._YUAN_AMOUNTS:
            amount = values.get(key)
            if not isinstance(amount, parsing.Amount):
                continue
            if not amount.is_foreign:
                values[key] = amount.value
                continue
            on = on or self._row_date(values)
            try:
                converted = self.rates.convert(amount, on)
            except ValueError as error:
                raise RowError(key, str(error)) from error
            values[key] = converted.wan_yuan
            if key == "total_investment":
                values["original_amount"] = amount.value
                values["original_currency"] = amount.currency
                values["exchange_rate"] = converted.rate
                values["exchange_rate_source"] = converted.source
                if not isinstance(values.get("foreign_capital_usd"), parsing.Amount) and converted.usd is not None:
                    values["foreign_capital_usd"] = parsing.Amount(converted.usd, parsing.USD)
                result.changes.append((self.column(key).header(), "", converted.describe()))
        capital = values.get("foreign_capital_usd")
        if isinstance(capital, parsing.Amount):
            if capital.currency == parsing.USD:
                values["foreign_capital_usd"] = capital.value
            else:
                on = on or self._row_date(values)
                try:
                    yuan = self.rates.convert(capital, on).wan_yuan
                    dollar = self.rates.rate(parsing.USD, on)
                except ValueError as error:
                    raise RowError("foreign_capital_usd", str(error)) from error
                if dollar is None:
                    raise RowError("foreign_capital_usd", missing_rate(parsing.USD, on.year))
                values["foreign_capital_usd"] = (yuan / dollar.yuan_per_unit).quantize(Decimal("0.01"))
        if values.get("foreign_capital_usd") and not values.get("capital_origin"):
            values["capital_origin"] = Project.CapitalOrigin.FOREIGN

    def _signed_amount(self, values: dict, project: Project | None) -> None:
        """A ledger without a signed-amount column counts a signed project's total
        investment as its signed amount (the investment the agreement is for). A file
        with the column and an empty cell says nothing: the stage service asks for it."""
        if "signed_amount" in values or values.get("total_investment") is None:
            return
        if project is not None and project.signed_amount is not None:
            return
        target = self._target(values)
        reached = target in PIPELINE and PIPELINE.index(target) >= PIPELINE.index(Stage.SIGNED)
        if reached or values.get("signed_on"):
            values["signed_amount"] = values["total_investment"]

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values["name"]
        self._amounts(values, result)
        investor = self.organisation_named(values, name_key="investor", code_key="investor_credit_code")
        values["investor"] = investor
        if investor.pk in self.created_ids:
            self._loaded_investors.add(investor.pk)  # a new investor has no projects yet
        if values.get("id"):
            project = self._by_id(values["id"])
        else:
            project = self._existing(investor.pk, values["name"])
        if project is not None and project.pk is None:
            # An earlier row of this file creates it: write those first, then change it.
            self._write_pending()
            project = self._existing(investor.pk, values["name"])
        self._signed_amount(values, project)
        fields = [key for key in self.plain_fields if key in values]
        if project is None:
            self._create(investor, values, fields, result)
            return
        # A project an earlier row creates gets another id in the check than in the commit.
        created_by = self._created_by_row.get(id(project))
        result.signature = f"row {created_by}" if created_by else str(project.pk)
        changed = self.changes(project, values, [*fields, "investor"])
        for key in ("lead_on",):
            if values.get(key) and values[key] != project.lead_on and not project.date_unknown(Stage.LEAD):
                raise RowError(
                    key, _("The date a stage was reached is changed by an admin's correction, not by an import.")
                )
        result.action = "update" if changed else "unchanged"
        if not changed and not self._moves(project, values) and not self._completes(project, values):
            # Nothing to write: the stage checks only (no savepoint needed).
            self._advance(project, values, result)
        else:
            try:
                with transaction.atomic():
                    if changed:
                        self.set_fields(project, values, changed)
                        if "total_investment" in changed:
                            self._set_as_written(project, values)
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
        # The last activity is set when the project is written (project_touch); given
        # here, the model does not work out its default (the local date) for each row.
        project = Project(investor=investor, last_activity_on=clock.today())
        self.set_fields(project, values, fields)
        self._set_as_written(project, values)
        # A ledger often starts at signing: the lead date is then unknown (the stage
        # service records it so, see _advance), never taken from another stage's date.
        project.lead_on = values.get("lead_on")
        if self._deferring:
            new = project_services.project_prepare_new(project=project, by=self.user)
            self._advance(project, values, result, new=new)
            self._pending.append((new, result.number, self._raw))
        else:
            project_services.project_save(project=project, by=self.user)
            self._advance(project, values, result)
        warn_of_claim(result, project, self.column("investor").header(), self.claim_peeks)
        result.action = "create"
        result.signature = f"new|{len(result.changes)}"
        self._projects[(investor.pk, lookup_key(project.name))] = project
        self._created_by_row[id(project)] = result.number

    def _completes(self, project: Project, values: dict) -> list[Stage]:
        """Stages the project reached on an unknown date that the row now dates."""
        return [stage for stage in project.undated() if values.get(actual_field(stage))]

    def _complete_dates(self, project: Project, values: dict, result: RowResult) -> None:
        """A ledger imported again with dates filled in completes the unknown ones."""
        for stage in self._completes(project, values):
            key = actual_field(stage)
            try:
                project_services.project_complete_date(project=project, stage=stage, on=values[key], by=self.user)
            except DomainError as error:
                raise RowError(key, str(error)) from error
            result.changes.append((self.column(key).header(), _("date unknown"), str(values[key])))
            if result.action == "unchanged":
                result.action = "update"

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
        """Move the project forward to the stage of the row, on the dates the row gives;
        stages passed without a date are recorded as reached on an unknown date
        (project_import_history). A new project goes through `new`, written later."""
        self._complete_dates(project, values, result)
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
        if target == current and new is None:
            return
        dates = {stage: values.get(actual_field(stage)) for stage in PIPELINE}
        dates |= {stage: values.get("exit_on") for stage in SIDE_EXITS}
        if target in SIDE_EXITS and not values.get("exit_on"):
            raise RowError("exit_on", _("Enter the date the project reached “%(stage)s”.") % {"stage": target.label})
        before = current.label
        try:
            project_services.project_import_history(
                project=new if new is not None else project,
                stage=target,
                dates=dates,
                by=self.user,
                reason=values.get("exit_reason") or "",
                signed_amount=values.get("signed_amount"),
                loss_reason=values.get("loss_reason") or "",
                lost_to=values.get("lost_to") or "",
            )
        except DomainError as error:
            column = error.field if error.field in {column.key for column in self.columns} else "stage"
            if column in {"on_hold_on", "dropped_on"}:
                column = "exit_on"
            raise RowError(column, str(error)) from error
        undated = (new.project if new is not None else project).undated()
        if undated:
            self._undated[result.number] = (result.label, [str(stage.label) for stage in undated])
        else:
            self._undated.pop(result.number, None)
        if target == current:
            return
        result.changes.append((self.column("stage").header(), str(before), str(target.label)))
        if result.action == "unchanged":
            result.action = "update"
