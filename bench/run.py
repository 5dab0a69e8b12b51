"""Measure the running stack against its floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python -m bench.run

Starts gunicorn (production settings, --workers web processes) on the database that
bench.generate filled, logs in as the bench manager, officer and admin (sessions are
made in the database directly, as a login would make them), then requests each page
--repeat times after --warmup unmeasured ones, one request at a time, to 127.0.0.1
only. For each operation it reports the p50 and p95 latency, the SQL queries the
request ran (the server's X-Query-Count header, on only in benchmark mode) and the
ratio of its p95 to the floor's: a minimal logged-in Django view through the same
middleware. In-process operations (one reminder sweep) are timed the same way.

The table goes to standard output and, as JSON, to bench/results/last.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The same settings as the server's: production mode, with the benchmark header on.
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(24))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ["BENCH_HEADERS"] = "true"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from core.models import User  # noqa: E402

RESULTS = ROOT / "bench" / "results"


@dataclass
class Operation:
    name: str
    role: str  # whose session: officer, manager or admin; "" for in-process work
    path: Callable[[Context], str | None] | None = None  # None: not available in this build
    run: Callable[[Context], None] | None = None  # in-process operations
    method: str = "GET"
    body: Callable[[Context], dict] | None = None


@dataclass
class Context:
    base: str
    sessions: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    token: str = ""


def url(name: str, *args, query: dict | None = None) -> Callable[[Context], str | None]:
    def build(context: Context) -> str | None:
        try:
            path = reverse(name, args=[context.ids[a] if isinstance(a, str) else a for a in args])
        except NoReverseMatch:
            return None
        return f"{path}?{urlencode(query, doseq=True)}" if query else path

    return build


def literal(path: str) -> Callable[[Context], str]:
    return lambda context: path


def sweep_query(context: Context) -> None:
    """What each reminder sweep reads first: the next chunk of what is due. (The sweep
    that sends them, and the catch-up of a fresh install, are measured by
    bench/reminder_sweep.py.)"""
    from projects import reminders

    reminders.due_rows(limit=settings.REMINDER_SWEEP_CHUNK)


OPERATIONS = [
    Operation("floor: minimal logged-in view", "manager", literal("/bench/floor")),
    Operation("home page (manager)", "manager", url("home")),
    Operation("home page (officer)", "officer", url("home")),
    Operation("project list", "manager", url("projects:project_list")),
    Operation(
        "project list, filtered", "manager", url("projects:project_list", query={"stage": "signed", "tier": "1e9"})
    ),
    Operation("project list, sorted", "manager", url("projects:project_list", query={"sort": "-investment"})),
    Operation("project list, page 500 (admin)", "admin", url("projects:project_list", query={"page": 500})),
    Operation("board", "manager", url("projects:board")),
    Operation("project detail", "officer", url("projects:project_detail", "project")),
    Operation("organisation search", "officer", url("crm:organisation_list", query={"q": "瀚芯"})),
    Operation("organisation detail", "officer", url("crm:organisation_detail", "organisation")),
    Operation("visit form", "officer", url("crm:visit_create")),
    Operation("mission list", "manager", url("crm:mission_list")),
    Operation("dashboard", "manager", url("reports:dashboard")),
    Operation("review", "manager", url("reports:review")),
    Operation("supervision list", "manager", url("reports:supervision")),
    Operation("API project list", "manager", literal("/api/v1/projects/")),
    Operation(
        "API project list, filtered", "manager", literal("/api/v1/projects/?stage=signed&ordering=-total_investment")
    ),
    Operation("API project detail", "officer", lambda c: f"/api/v1/projects/{c.ids['project']}/"),
    Operation("API visit list", "officer", literal("/api/v1/visits/")),
    Operation("reminder sweep: find the next chunk due (in process)", "", run=sweep_query),
]


def make_session(user: User) -> str:
    """A logged-in session for the user, as django.contrib.auth.login would store it."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def context_for(base: str) -> Context:
    users = {role: User.objects.get(username=f"bench_{role}") for role in ("officer", "manager", "admin")}
    context = Context(base=base, sessions={role: make_session(user) for role, user in users.items()})
    officer = users["officer"]
    from projects.models import Project

    project = Project.objects.filter(owner=officer).order_by("-pk").first()
    if project is None:
        raise SystemExit("The bench officer owns no project: fill the database with bench.generate first.")
    context.ids = {"project": project.pk, "organisation": project.investor_id}
    return context


