"""bench.run end to end on a tiny generated zone, and the raw SQL floors it measures
against: they give what the report pages show."""

import json
import re
import socket
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from core.models import User
from crm.models import Visit
from projects.models import Project, Reminder, ReminderRule

pytestmark = [pytest.mark.postgres_only]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def generate(settings):
    from bench.generate import Generator

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generator = Generator(scale=0.0001, seed=11, chunk=256)
    generator.run()
    return generator


@pytest.fixture
def zone(postgres, settings, reminder_rules):
    return generate(settings)


@pytest.mark.django_db(transaction=True)
def test_a_run_measures_every_operation_and_the_load(postgres, settings, reminder_rules, tmp_path):
    """The server (gunicorn) reads what this test committed, so the test commits."""
    from bench import run

    generate(settings)
    projects = Project.all_objects.count()
    output = tmp_path / "last.json"
    code = run.main(
        [
            f"--port={free_port()}",
            "--workers=2",
            "--repeat=2",
            "--repeat-in-process=1",
            "--warmup=1",
            "--import-rows=12",
            "--load-users=4",
            "--load-seconds=3",
            "--load-think=0.1",
            f"--output={output}",
        ]
    )
    result = json.loads(output.read_text())
    rows = {row["operation"]: row for row in result["operations"]}
    assert [name for name, row in rows.items() if row.get("error") or row.get("missing")] == []
    assert code == 0
    assert set(rows) == {operation.name for operation in run.OPERATIONS}
    for name, row in rows.items():
        assert row["samples"] >= 1 and row["p95_ms"] >= row["p50_ms"] > 0, name
    http = [op for op in run.OPERATIONS if op.path or op.post]
    for operation in http:
        assert rows[operation.name]["queries"] >= 2, operation.name  # the session, the user
        assert "met" in rows[operation.name].get("target", {"met": None}), operation.name
    for report in ("dashboard", "review", "supervision list"):
        assert rows[report]["ratio_to_raw_sql"] > 0 and rows[report]["target"]["met"] is not None
    assert rows["reminder sweep, steady state (in process)"]["ratio_to_raw_sql"] > 0
    # The visits were saved, the import left nothing behind, the sweep told nobody.
    assert rows["visit create (POST, officer)"]["visits_saved"] == 3
    assert Project.all_objects.count() == projects
    assert "12 projects created" in result["notes"]["import"]
    assert Reminder.objects.filter(recipients__gt=0).count() == 0
    load = result["load"]
    assert load["errors"] == 0 and load["requests"] > 4
    assert load["visits_saved"] == load["visits_posted"]
    assert load["floor_p95_ms"] > 0 and load["page_p95_ms"] > 0
    machine = result["machine"]
    assert machine["cpus"] >= 1 and machine["postgresql"] and machine["gunicorn_workers"] == 2
    assert machine["rows"]["projects_project"] == projects
    assert machine["rows"]["planned milestones watched (unreached, open projects)"] > 0
    assert "shared_buffers" in machine["postgresql_settings"]
    # The sessions the run made are gone.
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()
    assert Visit.objects.filter(summary__startswith=run.VISIT_MARK).count() == 3 + load["visits_saved"]


def test_the_supervision_floor_finds_the_late_milestones_the_page_lists(zone):
    from bench.floors import raw_supervision
    from projects.reports import selectors

    today = timezone.localdate()
    manager = User.objects.get(username="bench_manager")
    table = selectors.supervision(user=manager, today=today)
    raw = raw_supervision(today, page=20)
    assert raw["count"] == len(table.rows) > 0
    assert raw["totals"] == dict(Counter(row["level"] for row in table.rows))
    assert [(row[0], row[1], row[3]) for row in raw["rows"]] == [
        (row["project_id"], row["stage"], row["days_late"]) for row in table.rows[:20]
    ]


