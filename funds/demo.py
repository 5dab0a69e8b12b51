"""Funds in place of the demo zone: for every project signed on a known date, monthly
entries from the signing month to this month, more of the total the further the
project has gone (a signed project a first paid-in capital, a producing one most of
its investment); foreign-capital projects also carry their dollars. Two targets for
this year (funds in place, foreign capital actually used) so 时序进度 covers them.

Deterministic: one random generator per project, seeded by its name.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from funds.models import FundsEntry
from projects.models import Project, Stage, Target

K = FundsEntry.Kind
# Share of the total investment in place by now, by stage (low, high).
SHARE_BY_STAGE = {
    Stage.SIGNED: (0.03, 0.15),
    Stage.STARTED: (0.2, 0.55),
    Stage.COMPLETED: (0.55, 0.85),
    Stage.PRODUCING: (0.75, 1.0),
}
USD_RATE = Decimal("7.1")  # yuan per dollar, for the demo's dollars only
CENT = Decimal("0.01")


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _entries(project: Project, today: dt.date) -> list[FundsEntry]:
    rng = random.Random(zlib.crc32(project.name.encode()))
    low, high = SHARE_BY_STAGE[Stage(project.stage)]
    total = project.total_investment * Decimal(str(round(rng.uniform(low, high), 3)))
    months = _months(project.signed_on, today)
    # Money arrives in some months, not all: the signing month, then about one in three.
    arriving = [months[0]] + [month for month in months[1:] if rng.random() < 0.35]
    weights = [rng.uniform(0.5, 1.5) for _month in arriving]
    foreign = project.capital_origin != Project.CapitalOrigin.DOMESTIC
    entries = []
    for index, (month, weight) in enumerate(zip(arriving, weights, strict=True)):
        amount = (total * Decimal(weight / sum(weights))).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount <= 0:
            continue
        # The registered capital first, then loans and the company's own funds.
        kind = K.PAID_IN_CAPITAL if index == 0 else rng.choice([K.PAID_IN_CAPITAL, K.LOAN, K.OWN_FUNDS, K.LOAN])
        usd = (
            (amount / USD_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
            if foreign and kind == K.PAID_IN_CAPITAL
            else None
        )
        entries.append(
            FundsEntry(
                project=project,
                month=month,
                kind=kind,
                amount=amount,
                usd_amount=usd,
                entered_by_id=project.owner_id,
                note="银行回单已核" if index == 0 else "",
            )
        )
    # One entry per project, month and kind: same month and kind add up.
    merged: dict[tuple, FundsEntry] = {}
    for entry in entries:
        key = (entry.month, entry.kind)
        if key in merged:
            merged[key].amount += entry.amount
            if entry.usd_amount is not None:
                merged[key].usd_amount = (merged[key].usd_amount or 0) + entry.usd_amount
        else:
            merged[key] = entry
    return list(merged.values())


def build_funds_demo(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    projects = (
        Project.objects.filter(stage__in=list(SHARE_BY_STAGE), signed_on__isnull=False, signed_on__lte=today)
        .exclude(total_investment=0)
        .order_by("signed_on", "pk")
    )
    entries = [entry for project in projects for entry in _entries(project, today)]
    bulk_create_with_history(entries, FundsEntry, batch_size=500)
    _targets(today)
    return {"funds entries": len(entries)}


def _targets(today: dt.date) -> None:
    """This year's targets, set so that funds run a little behind time and foreign
    capital a little ahead of it (what the 时序进度 column is there to show)."""
    year = (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    so_far = FundsEntry.objects.filter(month__range=(year[0], today)).aggregate(t=Sum("amount"), usd=Sum("usd_amount"))
    elapsed = Decimal((today - year[0]).days + 1) / Decimal((year[1] - year[0]).days + 1)
    funds_yi = ((so_far["t"] or Decimal(0)) / 10000 / elapsed * Decimal("1.08")).quantize(Decimal(1))
    usd_wan = ((so_far["usd"] or Decimal(0)) / elapsed * Decimal("0.95")).quantize(Decimal(-2))
    for name, metric, value in (
        (f"{today.year}年到位资金{max(funds_yi, 1)}亿元", Target.Metric.FUNDS_IN_PLACE, max(funds_yi, Decimal(1))),
        (
            f"{today.year}年实际使用外资{max(usd_wan, 100):.0f}万美元",
            Target.Metric.FOREIGN_CAPITAL_USED,
            max(usd_wan, Decimal(100)),
        ),
    ):
        target = Target(name=name, metric=metric, value=value, starts_on=year[0], deadline=year[1])
        target.full_clean()
        target.save()
