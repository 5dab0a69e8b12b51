"""Time one reminder sweep over 1,000,000 planned milestones on PostgreSQL, against the
raw SQL query that finds the same rows, in the same run.

    createdb -h 127.0.0.1 -U postgres crm_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/reminder_sweep.py

It migrates the database, loads a zone once (250,000 projects with four planned dates
each; visits, follow-ups, missions; reused by later runs), then measures:
  1. finding what is due: the sweep's ORM query (projects.reminders.due_rows) and the
     hand-written SQL, each the median of --repeat runs, and checks they find the same rows;
  2. the first sweep: find, claim and notify everything due (one run);
  3. the steady state, which is what beat runs every five minutes: a sweep that finds
     nothing new, and the raw query that finds nothing new.
It prints a Markdown table (bench/README.md quotes one).
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.floors import raw_due_sql, run_raw  # noqa: E402
from bench.generate import fill_last_activity  # noqa: E402
from core.models import Department, EmailDigest, Notification, Team, User  # noqa: E402
from crm.models import Mission, Organisation, Visit  # noqa: E402
from projects import reminders  # noqa: E402
from projects.models import PLANNED_STAGES, Project, Reminder, Stage  # noqa: E402

STAGE_OFFSETS = {"signed": 0, "started": 90, "completed": 365, "producing": 450}
REACHED_WHEN_DUE = 0.97  # share of past planned dates that were met (the rest are late)


def load_zone(projects: int, seed: int = 42) -> None:
    """A zone with `projects` projects, each planned at four stages (4 x projects milestones)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    department = Department.objects.create(name="投资促进局")
    teams = Team.objects.bulk_create(Team(name=f"招商{n}组", department=department) for n in range(10))
    users = User.objects.bulk_create(
        User(username=f"officer{n}", role="officer", team=teams[n % 10], is_staff=True) for n in range(50)
    )
    User.objects.bulk_create(
        User(username=f"manager{n}", role="manager", team=teams[n], is_staff=True) for n in range(10)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"企业{n}", owner=users[n % 50], team=users[n % 50].team) for n in range(2000)
    )
    batch: list[Project] = []
    for n in range(projects):
        owner = users[n % 50]
        base = today + dt.timedelta(days=rng.randint(-900, 700))
        values = {}
        reached: list[str] = []
        for stage in PLANNED_STAGES:
            planned = base + dt.timedelta(days=STAGE_OFFSETS[stage])
            values[f"{stage}_planned"] = planned
            previous_reached = len(reached) == PLANNED_STAGES.index(stage)
            if previous_reached and planned < today and rng.random() < REACHED_WHEN_DUE:
                actual = min(today, planned + dt.timedelta(days=rng.randint(-10, 10)))
                if reached:
                    actual = max(actual, values[f"{reached[-1]}_on"])
                values[f"{stage}_on"] = actual
                reached.append(stage)
        stage = reached[-1] if reached else Stage.NEGOTIATING
        lead_on = min(base - dt.timedelta(days=200), today)
        first = values.get("signed_on") or today
        batch.append(
            Project(
                name=f"项目{n}",
                investor=organisations[n % 2000],
                owner=owner,
                team=owner.team,
                total_investment=Decimal(rng.randint(1000, 500000)),
                signed_amount=Decimal(10000) if reached else None,
                stage=stage,
                lead_on=lead_on,
                negotiating_on=min(lead_on + dt.timedelta(days=30), first),
                **values,
            )
        )
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch = []
    Project.objects.bulk_create(batch)
    # Projects were edited over the last 90 days: some have been quiet for 60.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_project SET updated_at = now() - (random() * interval '90 days')")
    visits = []
    for n in range(100_000):
        date = today - dt.timedelta(days=rng.randint(0, 700))
        open_follow_up = rng.random() < 0.02
        visits.append(
            Visit(
                organisation=organisations[n % 2000],
                owner=users[n % 50],
                team=users[n % 50].team,
                date=date,
                summary="拜访",
                follow_up_on=min(date + dt.timedelta(days=rng.randint(1, 30)), today + dt.timedelta(days=30)),
                follow_up_done_on=None if open_follow_up else date + dt.timedelta(days=5),
            )
        )
    Visit.objects.bulk_create(visits, batch_size=5000)
    fill_last_activity()  # after the edit times and the visits above
    Mission.objects.bulk_create(
        Mission(
            title=f"团组{n}",
            region="europe",
            start_date=today + dt.timedelta(days=rng.randint(-300, 300)),
            end_date=today + dt.timedelta(days=310),
            owner=users[n % 50],
            team=users[n % 50].team,
        )
        for n in range(600)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=250_000, help="4 planned milestones each")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench")
    call_command("migrate", verbosity=0)
    if Project.all_objects.count() != args.projects:
        if Project.all_objects.exists():
            sys.exit("This database holds another zone: use an empty database (createdb ...).")
        print(f"Loading {args.projects:,} projects ({4 * args.projects:,} planned milestones) ...", flush=True)
        start = time.perf_counter()
        load_zone(args.projects)
        print(f"  loaded in {time.perf_counter() - start:.0f} s", flush=True)
    # Start from nothing sent, so the first sweep has its work to do.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE projects_reminder, core_notification, core_emaildigest")
        cursor.execute("ANALYZE")
    today = timezone.localdate()
    sql = raw_due_sql(today)
    milestones = sum(
        Project.all_objects.filter(**{f"{stage}_planned__isnull": False}).count() for stage in PLANNED_STAGES
    )

    run_raw(sql), reminders.due_rows()  # warm the cache
    raw_time, raw_rows = timed(lambda: run_raw(sql), args.repeat)
    orm_time, orm_rows = timed(reminders.due_rows, args.repeat)
    same = {tuple(row) for row in raw_rows} == {
        (r.rule_id, r.project_id, r.visit_id, r.mission_id, r.stage, r.due_on) for r in orm_rows
    }
    start = time.perf_counter()
    first = reminders.sweep()
    first_time = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_reminder")  # as autovacuum would, after a big insert
    steady_time, steady = timed(reminders.sweep, args.repeat)
    steady_raw_time, steady_raw = timed(lambda: run_raw(sql), args.repeat)
    # The sweep reads in chunks (LIMIT REMINDER_SWEEP_CHUNK); the planner then prefers
    # index lookups to hash joins, so compare with the raw query under the same limit.
    limited = f"{sql} LIMIT {settings.REMINDER_SWEEP_CHUNK}"
    steady_limited_time, _rows = timed(lambda: run_raw(limited), args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]

    levels = {}
    for item in first.sent:
        levels[item.reminder.level] = levels.get(item.reminder.level, 0) + 1
    print()
    print(f"PostgreSQL: {version}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {today}")
    print(f"Planned milestones: {milestones:,} on {args.projects:,} projects; median of {args.repeat} runs")
    print()
    print("| what | rows | time |")
    print("|---|---:|---:|")
    print(f"| find what is due: raw SQL | {len(raw_rows):,} | {raw_time * 1000:,.0f} ms |")
    print(f"| find what is due: the sweep's ORM query | {len(orm_rows):,} | {orm_time * 1000:,.0f} ms |")
    print(
        f"| first sweep: find, claim, notify | {len(first.sent):,} reminders, {first.notified:,} notifications"
        f" | {first_time:,.1f} s |"
    )
    print(f"| steady sweep (nothing new): raw SQL | {len(steady_raw):,} | {steady_raw_time * 1000:,.0f} ms |")
    print(
        f"| steady sweep (nothing new): raw SQL, LIMIT {settings.REMINDER_SWEEP_CHUNK} as the sweep reads"
        f" | {len(_rows):,} | {steady_limited_time * 1000:,.0f} ms |"
    )
    print(f"| steady sweep (nothing new): the whole sweep | {len(steady.sent):,} | {steady_time * 1000:,.0f} ms |")
    print()
    print(f"Same rows: {'yes' if same else 'NO'}. Levels sent: {levels}.")
    print(
        f"Reminders stored: {Reminder.objects.count():,}; notifications: {Notification.objects.count():,};"
        f" digests: {EmailDigest.objects.count():,}"
    )
    print()
    scans: dict[str, int] = {}
    for line in plan:
        if " on " in line and "Scan" in line:
            kind, _, rest = line.strip().lstrip("-> ").partition(" on ")
            name = rest.split(" ")[0] if kind.startswith(("Index", "Bitmap Index")) else rest.split(" ")[0]
            key = f"{kind.split('  ')[0]} on {name}"
            scans[key] = scans.get(key, 0) + 1
    print("Steady-state plan of the raw query (EXPLAIN ANALYZE): scans used, and how often")
    for key, count in sorted(scans.items()):
        print(f"    {count:3d} x {key}")
    print("   ", next(line for line in plan if "Execution Time" in line).strip())
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
