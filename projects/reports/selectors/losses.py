"""Lost projects (流失原因): the projects dropped in the period, counted by loss reason and
by the competing location they went to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from core.models import User
from projects.models import LossReason, Stage
from projects.reports.periods import Period
from projects.reports.selectors.common import Column, Links, Table, visible, yi


@dataclass
class Losses:
    period: Period
    reasons: Table
    locations: Table
    total: int


def _columns(first: Column) -> list[Column]:
    return [
        first,
        Column("count", _("Projects lost"), "int"),
        Column("lost_yi", _("Investment lost (100M yuan)"), "yi"),
    ]


def losses(*, user: User, period: Period) -> Losses:
    """Projects dropped in the period (dropped_on), visible to the user: 2 queries.

    Every reason of the list has its row (zeros included), in the list's order; the
    locations are those named by projects that went to another location, most first."""
    links = Links()
    dropped = visible(user).filter(stage=Stage.DROPPED, dropped_on__range=(period.start, period.end))
    in_period = {**Links.reached(Stage.DROPPED, period), "stage": Stage.DROPPED.value}
    counted = {
        row["loss_reason"]: row
        for row in dropped.order_by().values("loss_reason").annotate(count=Count("pk"), total=Sum("total_investment"))
    }
    reasons = Table("loss_reasons", _("Lost projects by reason"), _columns(Column("reason", _("Loss reason"))))
    for value, label in LossReason.choices:
        row = counted.get(value, {})
        url = links.url({**in_period, "loss_reason": value})
        reasons.rows.append(
            {
                "value": value,
                "reason": str(label),
                "count": row.get("count", 0),
                "lost_yi": yi(row.get("total")),
                "links": {"count": url, "lost_yi": url} if row else {},
            }
        )
    locations = Table(
        "loss_locations", _("Projects lost to other locations"), _columns(Column("location", _("Competing location")))
    )
    located = (
        dropped.filter(loss_reason=LossReason.OTHER_LOCATION)
        .order_by()
        .values("lost_to")
        .annotate(count=Count("pk"), total=Sum("total_investment"))
        .order_by("-count", "-total", "lost_to")
    )
    for row in located:
        url = links.url({**in_period, "loss_reason": LossReason.OTHER_LOCATION.value, "lost_to": row["lost_to"]})
        locations.rows.append(
            {
                "location": row["lost_to"],
                "count": row["count"],
                "lost_yi": yi(row["total"]),
                "links": {"count": url, "lost_yi": url},
            }
        )
    return Losses(period, reasons, locations, total=sum(row["count"] for row in reasons.rows))
