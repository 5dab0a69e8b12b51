"""The industry workbench of the demo zone: for the five leading future industries and
two landmark clusters, a team, parks, institutes, funds, experts, an output target,
leading firms and targets on the chain links the demo already has.

Called by the demo after its pipeline is built (projects.demo); deterministic: it
picks records by their order, so two runs on the same data give the same workbench.
Research reports and policies are left out on purpose: the page then shows what a
missing item looks like.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from chains.models import ChainTarget, IndustryMember, IndustryProfile, LeadingFirm
from core.models import User
from crm.models import Contact, Industry, Organisation, Park
from projects.models import Project, Stage

LANDMARK_CLUSTERS = ("物联网", "集成电路")
FUTURE_COUNT = 5
# Annual output targets in 万元 (e.g. 2000亿 = 20,000,000万).
OUTPUT_TARGETS = {"物联网": 50000000, "集成电路": 30000000}
FUTURE_OUTPUT_TARGET = 5000000


def demo_industries() -> list[Industry]:
    clusters = Industry.objects.filter(level=Industry.Level.CLUSTER)
    future = list(clusters.filter(category=Industry.Category.FUTURE).order_by("position", "name")[:FUTURE_COUNT])
    landmark = list(clusters.filter(name__in=LANDMARK_CLUSTERS).order_by("position"))
    return landmark + future


def build_chain_demo() -> dict[str, int]:
    """Fill the workbench of the demo industries; returns what it added."""
    officers = list(User.objects.filter(role=User.Role.OFFICER, is_active=True).order_by("username"))
    managers = list(User.objects.filter(role=User.Role.MANAGER, is_active=True).order_by("username"))
    landed = (Stage.COMPLETED, Stage.PRODUCING, Stage.STARTED, Stage.SIGNED)
    for number, industry in enumerate(demo_industries()):
        tree = Industry.objects.filter(Q(pk=industry.pk) | Q(parent=industry) | Q(parent__parent=industry))
        IndustryProfile.objects.update_or_create(
            industry=industry,
            defaults={
                "output_target": Decimal(OUTPUT_TARGETS.get(industry.name, FUTURE_OUTPUT_TARGET)),
                "target_year": None,
            },
        )
        team = ([managers[number % len(managers)]] if managers else []) + officers[
            number * 2 % max(len(officers), 1) :
        ][:2]
        for user in team:
            IndustryMember.objects.get_or_create(industry=industry, item=IndustryMember.Item.TEAM, user=user)
        parks = Park.objects.filter(Q(organisations__industry__in=tree) | Q(projects__industry__in=tree)).distinct()
        for park in parks.order_by("name")[:2]:
            IndustryMember.objects.get_or_create(industry=industry, item=IndustryMember.Item.PARK, park=park)
        for item, kinds in IndustryMember.ORGANISATION_KINDS.items():
            # The industry's own, or else the generalist ones (funds of every industry).
            own = Organisation.objects.filter(kind__in=kinds, industry__in=tree).order_by("name")[:3]
            for organisation in own or Organisation.objects.filter(kind__in=kinds, industry=None).order_by("name")[:2]:
                IndustryMember.objects.get_or_create(industry=industry, item=item, organisation=organisation)
        experts: dict[str, Contact] = {}
        for contact in Contact.objects.filter(
            organisation__industry__in=tree, organisation__kind__in=IndustryMember.ORGANISATION_KINDS["institute"]
        ).order_by("name", "pk"):
            experts.setdefault(contact.name, contact)  # two namesakes would read as one person twice
        for contact in list(experts.values())[:2]:
            IndustryMember.objects.get_or_create(
                industry=industry, item=IndustryMember.Item.EXPERT, contact=contact, defaults={"role": contact.title}
            )
        links = Industry.objects.filter(parent__parent=industry, level=Industry.Level.LINK).order_by(
            "parent__position", "position"
        )
        added_by = team[-1] if team else None
        for position, link in enumerate(links):
            # The leading firm: the biggest investor with a signed or landed project on the link.
            project = (
                Project.objects.filter(industry=link, stage__in=landed, is_confidential=False)
                .order_by("-total_investment", "pk")
                .first()
            )
            if project:
                LeadingFirm.objects.get_or_create(link=link, defaults={"organisation": project.investor})
            if added_by is None or position % 3 == 2:
                continue  # every third link keeps no target: gaps stay visible in the demo
            # Targets: companies on the link outside the zone without a project on it.
            candidates = (
                Organisation.objects.filter(industry=link, kind=Organisation.Kind.COMPANY, is_in_zone=False)
                .exclude(projects__industry=link)
                .order_by("name")[:2]
            )
            for organisation in candidates:
                ChainTarget.objects.get_or_create(
                    link=link, organisation=organisation, defaults={"added_by": added_by, "note": ""}
                )
    return {
        "industry profiles": IndustryProfile.objects.count(),
        "industry item entries": IndustryMember.objects.count(),
        "leading firms": LeadingFirm.objects.count(),
        "chain targets": ChainTarget.objects.count(),
    }
