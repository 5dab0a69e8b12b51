"""The benchmark generator's zone obeys the rules the services enforce."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, F
from django.utils import timezone

from core.models import User
from crm.credit_code import validate_credit_code
from crm.models import Organisation, Visit
from crm.names import normalise_organisation_name
from projects import rules
from projects.models import PIPELINE, Project, StageChange

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

ORDER = [stage.value for stage in PIPELINE]


@pytest.fixture
def zone(postgres, settings):
    from bench.generate import Generator

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generator = Generator(scale=0.0001, seed=7, chunk=128)  # several COPY chunks
    generator.run()
    return generator


def test_the_zone_has_the_sizes_asked_for(zone):
    assert Project.objects.count() == zone.sizes["projects"] == 500
    assert Visit.objects.count() == zone.sizes["visits"] == 2_000
    assert Organisation.objects.count() == zone.sizes["organisations"] == 200
    assert User.objects.count() == zone.sizes["users"] == 20


def test_stages_and_dates_follow_the_pipeline(zone):
    today = timezone.localdate()
    changes = dict(StageChange.objects.values_list("project").annotate(n=Count("pk")))
    for project in Project.objects.all():
        reached = [stage for stage in ORDER if getattr(project, f"{stage}_on")]
        assert reached == ORDER[: len(reached)], project.pk  # no stage skipped
        dates = [getattr(project, f"{stage}_on") for stage in reached]
        assert dates == sorted(dates) and dates[-1] <= today, project.pk
        if project.stage in ORDER:
            assert project.stage == reached[-1], project.pk
        else:
            assert getattr(project, f"{project.stage}_on") >= dates[-1], project.pk
        assert (project.signed_amount is not None) == (project.signed_on is not None), project.pk
        rules.check_project(project, stored=project)  # every rule of projects.rules holds
        extra = 1 if project.stage in ("on_hold", "dropped") else 0
        assert changes.get(project.pk, 0) == len(reached) - 1 + extra, project.pk


def test_some_milestones_are_late_and_some_projects_are_large(zone):
    today = timezone.localdate()
    late = Project.objects.filter(started_planned__lt=today, started_on__isnull=True, stage__in=ORDER[:3])
    assert late.exists()
    assert Project.objects.filter(total_investment__gte=10_000).exists()  # above 1亿
    assert Project.objects.filter(total_investment__lt=10_000).count() > Project.objects.count() / 3


def test_records_belong_to_their_owners_team_and_codes_are_valid(zone):
    assert not Project.objects.exclude(team=F("owner__team")).exists()
    assert not Visit.objects.exclude(team=F("owner__team")).exists()
    for code in Organisation.objects.exclude(credit_code="").values_list("credit_code", flat=True):
        validate_credit_code(code)


def test_organisations_carry_the_keys_of_their_names(zone):
    for name, name_en, name_key, name_en_key in Organisation.objects.values_list(
        "name", "name_en", "name_key", "name_en_key"
    ):
        assert (name_key, name_en_key) == (normalise_organisation_name(name), normalise_organisation_name(name_en))


def test_visits_during_a_mission_fall_inside_its_dates(zone):
    during = Visit.objects.filter(mission__isnull=False).select_related("mission")
    assert during.exists()
    for visit in during:
        assert visit.mission.start_date <= visit.date <= visit.mission.end_date
    assert not Visit.objects.filter(date__gt=timezone.localdate() + dt.timedelta(days=0), mission__isnull=True).exists()


def test_each_project_s_last_activity_is_its_edit_or_its_investor_s_last_visit(zone):
    from projects.services import last_activity

    computed = Project.all_objects.annotate(computed=last_activity())
    assert not computed.exclude(last_activity_on=F("computed")).exists()
    visited_later = Project.objects.filter(last_activity_on__gt=F("updated_at__date"))
    assert visited_later.exists()  # the visits count, not only the edits


def test_the_bench_accounts_log_in(zone):
    from bench.generate import BENCH_PASSWORD

    for username in ("bench_officer", "bench_manager", "bench_admin"):
        assert authenticate(username=username, password=BENCH_PASSWORD) is not None
    manager = User.objects.get(username="bench_manager")
    assert manager.managed_teams.filter(pk=User.objects.get(username="bench_officer").team_id).exists()
