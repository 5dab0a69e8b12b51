"""Targets: progress computed from the records, against the value and against time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User
from crm.models import Organisation, Qualification
from projects.models import Stage, Target
from projects.reports.selectors.common import ZERO, Column, Links, Table, _new_projects, yi
from projects.tiers import TIER_FLOORS


def _tier_floor(tier: str) -> Decimal:
    return {t.value: floor for floor, t in TIER_FLOORS}.get(tier, ZERO)


# Metrics counted by apps above projects (funds in place, ...): metric -> function of
# (user, window) giving the value, registered from the app's AppConfig.ready().
METRIC_COUNTERS: dict[str, Callable[[User, tuple[dt.date, dt.date]], Decimal]] = {}


def register_metric(metric: str, counter: Callable[[User, tuple[dt.date, dt.date]], Decimal]) -> None:
    METRIC_COUNTERS[metric] = counter


def target_actual(target: Target, user: User, today: dt.date) -> Decimal:
    """The metric's value now, computed from the records (one query)."""
    Metric = Target.Metric
    window = (target.starts_on, min(target.deadline, today))
    if target.metric in METRIC_COUNTERS:
        return METRIC_COUNTERS[target.metric](user, window)
    in_zone = Organisation.objects.filter(is_in_zone=True)
    kinds = {
        Metric.HIGH_TECH: [Qualification.Kind.HIGH_TECH],
        Metric.SPECIALISED: [Qualification.Kind.SPECIALISED_SME, Qualification.Kind.LITTLE_GIANT],
        Metric.LITTLE_GIANTS: [Qualification.Kind.LITTLE_GIANT],
    }
    if target.metric in kinds:
        return Decimal(in_zone.filter(qualifications__kind__in=kinds[target.metric]).distinct().count())
    if target.metric == Metric.LISTED_TOTAL:
        return Decimal(in_zone.filter(listed_on__isnull=False, listed_on__lte=today).count())
    if target.metric == Metric.LISTED_NEW:
        return Decimal(in_zone.filter(listed_on__range=window).count())
    if target.metric == Metric.RND_INSTITUTES:
        return Decimal(in_zone.filter(kind=Organisation.Kind.RND_INSTITUTE).count())
    # A dropped project's investment will not come: targets leave it out, as the review does.
    projects = _new_projects(user).filter(total_investment__gte=_tier_floor(target.min_tier))
    if target.metric == Metric.SIGNED_INVESTMENT:
        return yi(projects.filter(signed_on__range=window).aggregate(t=Sum("total_investment"))["t"])
    if target.metric == Metric.SIGNED_PROJECTS:
        return Decimal(projects.filter(signed_on__range=window).count())
    return Decimal(projects.filter(started_on__range=window).count())


def time_elapsed(starts_on: dt.date, deadline: dt.date, today: dt.date) -> Decimal:
    """Share of the window's days gone by the end of today, in percent (时序进度)."""
    total = (deadline - starts_on).days + 1
    gone = min(max((today - starts_on).days + 1, 0), total)
    return (Decimal(gone) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def targets_progress(*, user: User, today: dt.date | None = None, metrics=None) -> Table:
    """Active targets with progress against the value and against time: 1 + 1 per target."""
    today = today or timezone.localdate()
    table = Table(
        "targets",
        _("Targets"),
        [
            Column("name", _("Target"), "text"),
            Column("metric_label", _("Metric"), "text"),
            Column("value", _("Target value"), "text"),
            Column("actual", _("Now"), "text"),
            Column("done_pct", _("Done"), "percent"),
            Column("time_pct", _("Time elapsed"), "percent"),
            Column("deadline", _("Deadline"), "date"),
        ],
    )
    links = Links()
    live_stages = [stage.value for stage in Stage if stage != Stage.DROPPED]
    targets = Target.objects.filter(is_active=True).order_by("deadline", "name")
    if metrics is not None:
        targets = targets.filter(metric__in=list(metrics))
    for target in targets:
        actual = target_actual(target, user, today)
        row_links = {}
        if target.metric in Target.PROJECT_METRICS:
            reached = "started" if target.metric == Target.Metric.STARTED_PROJECTS else "signed"
            until = min(target.deadline, today)
            params = {"stage": live_stages, f"{reached}_after": target.starts_on, f"{reached}_before": until}
            if target.min_tier:
                params["min_investment"] = _tier_floor(target.min_tier)
            row_links["actual"] = links.url(params)
        done = (actual * 100 / target.value).quantize(Decimal("0.1"))
        elapsed = time_elapsed(target.starts_on, target.deadline, today)
        table.rows.append(
            {
                "target_id": target.pk,
                "name": target.name,
                "metric": target.metric,
                "metric_label": str(target.get_metric_display()),
                "min_tier": target.min_tier,
                "value": target.value,
                "actual": actual,
                "done_pct": done,
                "time_pct": elapsed,
                "on_track": done >= elapsed,
                "starts_on": target.starts_on,
                "deadline": target.deadline,
                "links": row_links,
            }
        )
    return table
