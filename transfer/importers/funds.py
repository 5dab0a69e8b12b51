"""The funds ledger (到位资金台账): one row per project, month and kind of funds.

A row names its project (by ID, or by name among the projects the user may see), the
month, the amount and, where the amount is not in yuan, its currency: 3000万美元 in
the amount cell, or 3000 with 美元 in the currency column. A foreign amount becomes
万元 at the exchange rate of the month (crm.ExchangeRate, as the project import
does), and for a project with foreign capital its dollars are kept as foreign capital
actually used. A row for a month and kind already recorded corrects that entry.
Rules are funds.services' (signed projects only, no future month, no negative
amount); one refused row and nothing of the file is imported.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core import permissions
from funds import services
from funds.models import FundsEntry
from projects.models import Project
from transfer import parsing
from transfer.columns import ChoiceLookup, Column, amount_column, choice_column, integer_column, text_column
from transfer.importers.engine import Importer, RowError, RowResult
from transfer.money import Rates
from transfer.parsing import lookup_key

FUNDS_KINDS = ChoiceLookup(
    FundsEntry.Kind,
    {
        "实缴注册资本": "paid_in_capital",
        "实缴资本": "paid_in_capital",
        "注册资本": "paid_in_capital",
        "注册资本金": "paid_in_capital",
        "贷款": "loan",
        "银行贷款": "loan",
        "自有资金": "own_funds",
        "自筹资金": "own_funds",
        "股权投资": "equity",
        "股权融资": "equity",
        "其他": "other",
    },
)


def _month_column() -> Column:
    return Column(
        "month",
        "月份",
        "Month",
        get=lambda entry: entry.month,
        parse=lambda raw, _c=None: parsing.parse_month(raw),
        cell=lambda month: month.strftime("%Y-%m") if month else "",
        required=True,
        aliases=("到位月份", "年月", "统计月份"),
        width=10,
    )


class FundsImporter(Importer):
    kind = "funds"
    columns = [
        integer_column("project_id", "项目编号", "Project ID", aliases=("项目id",), width=10),
        Column(
            "project",
            "项目名称",
            "Project",
            get=lambda entry: entry.project.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=True,
            aliases=("项目", "project name"),
            width=30,
        ),
        _month_column(),
        choice_column("kind", "资金类型", "Kind of funds", FUNDS_KINDS, aliases=("资金类别", "资金来源", "kind")),
        amount_column(
            "amount",
            "到位资金(万元)",
            "Funds in place (10k yuan)",
            required=True,
            aliases=("到位资金", "到资", "金额", "amount"),
        ),
        Column(
            "currency",
            "币种",
            "Currency",
            get=lambda entry: "",
            parse=lambda raw, _c=None: parsing.parse_currency(raw),
            aliases=("货币",),
            width=8,
        ),
        amount_column(
            "usd_amount",
            "实际使用外资(万美元)",
            "Foreign capital actually used (10k USD)",
            usd=True,
            aliases=("实际使用外资", "实际利用外资", "实际到账外资"),
        ),
        text_column("note", "备注", "Note", aliases=("说明",), width=30),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rates = Rates()  # the exchange-rate table, read once
        self._names: dict[str, list[int]] | None = None
        self._projects: dict[int, Project] = {}

    # --- the project a row names ---

    def _visible(self):
        return permissions.visible_projects(self.user, Project.objects.all())

    def _project(self, values: dict) -> Project:
        """By ID, else by name among the projects the user sees (one query for the names
        of the whole file; a project hidden from the user is not found)."""
        pk = values.get("project_id")
        if pk:
            project = self._projects.get(pk) or self._visible().filter(pk=pk).first()
            if project is None:
                raise RowError("project_id", _("No project has the ID %(id)s.") % {"id": pk})
            self._projects[pk] = project
            return project
        if self._names is None:
            self._names = {}
            for project_pk, name in self._visible().values_list("pk", "name"):
                self._names.setdefault(lookup_key(name), []).append(project_pk)
        found = self._names.get(lookup_key(values["project"]), [])
        if not found:
            raise RowError("project", _("No project is called “%(name)s”.") % {"name": values["project"]})
        if len(found) > 1:
            raise RowError(
                "project",
                _("Several projects are called “%(name)s”; give the project ID.") % {"name": values["project"]},
            )
        if found[0] not in self._projects:
            self._projects[found[0]] = self._visible().get(pk=found[0])
        return self._projects[found[0]]

    # --- amounts ---

    def _yuan(self, values: dict, project: Project, result: RowResult) -> tuple[Decimal, Decimal | None]:
        """The amount in 万元 and the dollars of foreign capital actually used."""
        amount: parsing.Amount = values["amount"]
        currency = values.get("currency")
        if currency and currency != amount.currency:
            if amount.is_foreign:
                raise RowError(
                    "currency",
                    _("The amount is in %(written)s but the currency column says %(currency)s.")
                    % {"written": amount.currency, "currency": currency},
                )
            amount = parsing.Amount(amount.value, currency)  # a bare number in the currency column's unit
        usd = values.get("usd_amount")
        usd = usd.value if isinstance(usd, parsing.Amount) else usd
        if not amount.is_foreign:
            return amount.value, usd
        try:
            converted = self.rates.convert(amount, values["month"])
        except ValueError as error:
            raise RowError("amount", str(error)) from error
        result.changes.append((self.column("amount").header(), "", converted.describe()))
        if usd is None and project.capital_origin != Project.CapitalOrigin.DOMESTIC:
            usd = converted.usd
        return converted.wan_yuan, usd

    def apply(self, values: dict, result: RowResult) -> None:
        project = self._project(values)
        month = values["month"]
        kind = values.get("kind") or FundsEntry.Kind.PAID_IN_CAPITAL
        amount, usd = self._yuan(values, project, result)
        result.label = f"{project.name} {month:%Y-%m} {FundsEntry.Kind(kind).label}"
        existing = FundsEntry.objects.filter(project=project, month=month, kind=kind).first()
        if existing is not None and existing.amount == amount and (usd is None or existing.usd_amount == usd):
            result.action = "unchanged"
            result.signature = f"{existing.pk}|0"
            return
        if existing is not None:
            header = self.column("amount").header()
            result.changes.append((header, f"{existing.amount:,.2f}", f"{amount:,.2f}"))
        entry, created = services.funds_entry_record(
            project=project,
            month=month,
            kind=kind,
            amount=amount,
            usd_amount=usd if usd is not None else (existing.usd_amount if existing else None),
            note=values.get("note") or "",
            by=self.user,
        )
        result.action = "create" if created else "update"
        result.signature = "new" if created else f"{entry.pk}|{len(result.changes)}"
