"""Time the pipeline dashboard and the review over 200,000 projects on PostgreSQL,
against hand-written SQL computing the same aggregates over the same rows, in one run.

    createdb -h 127.0.0.1 -U postgres crm_bench_reports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_reports .venv/bin/python bench/reports.py

It migrates the database and loads a zone once (projects with stage dates over three
years, industries in a cluster > chain > link tree, parks, teams, officers, missions;
reused by later runs), then measures each report as a manager sees it (the median of
--repeat runs) and the raw SQL of its main aggregates, and checks they agree. It prints
a Markdown table (bench/README.md quotes one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.floors import raw_dashboard, raw_review  # noqa: E402
from core.models import Department, Team, User  # noqa: E402
from crm.models import Industry, Mission, Organisation, Park  # noqa: E402
from projects.models import PIPELINE, Project, Stage  # noqa: E402
from projects.reports import selectors  # noqa: E402
from projects.reports.periods import parse_period  # noqa: E402

YEAR = 2024
STEP_DAYS = {"negotiating": 60, "signed": 120, "started": 90, "completed": 365, "producing": 60}


def load_zone(projects: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    department = Department.objects.create(name="投资促进局")
    teams = Team.objects.bulk_create(Team(name=f"招商{n}组", department=department) for n in range(10))
    users = User.objects.bulk_create(
        User(username=f"officer{n}", role="officer", team=teams[n % 10], is_staff=True) for n in range(50)
    )
    User.objects.create(username="bench-manager", role="manager", team=teams[0], is_staff=True)
    clusters = [Industry.objects.create(name=f"集群{n}", level="cluster") for n in range(8)]
    chains = [Industry.objects.create(name=f"链{n}", level="chain", parent=clusters[n % 8]) for n in range(24)]
    links = [Industry.objects.create(name=f"环节{n}", level="link", parent=chains[n % 24]) for n in range(72)]
    industries = clusters + chains + links
    parks = Park.objects.bulk_create(Park(name=f"园区{n}") for n in range(12))
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"企业{n}", owner=users[n % 50], team=users[n % 50].team) for n in range(5000)
    )
    missions = Mission.objects.bulk_create(
        Mission(
            title=f"团组{n}",
            region=rng.choice(["europe", "japan_korea", "hk_macau", "middle_east"]),
            start_date=dt.date(YEAR - 1, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
            end_date=dt.date(YEAR + 1, 1, 1),
            owner=users[n % 50],
            team=users[n % 50].team,
        )
        for n in range(300)
    )
    batch: list[Project] = []
    for n in range(projects):
        owner = users[n % 50]
        values: dict = {"lead_on": dt.date(YEAR - 2, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))}
        stage = Stage.LEAD
        day = values["lead_on"]
        for step in PIPELINE[1:]:
            day = day + dt.timedelta(days=rng.randint(1, STEP_DAYS[step]))
            if step != "negotiating":
                values[f"{step}_planned"] = day + dt.timedelta(days=rng.randint(-20, 20))
            if day > dt.date(YEAR, 12, 31) or rng.random() < 0.25:
                break
            values[f"{step}_on"] = day
            stage = step
        if rng.random() < 0.05:
            values["dropped_on"] = day
            values["held_stage"] = stage
            stage = Stage.DROPPED
        batch.append(
            Project(
                name=f"项目{n}",
                investor=organisations[n % 5000],
                owner=owner,
                team=owner.team,
                total_investment=Decimal(int(rng.paretovariate(1.2) * 3000)),
                industry=rng.choice(industries),
                park=rng.choice(parks),
                capital_origin=rng.choice(["domestic", "foreign", "hmt"]),
                source_kind=rng.choice(["mission", "visit", "channel", "exhibition", "other"]),
                source_mission=rng.choice(missions) if rng.random() < 0.3 else None,
                is_major=rng.random() < 0.1,
                is_confidential=rng.random() < 0.05,
                stage=stage,
                **values,
            )
        )
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch = []
    Project.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def medians_ms(runs: list, repeat: int) -> list[tuple[float, object]]:
    """Median time of each run, taking turns so that load from elsewhere hits all alike."""
    times: list[list[float]] = [[] for _ in runs]
    results: list[object] = [None] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            began = time.perf_counter()
            results[index] = run()
            times[index].append((time.perf_counter() - began) * 1000)
    return [(statistics.median(spent), result) for spent, result in zip(times, results, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL (see the docstring).")
    call_command("migrate", verbosity=0)
    if Project.objects.count() != args.projects:
        Project.all_objects.all().delete()
        for model in (Mission, Organisation, Park, User, Team, Department):
            model.objects.all().delete()
        Industry.objects.filter(level="link").delete()
        Industry.objects.filter(level="chain").delete()
        Industry.objects.all().delete()
        began = time.perf_counter()
        load_zone(args.projects)
        print(f"loaded {args.projects:,} projects in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    manager = User.objects.get(username="bench-manager")
    period = parse_period({"year": str(YEAR)})
    today = dt.date(YEAR, 12, 31)

    (dashboard_ms, dashboard), (raw_dashboard_ms, raw) = medians_ms(
        [
            lambda: selectors.dashboard(user=User.objects.get(pk=manager.pk), period=period, today=today),
            lambda: raw_dashboard(period.start, period.end),
        ],
        args.repeat,
    )
    signed = next(row for row in dashboard.funnel.rows if row["stage"] == "signed")
    assert signed["count"] == raw["funnel"][4], (signed["count"], raw["funnel"][4])
    assert signed["investment_yi"] * 10000 == (raw["funnel"][5] or 0)
    for n, table in enumerate(dashboard.splits):
        assert len(table.rows) == len(raw[f"split{n}"]), table.key

    (review_ms, review), (raw_review_ms, raw_r) = medians_ms(
        [
            lambda: selectors.review(user=User.objects.get(pk=manager.pk), period=period, today=today),
            lambda: raw_review(period.start, period.end),
        ],
        args.repeat,
    )
    assert review.new_total_count == sum(n for n, _total in raw_r["tiers"].values())
    assert [m.planned for m in review.majors] == list(raw_r["majors"][0::2])
    assert [m.reached for m in review.majors] == list(raw_r["majors"][1::2])

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}, Python {platform.python_version()}, {args.projects:,} projects")
    print(f"medians of {args.repeat} runs; the manager's view (no visibility filter), year {YEAR}\n")
    print("| what | result | time |")
    print("|---|---:|---:|")
    print(
        f"| dashboard: raw SQL (funnel, 7 splits, trend: 9 queries) | {signed['count']:,} signed | "
        f"{raw_dashboard_ms:,.0f} ms |"
    )
    print(
        f"| dashboard: selector (funnel, 7 splits, trend, targets) | {signed['count']:,} signed | "
        f"{dashboard_ms:,.0f} ms |"
    )
    print(f"| review: raw SQL (tiers, major milestones) | {review.new_total_count:,} new | {raw_review_ms:,.0f} ms |")
    print(
        f"| review: selector (with late projects and both paragraphs) | {review.new_total_count:,} new | "
        f"{review_ms:,.0f} ms |"
    )


if __name__ == "__main__":
    main()
