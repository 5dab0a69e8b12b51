"""Time a 10,000-row project ledger import (check, then commit) on PostgreSQL, the export
of the same 10,000 projects, and the refusal of hostile files.

    createdb -h 127.0.0.1 -U postgres crm_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_import .venv/bin/python bench/import_projects.py

Each run migrates, empties the projects, organisations and imports, builds the file in
memory (the same mix of written forms as the tests: 5亿, 50,000万元, 2023年1月24日,
Excel serials; a third of the rows signed, so each of those walks three stages), and
runs the two steps of the import as the worker does, in this process. It prints a
Markdown table (bench/README.md quotes one).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from core.models import Department, Team, User  # noqa: E402
from crm.models import Organisation  # noqa: E402
from projects.models import Project, Replan, StageChange  # noqa: E402
from transfer import exporting, importing  # noqa: E402
from transfer.models import ImportJob  # noqa: E402
from transfer.reading import FileRefused, read_spreadsheet  # noqa: E402

HEADERS = ["项目名称", "投资方", "总投资(万元)", "阶段", "线索日期", "在谈日期", "签约日期", "签约金额(万元)"]
AMOUNTS = ["5亿", "50,000万元", "１２００万", 3000, "1.5亿元"]
DATES = ["2023年1月24日", "2023/2/1", 44986, "2023-03-01"]


def ledger(rows: int, investors: list[str]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(HEADERS)
    for n in range(rows):
        stage = ["线索", "在谈", "签约"][n % 3]
        sheet.append(
            [
                f"基准项目{n:05d}",
                investors[n % len(investors)],
                AMOUNTS[n % len(AMOUNTS)],
                stage,
                DATES[n % len(DATES)],
                "2023年6月1日" if stage != "线索" else "",
                "2023年9月1日" if stage == "签约" else "",
                "1亿" if stage == "签约" else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def hostile_files() -> dict[str, tuple[bytes, str]]:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(1024):  # 1 GB of zeros
                member.write(b"\0" * (1 << 20))
    laughs = io.BytesIO()
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10 if i else "&a;" * 10}">'.encode() for i in range(9))
        + b"]><worksheet><sheetData><row><c><is><t>&a8;</t></is></c></row></sheetData></worksheet>"
    )
    with zipfile.ZipFile(laughs, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", entity)
    rows = "客商名称\r\n" + "".join(f"公司{n}\r\n" for n in range(10_001))
    return {
        "zip bomb (1 GB of zeros)": (bomb.getvalue(), "bomb.xlsx"),
        "billion laughs": (laughs.getvalue(), "laughs.xlsx"),
        "10,001 rows": (rows.encode(), "rows.csv"),
        "renamed PNG": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4000, "photo.xlsx"),
    }


class QueryCounter:
    """Counts the SQL statements run on the default connection while it is active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_step(name: str, profile_dir: str | None, step) -> tuple[float, float, int]:
    """Run step(); its wall time, this process's CPU time and the query count (and a
    cProfile dump if asked)."""
    counter = QueryCounter()
    profiler = cProfile.Profile() if profile_dir else None
    cpu = time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        if profiler:
            profiler.enable()
        step()
        if profiler:
            profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profiler:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(Path(profile_dir) / f"{name}.prof"))
    return elapsed, cpu, counter.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the ledger (10,000 in the README)")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile dumps of the check and the commit here")
    parser.add_argument(
        "--import-only", action="store_true", help="time the check and the commit only (no export, no hostile files)"
    )
    parser.add_argument(
        "--new-investors",
        type=int,
        default=0,
        metavar="N",
        help="name N investors the CRM does not have (3,000 in issue 16): the import creates them",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the figures in bench/README.md are PostgreSQL's", file=sys.stderr)
    call_command("migrate", verbosity=0)
    ImportJob.objects.all().delete()
    StageChange.objects.all().delete()
    Replan.objects.all().delete()
    Project.all_objects.all().delete()
    Organisation.objects.all().delete()
    department, _ = Department.objects.get_or_create(name="投资促进局")
    team, _ = Team.objects.get_or_create(name="基准招商组", department=department)
    user, _ = User.objects.get_or_create(username="bench-officer", defaults={"role": "officer", "team": team})
    if args.new_investors:
        investors = [f"新基准投资{n:05d}有限公司" for n in range(args.new_investors)]
    else:
        investors = [f"基准投资{n:03d}有限公司" for n in range(100)]
        for name in investors:
            Organisation.objects.create(name=name, owner=user, team=team)

    results: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    data = ledger(args.rows, investors)
    results.append(
        ("build the .xlsx in memory", f"{len(data) / 2**20:.1f} MB", f"{time.perf_counter() - started:.2f} s")
    )

    started = time.perf_counter()
    sheet = read_spreadsheet(data, "ledger.xlsx")
    results.append(
        ("read it (openpyxl, read-only)", f"{len(sheet.rows):,} rows", f"{time.perf_counter() - started:.2f} s")
    )

    job = ImportJob.objects.create(
        kind="projects", user=user, filename="ledger.xlsx", content=data, total_rows=args.rows
    )
    checked, check_cpu, check_queries = timed_step(
        "check", args.profile, lambda: importing.run(job.pk, committing=False)
    )
    job.refresh_from_db()
    assert job.status == "previewed" and not job.report["counts"]["error"], job.report["counts"]
    results.append(
        (
            "check (every row through the services, nothing kept)",
            f"{args.rows:,} rows, {check_queries:,} queries, {check_cpu:.1f} s CPU",
            f"{checked:.1f} s",
        )
    )
    history_before = Project.history.count()

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMIT_QUEUED)
    committed, commit_cpu, commit_queries = timed_step(
        "commit", args.profile, lambda: importing.run(job.pk, committing=True)
    )
    job.refresh_from_db()
    assert job.status == "done", job.message
    history = Project.history.count() - history_before
    results.append(
        (
            "commit (one transaction)",
            f"{Project.objects.count():,} projects, {Organisation.objects.count():,} investors, "
            f"{StageChange.objects.count():,} stage changes, "
            f"{history:,} history rows, {commit_queries:,} queries, {commit_cpu:.1f} s CPU",
            f"{committed:.1f} s",
        )
    )
    results.append(
        ("check + commit", f"{args.rows:,} rows, {check_cpu + commit_cpu:.1f} s CPU", f"{checked + committed:.1f} s")
    )
    if args.import_only:
        print_table(results)
        return

    started = time.perf_counter()
    records = exporting.filtered("projects", user, {})
    exported = exporting.write_xlsx([exporting.list_sheet("projects", records.iterator(chunk_size=2000), "projects")])
    results.append(
        ("export the 10,000 projects", f"{len(exported) / 2**20:.1f} MB", f"{time.perf_counter() - started:.2f} s")
    )

    ImportJob.objects.create(kind="projects", user=user, filename="export.xlsx", content=exported, total_rows=args.rows)
    job = ImportJob.objects.latest("pk")
    started = time.perf_counter()
    importing.run(job.pk, committing=False)
    job.refresh_from_db()
    counts = job.report["counts"]
    results.append(
        (
            "re-import the export (check)",
            f"{counts['unchanged']:,} unchanged, {counts['create']} new, {counts['update']} changed",
            f"{time.perf_counter() - started:.1f} s",
        )
    )

    for name, (content, filename) in hostile_files().items():
        tracemalloc.start()
        started = time.perf_counter()
        try:
            read_spreadsheet(content, filename)
        except FileRefused:
            pass
        else:
            raise AssertionError(f"{name} was not refused")
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append(
            (
                f"refuse: {name}",
                f"{len(content) / 2**10:,.0f} KB, peak {peak / 2**20:.1f} MB",
                f"{elapsed * 1000:.0f} ms",
            )
        )

    print_table(results)


def print_table(results: list[tuple[str, str, str]]) -> None:
    print(
        f"\n{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, Python {platform.python_version()}\n"
    )
    print("| what | size | time |\n|---|---|---:|")
    for what, size, took in results:
        print(f"| {what} | {size} | {took} |")


if __name__ == "__main__":
    main()