def test_the_sweep_floor_finds_what_the_sweep_finds_due(zone):
    from bench.floors import raw_due_sql, run_raw
    from projects import reminders

    today = timezone.localdate()
    found = {(r.rule_id, r.project_id, r.visit_id, r.mission_id, r.stage, r.due_on) for r in reminders.due_rows()}
    assert {tuple(row) for row in run_raw(raw_due_sql(today))} == found
    quiet = ReminderRule.objects.get(kind="project_idle")
    assert any(row[0] == quiet.pk for row in found)  # quiet projects among them
    # Once some are sent, both leave the same ones out.
    sent = sorted(found, key=str)[::2]
    Reminder.objects.bulk_create(
        Reminder(rule_id=r, project_id=p, visit_id=v, mission_id=m, stage=s, due_on=d, claim=uuid.uuid4())
        for r, p, v, m, s, d in sent
    )
    left = found - set(sent)
    assert {tuple(row) for row in run_raw(raw_due_sql(today))} == left
    assert {
        (r.rule_id, r.project_id, r.visit_id, r.mission_id, r.stage, r.due_on) for r in reminders.due_rows()
    } == left


def test_the_report_floors_compute_what_the_dashboard_and_review_show(zone):
    from bench.floors import raw_dashboard, raw_review
    from projects.reports import selectors
    from projects.reports.periods import parse_period

    manager = User.objects.get(username="bench_manager")
    period = parse_period({"year": str(timezone.localdate().year - 1)})
    dashboard = selectors.dashboard(user=manager, period=period)
    raw = raw_dashboard(period.start, period.end)
    signed = next(row for row in dashboard.funnel.rows if row["stage"] == "signed")
    assert signed["count"] == raw["funnel"][4] > 0
    for n, table in enumerate(dashboard.splits):
        assert len(table.rows) == len(raw[f"split{n}"]), table.key
    review = selectors.review(user=manager, period=period)
    raw = raw_review(period.start, period.end)
    assert review.new_total_count == sum(n for n, _total in raw["tiers"].values()) > 0
    assert [m.planned for m in review.majors] == list(raw["majors"][0::2])


@pytest.mark.django_db(transaction=True)
def test_two_runs_end_with_one_line_comparing_their_verdicts(postgres, settings, reminder_rules, tmp_path, capsys):
    from bench import run
    from bench.verdicts import agreement

    generate(settings)
    output = tmp_path / "two.json"
    code = run.main(
        [
            f"--port={free_port()}",
            "--workers=1",
            "--runs=2",
            "--repeat=3",
            "--repeat-in-process=1",
            "--warmup=1",
            "--import-rows=0",
            "--load-users=0",
            f"--output={output}",
            "--only",
            "project list",
            "review",
            "visit create (POST, officer)",
        ]
    )
    printed = capsys.readouterr().out.rstrip("\n").splitlines()
    result = json.loads(output.read_text())
    assert code == 0
    runs = result["runs"]
    assert len(runs) == 2 and printed.count("Run 2 of 2") == 1
    # The server sent its CPU time with every answer, the page's and the floor's it
    # took turns with, and the page was judged on them.
    for rows in runs:
        pages = {row["operation"]: row for row in rows}
        for name in ("project list", "review", "visit create (POST, officer)"):
            row = pages[name]
            assert row["samples"] == 3 and row["cpu_p50_ms"] > 0 and row["floor_cpu_p50_ms"] > 0, name
            assert row["target"]["met"] is not None, name
        assert "CPU" in pages["project list"]["target"]["rule"]
        assert pages["floor: minimal logged-in view"]["cpu_p50_ms"] > 0
    # The last line, and only it, says whether the two runs agree: three operations have
    # a target (the floor and the raw SQL of the review have none).
    last = printed[-1]
    assert re.fullmatch(r"verdicts agree: (yes|no); missed: \d+ of 3", last)
    assert last == agreement(runs) == result["agreement"]
    assert sum(line.startswith("verdicts agree:") for line in printed) == 1
    # Each run posted its own visits, and each was checked.
    assert Visit.objects.filter(summary__startswith=run.VISIT_MARK).count() == 2 * (1 + 3)
