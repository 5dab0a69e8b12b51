"""Mission effectiveness, per mission and per region."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import User
from crm.models import Mission, Visit
from projects.reports.periods import Period
from projects.reports.selectors.common import Column, Links, Table, percent, visible, yi


def _count_subquery(queryset: QuerySet, group: str, expression, output_field=None) -> Coalesce:
    """A per-row aggregate over another table, 0 when there is nothing to aggregate."""
    output_field = output_field or IntegerField()
    subquery = queryset.order_by().values(group).annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(subquery, output_field=output_field), Value(0), output_field=output_field)


def mission_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("missions", _("Missions"), "int"),
        Column("visits", _("Visits"), "int"),
        Column("organisations", _("Organisations met"), "int"),
        Column("projects", _("Projects from it"), "int"),
        Column("signed", _("Of which signed"), "int"),
        Column("signed_yi", _("Signed investment (100M yuan)"), "yi"),
        Column("visit_to_project", _("Projects per 100 visits"), "percent"),
        Column("project_to_signed", _("Signed share of projects"), "percent"),
    ]


@dataclass
class MissionReport:
    period: Period
    missions: Table
    regions: Table


def missions(*, user: User, period: Period) -> MissionReport:
    """Missions that started in the period, and the same per region: 4 queries."""
    links = Links()
    in_period = Mission.objects.filter(start_date__range=(period.start, period.end))
    projects = visible(user)
    signed = projects.filter(signed_on__isnull=False)
    visits = Visit.objects.all()
    rows = (
        in_period.annotate(
            n_visits=_count_subquery(visits.filter(mission=OuterRef("pk")), "mission", Count("pk")),
            n_organisations=_count_subquery(
                visits.filter(mission=OuterRef("pk")), "mission", Count("organisation", distinct=True)
            ),
            n_projects=_count_subquery(projects.filter(source_mission=OuterRef("pk")), "source_mission", Count("pk")),
            n_signed=_count_subquery(signed.filter(source_mission=OuterRef("pk")), "source_mission", Count("pk")),
            signed_total=_count_subquery(
                signed.filter(source_mission=OuterRef("pk")),
                "source_mission",
                Sum("total_investment"),
                DecimalField(max_digits=20, decimal_places=2),
            ),
        )
        .order_by("start_date", "pk")
        .values(
            "pk",
            "title",
            "region",
            "start_date",
            "n_visits",
            "n_organisations",
            "n_projects",
            "n_signed",
            "signed_total",
        )
    )
    regions = dict(Mission.Region.choices)
    mission_table = Table("missions", _("Mission effectiveness"), mission_columns(Column("title", _("Mission"))))
    mission_table.columns[1:2] = [Column("region_label", _("Region")), Column("start_date", _("Start"), "date")]
    for row in rows:
        mission_table.rows.append(
            {
                "mission_id": row["pk"],
                "title": row["title"],
                "region": row["region"],
                "region_label": str(regions.get(row["region"], row["region"])),
                "start_date": row["start_date"],
                **_effect(
                    row["n_visits"], row["n_organisations"], row["n_projects"], row["n_signed"], row["signed_total"]
                ),
                "links": {
                    "projects": links.url({"source_mission": row["pk"]}),
                    "signed": links.url({"source_mission": row["pk"], "is_signed": "true"}),
                    "signed_yi": links.url({"source_mission": row["pk"], "is_signed": "true"}),
                },
            }
        )

    per_region_missions = dict(in_period.order_by().values("region").annotate(n=Count("pk")).values_list("region", "n"))
    per_region_visits = {
        row["mission__region"]: row
        for row in visits.filter(mission__in=in_period)
        .order_by()
        .values("mission__region")
        .annotate(n=Count("pk"), orgs=Count("organisation", distinct=True))
    }
    per_region_projects = {
        row["source_mission__region"]: row
        for row in projects.filter(source_mission__in=in_period)
        .order_by()
        .values("source_mission__region")
        .annotate(
            n=Count("pk"),
            signed=Count("pk", filter=Q(signed_on__isnull=False)),
            total=Sum("total_investment", filter=Q(signed_on__isnull=False)),
        )
    }
    region_table = Table("regions", _("Mission effectiveness by region"), mission_columns(Column("label", _("Region"))))
    for region, label in Mission.Region.choices:
        if region not in per_region_missions:
            continue
        v, p = per_region_visits.get(region, {}), per_region_projects.get(region, {})
        region_table.rows.append(
            {
                "region": region,
                "label": str(label),
                "missions": per_region_missions[region],
                **_effect(v.get("n", 0), v.get("orgs", 0), p.get("n", 0), p.get("signed", 0), p.get("total")),
                "links": {},
            }
        )
    return MissionReport(period, mission_table, region_table)


def _effect(visits: int, organisations: int, projects: int, signed: int, total) -> dict:
    return {
        "visits": visits,
        "organisations": organisations,
        "projects": projects,
        "signed": signed,
        "signed_yi": yi(total),
        "visit_to_project": percent(projects, visits),
        "project_to_signed": percent(signed, projects),
    }
