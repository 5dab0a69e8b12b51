"""Reads of the industry workbench: the chain map, the eight items, the numbers.

The map's states come from the records, per chain link:
- in the zone: local companies on the link (is_in_zone) and investors whose project
  on the link has landed (completed or in production);
- in the pipeline: investors whose project on the link is signed or being built;
- targets: organisations named as targets of the link, and investors still in talks
  (lead or negotiating), until one of the above takes them.
A gap is a link with nothing in the zone and no live project. Projects are read
through core.permissions.visible_projects, so a project hidden from the user changes
nothing on their map. Every read is a fixed number of queries, however many links,
organisations and projects there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.models import ChainTarget, IndustryDocument, IndustryMember, IndustryProfile, LeadingFirm
from core.permissions import visible_projects
from crm.models import Industry, Organisation, Visit
from projects.models import PIPELINE, Project, Stage

if TYPE_CHECKING:
    from core.models import User

LANDED_STAGES = (Stage.COMPLETED, Stage.PRODUCING)
PIPELINE_STAGES = (Stage.SIGNED, Stage.STARTED)
TALK_STAGES = (Stage.LEAD, Stage.NEGOTIATING)
LIVE_STAGES = TALK_STAGES + PIPELINE_STAGES


def industries() -> QuerySet:
    """Industries (clusters and future industries) with the number of their chain links."""
    return (
        Industry.objects.filter(level=Industry.Level.CLUSTER)
        .annotate(link_count=Count("children__children", filter=Q(children__children__level=Industry.Level.LINK)))
        .order_by("category", "position", "name")
    )


def subtree(industry: Industry) -> QuerySet:
    """The industry, its chains and their links (the tree is three levels deep)."""
    return Industry.objects.filter(Q(pk=industry.pk) | Q(parent_id=industry.pk) | Q(parent__parent_id=industry.pk))


# --- The map ------------------------------------------------------------------------------


@dataclass
class MapEntry:
    organisation: Organisation
    projects: list[Project] = field(default_factory=list)
    target: ChainTarget | None = None
    is_leader: bool = False

    @property
    def last_visit(self) -> dt.date | None:
        return getattr(self.target, "last_visit", None) if self.target else None

    @property
    def contacted(self) -> bool:
        return bool(self.projects or self.last_visit)


@dataclass
class LinkRow:
    link: Industry
    leader: Organisation | None = None
    in_zone: list[MapEntry] = field(default_factory=list)
    pipeline: list[MapEntry] = field(default_factory=list)
    targets: list[MapEntry] = field(default_factory=list)
    live_projects: int = 0

    @property
    def is_gap(self) -> bool:
        return not self.in_zone and not self.live_projects

    @property
    def has_targets(self) -> bool:
        return bool(self.targets)


@dataclass
class ChainRow:
    chain: Industry
    links: list[LinkRow] = field(default_factory=list)


@dataclass
class ChainMap:
    industry: Industry
    chains: list[ChainRow]

    @property
    def links(self) -> list[LinkRow]:
        return [row for chain in self.chains for row in chain.links]

    @property
    def gaps(self) -> list[LinkRow]:
        return [row for row in self.links if row.is_gap]

    @property
    def gaps_without_targets(self) -> list[LinkRow]:
        """Gaps nobody is working on yet: not even a target is named."""
        return [row for row in self.gaps if not row.has_targets]


def chain_map(*, user: User, industry: Industry) -> ChainMap:
    chains = list(Industry.objects.filter(parent=industry, level=Industry.Level.CHAIN).order_by("position", "name"))
    links = list(
        Industry.objects.filter(parent__in=[c.pk for c in chains], level=Industry.Level.LINK)
        .select_related("parent", "leading_firm__organisation")
        .order_by("position", "name")
    )
    rows: dict[int, LinkRow] = {}
    by_chain: dict[int, list[LinkRow]] = {c.pk: [] for c in chains}
    for link in links:
        leader = getattr(link, "leading_firm", None)
        row = LinkRow(link=link, leader=leader.organisation if leader else None)
        rows[link.pk] = row
        by_chain[link.parent_id].append(row)
    link_ids = list(rows)

    # Who sits where: {link id: {organisation id: entry}} per state.
    zone: dict[int, dict[int, MapEntry]] = {pk: {} for pk in link_ids}
    pipe: dict[int, dict[int, MapEntry]] = {pk: {} for pk in link_ids}
    talks: dict[int, dict[int, MapEntry]] = {pk: {} for pk in link_ids}

    for organisation in Organisation.objects.filter(industry_id__in=link_ids, is_in_zone=True).order_by("name"):
        zone[organisation.industry_id][organisation.pk] = MapEntry(organisation)

    projects = visible_projects(
        user,
        Project.objects.filter(industry_id__in=link_ids, stage__in=LANDED_STAGES + LIVE_STAGES).select_related(
            "investor"
        ),
    ).order_by("-total_investment", "pk")
    for project in projects:
        link_id, investor = project.industry_id, project.investor
        if project.stage in LIVE_STAGES:
            rows[link_id].live_projects += 1
        state = zone if project.stage in LANDED_STAGES else pipe if project.stage in PIPELINE_STAGES else talks
        state[link_id].setdefault(investor.pk, MapEntry(investor)).projects.append(project)

    last_visit = Visit.objects.filter(organisation_id=OuterRef("organisation_id")).order_by("-date").values("date")[:1]
    targets = (
        ChainTarget.objects.filter(link_id__in=link_ids)
        .select_related("organisation", "added_by")
        .annotate(last_visit=Subquery(last_visit))
        .order_by("organisation__name")
    )
    target_of: dict[tuple[int, int], ChainTarget] = {(t.link_id, t.organisation_id): t for t in targets}

    for link_id, row in rows.items():
        taken = set(zone[link_id])
        row.in_zone = list(zone[link_id].values())
        row.pipeline = [entry for pk, entry in pipe[link_id].items() if pk not in taken]
        taken |= {entry.organisation.pk for entry in row.pipeline}
        waiting = {pk: entry for pk, entry in talks[link_id].items() if pk not in taken}
        for (target_link, organisation_id), target in target_of.items():
            if target_link == link_id and organisation_id not in taken:
                waiting.setdefault(organisation_id, MapEntry(target.organisation)).target = target
        row.targets = sorted(waiting.values(), key=lambda entry: (entry.contacted, entry.organisation.name))
        leader_id = row.leader.pk if row.leader else None
        for entry in (*row.in_zone, *row.pipeline, *row.targets):
            entry.is_leader = entry.organisation.pk == leader_id

    return ChainMap(industry=industry, chains=[ChainRow(chain=c, links=by_chain[c.pk]) for c in chains])


# --- The eight items ------------------------------------------------------------------------


@dataclass
class Item:
    key: str
    label: str
    entries: list = field(default_factory=list)
    updated_at: dt.datetime | dt.date | None = None

    @property
    def missing(self) -> bool:
        return not self.entries


def eight_items(*, industry: Industry) -> list[Item]:
    """The team, the reports and policies, parks, institutes, funds, experts and the map."""
    Kind = IndustryMember.Item
    members = (
        IndustryMember.objects.filter(industry=industry)
        .select_related("user", "park", "organisation", "contact__organisation")
        .order_by("added_at", "id")
    )
    by_item: dict[str, list[IndustryMember]] = {}
    for member in members:
        by_item.setdefault(member.item, []).append(member)
    documents = list(IndustryDocument.objects.filter(industry=industry).select_related("uploaded_by"))

    def member_item(kind: Kind) -> Item:
        entries = by_item.get(kind, [])
        return Item(kind.value, str(kind.label), entries, max((m.added_at for m in entries), default=None))

    def document_item(kind: IndustryDocument.Kind, key: str, label: str) -> Item:
        entries = [d for d in documents if d.kind == kind]
        return Item(key, label, entries, max((d.uploaded_at for d in entries), default=None))

    links = Industry.objects.filter(parent__parent=industry, level=Industry.Level.LINK)
    link_count = links.count()
    map_updated = max(
        (
            stamp
            for stamp in (
                ChainTarget.objects.filter(link__in=links).aggregate(at=Max("added_at"))["at"],
                LeadingFirm.objects.filter(link__in=links).aggregate(at=Max("updated_at"))["at"],
            )
            if stamp
        ),
        default=None,
    )
    return [
        member_item(Kind.TEAM),
        document_item(IndustryDocument.Kind.REPORT, "report", _("Industry research report")),
        document_item(IndustryDocument.Kind.POLICY, "policy", _("Industry policy")),
        member_item(Kind.PARK),
        member_item(Kind.INSTITUTE),
        member_item(Kind.FUND),
        member_item(Kind.EXPERT),
        Item("map", _("Industry-chain map"), [link_count] if link_count else [], map_updated),
    ]


# --- Numbers ----------------------------------------------------------------------------------


@dataclass
class StageFigure:
    stage: Stage
    count: int
    investment: Decimal


@dataclass
class IndustryNumbers:
    year: int
    stages: list[StageFigure]
    visits: int
    targets: int
    targets_reached: int
    landed_output: Decimal
    output_target: Decimal | None

    @property
    def live_count(self) -> int:
        return sum(f.count for f in self.stages if f.stage in LIVE_STAGES)

    @property
    def live_investment(self) -> Decimal:
        return sum((f.investment for f in self.stages if f.stage in LIVE_STAGES), Decimal(0))

    @property
    def output_share(self) -> int | None:
        if not self.output_target:
            return None
        return int(self.landed_output * 100 / self.output_target)


def industry_numbers(*, user: User, industry: Industry, year: int | None = None) -> IndustryNumbers:
    """Projects by stage with their investment, visits this year, targets reached and
    the expected output of landed projects against the target: aggregated in the DB."""
    year = year or timezone.localdate().year
    tree = subtree(industry).values("pk")
    projects = visible_projects(user, Project.objects.filter(industry__in=tree))
    aggregates = {}
    for stage in PIPELINE:
        aggregates[f"n_{stage}"] = Count("pk", filter=Q(stage=stage))
        aggregates[f"sum_{stage}"] = Sum("total_investment", filter=Q(stage=stage))
    aggregates["output"] = Sum("expected_annual_output", filter=Q(stage__in=LANDED_STAGES))
    totals = projects.aggregate(**aggregates)
    stages = [StageFigure(stage, totals[f"n_{stage}"] or 0, totals[f"sum_{stage}"] or Decimal(0)) for stage in PIPELINE]
    visits = Visit.objects.filter(
        organisation__industry__in=tree, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    ).count()
    reached = Exists(Visit.objects.filter(organisation_id=OuterRef("organisation_id"))) | Exists(
        visible_projects(user, Project.objects.filter(investor_id=OuterRef("organisation_id")))
    )
    target_counts = ChainTarget.objects.filter(link__in=tree).aggregate(
        total=Count("pk"), reached=Count("pk", filter=reached)
    )
    profile = IndustryProfile.objects.filter(industry=industry).first()
    return IndustryNumbers(
        year=year,
        stages=stages,
        visits=visits,
        targets=target_counts["total"],
        targets_reached=target_counts["reached"],
        landed_output=totals["output"] or Decimal(0),
        output_target=profile.output_target if profile else None,
    )
