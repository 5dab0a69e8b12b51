"""A believable demo zone, drawn from the seed article (a 2024 feature on the Wuxi
high-tech zone): its parks and industry clusters, a promotion bureau with four
teams, two years of missions and visits, and a pipeline with projects at every stage.

Records are written through the services (organisation_save, visit_save,
project_save, project_change_stage, ...), so the demo obeys the rules real data
obeys and leaves the same stage changes and history behind. Dates are counted back
from today, so late milestones and follow-ups due soon always exist; the random
generator has a fixed seed, so two runs on the same day build the same zone.

`data` holds the tables, `zone` builds everything around the pipeline, `pipeline`
the projects.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from core.models import Team, User
from crm.models import Contact, Industry, Mission, Organisation, Park, Qualification, Visit
from projects.demo.data import DEMO_USERNAMES
from projects.demo.front import build_front_demo
from projects.demo.pipeline import Pipeline
from projects.demo.targets import build_targets
from projects.demo.zone import SEED, Zone
from projects.models import Project, Replan, StageChange, Target
from projects.services import projects_refresh_last_activity
from projects.tiers import REPORTING_THRESHOLD

TEN_BILLION = Decimal(1000000)  # 100亿 in 万元


def build_demo_zone(*, seed: int = SEED) -> dict[str, int]:
    """Build the demo zone into an empty database and return its counts.

    The caller holds the transaction (the command wraps everything in one).
    """
    zone = Zone(seed=seed)
    zone.build()
    pipeline = Pipeline(zone)
    pipeline.build()
    zone.apply_timestamps()
    pipeline.apply_timestamps()
    # The projects' edit times were moved back: their last activity follows.
    projects_refresh_last_activity()
    build_targets(timezone.localdate())
    build_front_demo()
    # Apps above projects (e.g. chains, the industry workbench) add their demo part;
    # projects cannot import them, so they offer it on their AppConfig.
    for config in apps.get_app_configs():
        getattr(config, "build_demo", lambda: None)()
    return summary()


def summary() -> dict[str, int]:
    """What the database holds, as the command reports it."""
    projects = Project.objects.all()
    return {
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "parks": Park.objects.count(),
        "industries (clusters, chains, links)": Industry.objects.count(),
        "organisations": Organisation.objects.count(),
        "with a credit code": Organisation.objects.exclude(credit_code="").count(),
        "contacts": Contact.objects.count(),
        "qualifications": Qualification.objects.count(),
        "missions": Mission.objects.count(),
        "upcoming missions": Mission.objects.filter(start_date__gt=timezone.localdate()).count(),
        "visits": Visit.objects.count(),
        "projects": projects.count(),
        "above 100M yuan": projects.filter(total_investment__gte=REPORTING_THRESHOLD).count(),
        "above 10B yuan": projects.filter(total_investment__gte=TEN_BILLION).count(),
        "major projects": projects.filter(is_major=True).count(),
        "stage changes": StageChange.objects.count(),
        "re-plans": Replan.objects.count(),
        "targets": Target.objects.count(),
        "projects with shared credit": projects.filter(credits__isnull=False).distinct().count(),
        "dropped with a loss reason": projects.filter(stage="dropped").exclude(loss_reason="").count(),
    }


def has_data() -> bool:
    """Whether the database holds anything the demo would collide with or overwrite."""
    return (
        Organisation.objects.exists()
        or Project.all_objects.exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
    )