def request(connection_: http.client.HTTPConnection, context: Context, operation: Operation, path: str):
    cookie = f"{settings.SESSION_COOKIE_NAME}={context.sessions[operation.role]}"
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept": "text/html,application/json"}
    started = time.perf_counter()
    connection_.request(operation.method, path, headers=headers)
    response = connection_.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{operation.name}: {path} answered {response.status}")
    return elapsed, int(response.getheader("X-Query-Count", "-1"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(row: dict, floor_p95: float | None) -> dict:
    """p50/p95 in ms and the ratio to the floor, in place of the raw times."""
    times = row.pop("times")
    row["samples"] = len(times)
    row["p50_ms"] = round(percentile(times, 0.5) * 1000, 1)
    row["p95_ms"] = round(percentile(times, 0.95) * 1000, 1)
    row["ratio_to_floor"] = round(percentile(times, 0.95) / floor_p95, 1) if floor_p95 else 1.0
    return row


def measure_one(context: Context, operation: Operation, args) -> dict:
    if operation.run:
        for _ in range(args.warmup):
            operation.run(context)
        times = []
        for _ in range(args.repeat_in_process):
            started = time.perf_counter()
            operation.run(context)
            times.append(time.perf_counter() - started)
        return {"operation": operation.name, "times": times, "queries": None}
    path = operation.path(context) if operation.path else None
    if path is None:
        return {"operation": operation.name, "missing": True}
    host, port = context.base.removeprefix("http://").split(":")
    link = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        for _ in range(args.warmup):
            request(link, context, operation, path)
        samples = [request(link, context, operation, path) for _ in range(args.repeat)]
    except RuntimeError as error:
        return {"operation": operation.name, "error": str(error)}
    finally:
        link.close()
    return {
        "operation": operation.name,
        "path": path,
        "times": [t for t, _q in samples],
        "queries": max(q for _t, q in samples),
    }


def measure(context: Context, args) -> list[dict]:
    """Each operation in turn (the floor first), printed as soon as it is measured."""
    print("| operation | p50 ms | p95 ms | queries | p95 / floor |")
    print("|---|---:|---:|---:|---:|")
    rows: list[dict] = []
    floor_p95 = None
    for operation in OPERATIONS:
        if args.only and operation.name not in args.only and not operation.name.startswith("floor"):
            continue
        row = measure_one(context, operation, args)
        if "times" in row:
            row = summarise(row, floor_p95)
            if floor_p95 is None:
                floor_p95 = row["p95_ms"] / 1000
        print_row(row)
        rows.append(row)
    return rows


def print_row(row: dict) -> None:
    if row.get("missing"):
        print(f"| {row['operation']} | - | - | - | not in this build |", flush=True)
    elif row.get("error"):
        print(f"| {row['operation']} | - | - | - | {row['error']} |", flush=True)
    else:
        queries = "-" if row["queries"] is None else row["queries"]
        print(
            f"| {row['operation']} | {row['p50_ms']:,} | {row['p95_ms']:,} | {queries} | {row['ratio_to_floor']} |",
            flush=True,
        )


def start_server(port: int, workers: int) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True, env=os.environ
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=os.environ,
    )
    for _ in range(120):
        try:
            link = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            link.request("GET", "/healthz")
            link.getresponse().read()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer on /healthz within a minute")


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in ("projects_project", "crm_visit", "crm_organisation", "crm_mission", "core_user"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=20, help="measured requests per page (default 20)")
    parser.add_argument("--repeat-in-process", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="measure only these operations (by name; the floor always)")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench.run measures PostgreSQL: set DATABASE_URL (and fill it with bench.generate).", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)  # a database generated by an older build
    server = start_server(args.port, args.workers)
    try:
        context = context_for(f"http://127.0.0.1:{args.port}")
        rows = measure(context, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "postgresql": connection.cursor().connection.info.server_version,
        "gunicorn_workers": args.workers,
        "rows": counts(),
    }
    print(f"\nMachine: {machine}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "last.json").write_text(json.dumps({"machine": machine, "operations": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
