"""Measure the running stack against its floors, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python -m bench.run

Starts gunicorn (production settings, --workers web processes) on the database that
bench.generate filled, logs in as the bench manager, officer and admin (sessions are
made in the database directly, as a login would make them), then, one request at a
time and to 127.0.0.1 only, requests each page --repeat times after --warmup
unmeasured ones, each request taking turns with one of the floor's. For each operation
it reports first the median server CPU time of its requests (the server's X-CPU-Time
header), then the p50 and p95 wall time, the SQL queries the request ran (X-Query-Count;
both headers are on only in benchmark mode), the ratio of its CPU median to that of the
floor's requests it took turns with, and the issue's target for it, met or missed.
--runs N measures everything N times and ends with one line saying whether the runs'
verdicts agree and how many targets were missed.

The floors, measured in the same run: a minimal logged-in Django view through the same
middleware, and the hand-written SQL each report and the reminder sweep need
(bench/floors.py). In process it also times one steady-state reminder sweep and a
10,000-row import (check and commit, as the worker runs them; what the import created
is deleted afterwards). Last, a load run: --load-users virtual users for
--load-seconds on a mix of pages, API calls and visits logged (bench/load.py).

The table goes to standard output and, as JSON with the machine and the row counts,
to bench/results/last.json. The run adds a few visits (the visit form is posted) and
marks what the reminder sweep finds due as already sent (without notifications).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:
    # Run as a program: the same settings as the server's, production mode with the
    # benchmark header on. (Imported by tests, the settings are the tests' and the
    # server follows them.)
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(24))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ["BENCH_HEADERS"] = "true"
    django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import floors  # noqa: E402
from bench.verdicts import (  # noqa: E402, F401 - bench.load reads the load target and percentile here
    LOAD_FLOOR_RATIO,
    agreement,
    disagreements,
    percentile,
    summarise,
    target,
)
from core.models import User  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VISIT_MARK = "bench.run visit"  # the summary of the visits the harness logs


@dataclass
class Operation:
    name: str
    role: str  # whose session: officer, manager or admin; "" for in-process work
    path: Callable[[Context], str | None] | None = None  # None: not available in this build
    run: Callable[[Context], object] | None = None  # in-process operations
    # A write over HTTP: (seconds, queries, server CPU ms or None)
    post: Callable[[Context, Operation, object], tuple[float, int, float | None]] | None = None
    kind: str = "page"  # page, report, floor, raw, sweep, import or search: which target applies
    raw: str = ""  # the raw SQL operation a report or the sweep is held against
    samples: str = "repeat"  # repeat, repeat_in_process or once


@dataclass
class Context:
    base: str
    sessions: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    today: dt.date | None = None
    period: object = None
    notes: dict[str, str] = field(default_factory=dict)  # per operation, printed under the table
    made_sessions: list[str] = field(default_factory=list)  # deleted at the end
    project_ids: list[int] = field(default_factory=list)  # the officer's projects and their investors
    organisation_ids: list[int] = field(default_factory=list)
    import_rows: int = 10_000
    poster: VisitPoster | None = None

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base.removeprefix("http://").split(":")
        return host, int(port)


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


# --- HTTP ---------------------------------------------------------------------------------


class Refused(RuntimeError):
    """The server answered something other than what the operation expects."""


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def send(
    link: http.client.HTTPConnection,
    session: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    cookies: dict[str, str] | None = None,
    expect: int = 200,
) -> tuple[float, int, http.client.HTTPResponse, bytes]:
    """One request with the session's cookie; (seconds, queries, response, body)."""
    jar = {settings.SESSION_COOKIE_NAME: session, **(cookies or {})}
    headers = {
        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        "Host": "127.0.0.1",
        "Accept": "text/html,application/json",
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    link.request(method, path, body=body, headers=headers)
    response = link.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    if response.status != expect:
        raise Refused(f"{method} {path} answered {response.status}, not {expect}")
    return elapsed, int(response.getheader("X-Query-Count", "-1")), response, content


def server_cpu(response: http.client.HTTPResponse) -> float | None:
    """The CPU milliseconds the server spent on the request (X-CPU-Time), if it said."""
    value = response.getheader("X-CPU-Time")
    return float(value) if value else None


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class VisitPoster:
    """Logs visits through the visit form, as an officer does: the form once (for the
    CSRF cookie and token), then one POST per visit. Each visit is checked: the answer
    is the redirect a successful save gives (to the organisation's page)."""

    link: http.client.HTTPConnection
    session: str
    form_path: str = ""
    token: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    last_cpu: float | None = None  # the server CPU ms of the last visit posted

    def fetch_form(self) -> tuple[float, int]:
        self.form_path = reverse("crm:visit_create")
        elapsed, queries, response, content = send(self.link, self.session, "GET", self.form_path)
        found = CSRF_FIELD.search(content)
        if not found:
            raise Refused("the visit form has no CSRF token")
        self.token = found.group(1).decode()
        self.cookies = {
            name: value for name, value in cookies_of(response).items() if name == settings.CSRF_COOKIE_NAME
        }
        return elapsed, queries

    def post(self, organisation: int, summary: str) -> tuple[float, int]:
        if not self.token:
            self.fetch_form()
        fields = {
            "csrfmiddlewaretoken": self.token,
            "organisation": organisation,
            "date": timezone.localdate().isoformat(),
            "kind": "outgoing",
            "summary": summary,
            "intention": "medium",
        }
        body = "&".join(f"{key}={quote(str(value))}" for key, value in fields.items()).encode()
        elapsed, queries, response, _content = send(
            self.link, self.session, "POST", self.form_path, body=body, cookies=self.cookies, expect=302
        )
        target = reverse("crm:organisation_detail", args=[organisation])
        if not (response.getheader("Location") or "").endswith(target):
            raise Refused(f"the visit form sent to {response.getheader('Location')}, not {target}")
        self.last_cpu = server_cpu(response)
        return elapsed, queries


def visit_create(context: Context, operation: Operation, link) -> tuple[float, int, float | None]:
    if context.poster is None:
        context.poster = VisitPoster(link=link, session=context.sessions[operation.role])
    context.poster.link = link
    elapsed, queries = context.poster.post(context.ids["visit_organisation"], f"{VISIT_MARK} {context.ids['run']}")
    return elapsed, queries, context.poster.last_cpu


# --- In process ---------------------------------------------------------------------------


def raw_dashboard(context: Context) -> None:
    floors.raw_dashboard(context.period.start, context.period.end)


def raw_review(context: Context) -> None:
    floors.raw_review(context.period.start, context.period.end)


def raw_supervision(context: Context) -> None:
    floors.raw_supervision(context.today)


def raw_due(context: Context) -> None:
    # The sweep reads what is due a chunk at a time (LIMIT); with a limit PostgreSQL
    # prefers index lookups to hash joins, so the floor asks the same question.
    floors.run_raw(f"{floors.raw_due_sql(context.today)} LIMIT {settings.REMINDER_SWEEP_CHUNK}")


def settle_reminders(today: dt.date) -> int:
    """Mark what is due now as already sent, without notifications: the state a sweep
    leaves behind, so that the sweeps measured are the steady state (nothing new)
    and a run does not add thousands of notifications to the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO projects_reminder "
            "(rule_id, project_id, visit_id, mission_id, stage, due_on, level, created_at, claim, recipients) "
            "SELECT d.rule_id, d.project_id, d.visit_id, d.mission_id, d.stage, d.due_on, r.level, now(), "
            f"gen_random_uuid(), 0 FROM ({floors.raw_due_sql(today)}) "
            "AS d (rule_id, project_id, visit_id, mission_id, stage, due_on) "
            "JOIN projects_reminderrule r ON r.id = d.rule_id ON CONFLICT DO NOTHING"
        )
        settled = cursor.rowcount
        cursor.execute("ANALYZE projects_reminder")
    return settled


def reminder_sweep(context: Context) -> None:
    from projects import reminders

    result = reminders.sweep()
    if result.sent:
        # Something came due since the state was settled (the clock passed midnight).
        context.notes["reminder sweep, new"] = f"a sweep sent {len(result.sent)} reminders (due since settled)"


def ledger_import(context: Context) -> None:
    """A ledger of --import-rows rows (bench/import_projects.py writes it) against a
    fresh set of 100 investors, checked then committed through transfer's entry points
    with the worker's code path run in this process; then deleted again."""
    from django.test import override_settings

    from bench.import_projects import ledger
    from crm.models import Organisation
    from transfer import importing
    from transfer.models import ImportJob

    officer = context.users["officer"]
    tag = secrets.token_hex(3)
    investors = Organisation.objects.bulk_create(
        Organisation(name=f"基准导入{tag}投资{n:03d}有限公司", owner=officer, team=officer.team) for n in range(100)
    )
    data = ledger(context.import_rows, [o.name for o in investors])
    job = None
    try:
        started = time.perf_counter()
        # Above the inline limit the web request hands each step to a Celery task, which
        # calls importing.run(); raising the limit runs the same steps here, in order.
        with override_settings(TRANSFER_INLINE_ROWS=context.import_rows + 1):
            job = importing.start_import(kind="projects", data=data, filename="ledger.xlsx", user=officer)
            checked = time.perf_counter()
            if job.status != ImportJob.Status.PREVIEWED or job.report["counts"]["error"]:
                raise Refused(f"import check: {job.status} {job.message} {job.report.get('counts')}")
            job = importing.commit_import(job=job, decisions={})
        done = time.perf_counter()
        if job.status != ImportJob.Status.DONE:
            raise Refused(f"import commit: {job.status} {job.message}")
        context.notes["import"] = (
            f"{job.report['counts']['create']:,} projects created; check {checked - started:.1f} s, "
            f"commit {done - checked:.1f} s"
        )
    finally:
        delete_import([o.pk for o in investors], job.pk if job else None)


def delete_import(organisation_ids: list[int], job_id: int | None) -> None:
    """Remove what an import created: its projects (with their stage changes, history
    and reminders), the investors made for it and the job."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM projects_project WHERE investor_id = ANY(%s)", [organisation_ids])
        projects = [row[0] for row in cursor.fetchall()]
        for table in ("projects_stagechange", "projects_replan", "projects_reminder"):
            cursor.execute(f"DELETE FROM {table} WHERE project_id = ANY(%s)", [projects])
        cursor.execute("DELETE FROM projects_historicalproject WHERE id = ANY(%s)", [projects])
        cursor.execute("DELETE FROM projects_project WHERE id = ANY(%s)", [projects])
        cursor.execute("DELETE FROM crm_historicalorganisation WHERE id = ANY(%s)", [organisation_ids])
        cursor.execute("DELETE FROM crm_organisation WHERE id = ANY(%s)", [organisation_ids])
        if job_id:
            cursor.execute("DELETE FROM transfer_importjob WHERE id = %s", [job_id])


OPERATIONS = [
    Operation("floor: minimal logged-in view", "manager", literal("/bench/floor"), kind="floor"),
    Operation("raw SQL: dashboard", "", run=raw_dashboard, kind="raw", samples="repeat_in_process"),
    Operation("raw SQL: review", "", run=raw_review, kind="raw", samples="repeat_in_process"),
    Operation("raw SQL: supervision list page", "", run=raw_supervision, kind="raw", samples="repeat_in_process"),
    Operation(
        "raw SQL: what the reminder sweep finds due (first chunk)",
        "",
        run=raw_due,
        kind="raw",
        samples="repeat_in_process",
    ),
    Operation("home page (manager)", "manager", url("home")),
    Operation("home page (officer)", "officer", url("home")),
    Operation("project list", "manager", url("projects:project_list")),
    Operation(
        "project list, filtered", "manager", url("projects:project_list", query={"stage": "signed", "tier": "above_1b"})
    ),
    Operation("project list, sorted", "manager", url("projects:project_list", query={"sort": "-investment"})),
    Operation("project list, page 500 (admin)", "admin", url("projects:project_list", query={"page": 500})),
    Operation("board", "manager", url("projects:board")),
    Operation("project detail", "officer", url("projects:project_detail", "project")),
    Operation("organisation search", "officer", url("crm:organisation_list", query={"q": "瀚芯"})),
    # The header's box as officers type (issue 20): characters, full pinyin, initials.
    Operation("search box suggestions: 瀚芯", "officer", url("finder:suggest", query={"q": "瀚芯"}), kind="search"),
    Operation("search box suggestions: hanxin", "officer", url("finder:suggest", query={"q": "hanxin"}), kind="search"),
    Operation("search box suggestions: wxhx", "officer", url("finder:suggest", query={"q": "wxhx"}), kind="search"),
    Operation("search results page: 瀚芯", "officer", url("finder:search", query={"q": "瀚芯"})),
    Operation("organisation detail", "officer", url("crm:organisation_detail", "organisation")),
    Operation("visit form", "officer", url("crm:visit_create")),
    Operation("visit create (POST, officer)", "officer", post=visit_create),
    Operation("mission list", "manager", url("crm:mission_list")),
    Operation("dashboard", "manager", url("reports:dashboard"), kind="report", raw="raw SQL: dashboard"),
    Operation("review", "manager", url("reports:review"), kind="report", raw="raw SQL: review"),
    Operation(
        "supervision list", "manager", url("reports:supervision"), kind="report", raw="raw SQL: supervision list page"
    ),
    Operation("API project list", "manager", literal("/api/v1/projects/")),
    Operation(
        "API project list, filtered", "manager", literal("/api/v1/projects/?stage=signed&ordering=-total_investment")
    ),
    Operation("API project detail", "officer", lambda c: f"/api/v1/projects/{c.ids['project']}/"),
    Operation("API visit list", "officer", literal("/api/v1/visits/")),
    Operation(
        "reminder sweep, steady state (in process)",
        "",
        run=reminder_sweep,
        kind="sweep",
        raw="raw SQL: what the reminder sweep finds due (first chunk)",
        samples="repeat_in_process",
    ),
    Operation(
        "import: 10,000-row ledger, check + commit (in process)", "", run=ledger_import, kind="import", samples="once"
    ),
]
# Set up with the run's options: the import's name says how many rows it has.
IMPORT = OPERATIONS[-1]
FLOOR = OPERATIONS[0]  # every page's requests take turns with this one's


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
    from projects.models import Project
    from projects.reports.periods import parse_period

    users = {role: User.objects.get(username=f"bench_{role}") for role in ("officer", "manager", "admin")}
    context = Context(base=base, users=users, sessions={role: make_session(user) for role, user in users.items()})
    context.made_sessions += context.sessions.values()
    projects = list(
        Project.objects.filter(owner=users["officer"]).order_by("-pk").values_list("pk", "investor_id")[:200]
    )
    if not projects:
        raise SystemExit("The bench officer owns no project: fill the database with bench.generate first.")
    investors = list(dict.fromkeys(investor for _pk, investor in projects))
    context.ids = {
        "project": projects[0][0],
        "organisation": projects[0][1],
        # Visits go to another investor than the one whose page is measured.
        "visit_organisation": investors[1] if len(investors) > 1 else investors[0],
        "run": secrets.token_hex(4),
    }
    context.project_ids = [pk for pk, _investor in projects]
    context.organisation_ids = investors
    context.today = timezone.localdate()
    context.period = parse_period({})  # what the report pages show without parameters
    return context


def timed(run: Callable[[Context], object], context: Context) -> float:
    started = time.perf_counter()
    run(context)
    return time.perf_counter() - started


def measure_one(context: Context, operation: Operation, args) -> dict:
    repeat = {"repeat": args.repeat, "repeat_in_process": args.repeat_in_process, "once": 1}[operation.samples]
    warmup = 0 if operation.samples == "once" else args.warmup
    # A report or the sweep takes turns with its raw SQL too, as a page with the floor.
    raw = next((op for op in OPERATIONS if op.name == operation.raw and op.run), None)
    raw_times = []
    if operation.run:
        try:
            for _ in range(warmup):
                operation.run(context)
            times = []
            for n in range(repeat):
                if raw and n % 2 == 0:
                    raw_times.append(timed(raw.run, context))
                times.append(timed(operation.run, context))
                if raw and n % 2 == 1:
                    raw_times.append(timed(raw.run, context))
        except Exception as error:  # noqa: BLE001 - the row shows it, the run goes on
            return {"operation": operation.name, "error": f"{type(error).__name__}: {error}"}
        return {"operation": operation.name, "times": times, "raw_times": raw_times, "queries": None}
    path = operation.path(context) if operation.path else None
    if path is None and operation.post is None:
        return {"operation": operation.name, "missing": True}
    host, port = context.host_port
    link = http.client.HTTPConnection(host, port, timeout=300)
    session = context.sessions[operation.role]
    floor_path = FLOOR.path(context) if operation is not FLOOR and FLOOR.path else None

    def once() -> tuple[float, int, float | None]:
        if operation.post:
            return operation.post(context, operation, link)
        elapsed, queries, response, _content = send(link, session, "GET", path)
        return elapsed, queries, server_cpu(response)

    def floor_once() -> tuple[float, float | None]:
        elapsed, _queries, response, _content = send(link, session, "GET", floor_path)
        return elapsed, server_cpu(response)

    samples, floor_samples = [], []
    try:
        for _ in range(warmup):
            once()
        for n in range(repeat):
            # Each request takes turns with one of the floor's, in the same session,
            # the floor first one time and second the next: both see the same moments
            # of a machine whose load comes and goes.
            if floor_path and n % 2 == 0:
                floor_samples.append(floor_once())
                if raw:
                    raw_times.append(timed(raw.run, context))
            samples.append(once())
            if floor_path and n % 2 == 1:
                floor_samples.append(floor_once())
                if raw:
                    raw_times.append(timed(raw.run, context))
    except (Refused, OSError) as error:
        return {"operation": operation.name, "error": str(error)}
    except Exception as error:  # noqa: BLE001 - the raw SQL failed: the row shows it, the run goes on
        return {"operation": operation.name, "error": f"{type(error).__name__}: {error}"}
    finally:
        link.close()
    # The page's own count is what most of its requests ran: once a minute a session's
    # row is also written (the idle timeout pushed on, accounts.middleware), adding one
    # query to whichever request comes then. The most seen is shown; the JSON keeps both.
    counts = [q for _t, q, _c in samples]
    row = {
        "operation": operation.name,
        "times": [t for t, _q, _c in samples],
        "cpu": [c for _t, _q, c in samples],
        "floor_times": [t for t, _c in floor_samples],
        "floor_cpu": [c for _t, c in floor_samples],
        "raw_times": raw_times,
        "queries": statistics.mode(counts),
        "queries_max": max(counts),
    }
    if path:
        row["path"] = path
    if operation.post:
        row.update(check_visits(context, expected=warmup + repeat))
    return row


def check_visits(context: Context, expected: int) -> dict:
    """The visits the POSTs logged are in the database, as many as were posted."""
    from crm.models import Visit

    found = Visit.objects.filter(
        organisation_id=context.ids["visit_organisation"], summary=f"{VISIT_MARK} {context.ids['run']}"
    ).count()
    if found != expected:
        return {"error": f"posted {expected} visits, {found} in the database"}
    return {"visits_saved": found}


def selected(args) -> list[Operation]:
    operations = [op for op in OPERATIONS if not (op is IMPORT and args.import_rows == 0)]
    if not args.only:
        return operations
    wanted = {name for name in args.only}
    wanted |= {op.raw for op in operations if op.name in wanted and op.raw}
    return [op for op in operations if op.name in wanted or op.kind == "floor"]


def warm_workers(context: Context, args) -> None:
    """Every page once in every gunicorn worker before anything is timed.

    A worker's first request for a page imports its views and compiles its templates
    (half a second or more); sync workers keep no connection, so a request goes to
    whichever worker is free and --warmup requests one after another may all reach the
    same one. Here each page is asked by as many clients at once as there are workers,
    twice, so every worker has served it before the measured requests."""
    from concurrent.futures import ThreadPoolExecutor

    host, port = context.host_port

    def fetch(job: tuple[str, str]) -> None:
        session, path = job
        link = http.client.HTTPConnection(host, port, timeout=300)
        try:
            send(link, session, "GET", path)
        except (Refused, OSError):
            pass  # measured (and reported) later
        finally:
            link.close()

    jobs = []
    for operation in selected(args):
        path = operation.path(context) if operation.path and operation.role else None
        if path:
            jobs += [(context.sessions[operation.role], path)] * (2 * args.workers)
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(fetch, jobs))


def settle(context: Context, *, first: bool) -> None:
    """Settle what is due (see settle_reminders); the note under the table says how much."""
    try:
        settled = settle_reminders(context.today)
    except Exception as error:  # noqa: BLE001 - said under the table; the sweep is still measured
        context.notes["reminder sweep"] = f"could not mark what is due as sent: {error}"
        return
    if first:
        context.notes["reminder sweep"] = (
            f"the steady state: before timing its floor, the {settled:,} reminders due and not yet in the "
            "table were marked sent (untimed, no notifications), so the floor and each timed sweep find nothing new"
        )
    elif settled:
        context.notes["reminder sweep, settled again"] = f"{settled:,} more came due during the run and were settled"


def measure(context: Context, args, *, warm: bool = True) -> list[dict]:
    """Each operation in turn (the floors first), printed as soon as it is measured."""
    if warm:
        warm_workers(context, args)
    print_header()
    rows: dict[str, dict] = {}
    floor_ms = None
    settled_once = False
    for operation in selected(args):
        # The sweep's floor and the sweep are timed in the same state: what was due is
        # settled before the first of them (else the floor finds a chunk at once while
        # the sweep, finding nothing, reads every candidate).
        if operation.kind == "sweep" or operation.run is raw_due:
            settle(context, first=not settled_once)
            settled_once = True
        row = measure_one(context, operation, args)
        if "times" in row:
            row = summarise(row)
            if operation.kind == "floor" and floor_ms is None:
                floor_ms = row["p50_ms"]
            found = target(row, operation, rows, floor_ms, context.import_rows)
            if found:
                row["target"] = found
        print_row(row)
        rows[operation.name] = row
    return list(rows.values())


def print_header() -> None:
    print("| operation | CPU p50 ms | p50 ms | p95 ms | queries | CPU / floor | target |")
    print("|---|---:|---:|---:|---:|---:|---|")


def target_cell(row: dict) -> str:
    found = row.get("target")
    if not found:
        return ""
    verdict = {True: "met", False: "MISSED", None: "?"}[found["met"]]
    return f"{verdict}: {found['value']} ({found['rule']})"


def print_row(row: dict) -> None:
    if row.get("missing"):
        print(f"| {row['operation']} | - | - | - | - | - | not in this build |", flush=True)
    elif row.get("error") and "p95_ms" not in row:
        print(f"| {row['operation']} | - | - | - | - | - | ERROR: {row['error']} |", flush=True)
    else:
        queries = "-" if row["queries"] is None else row["queries"]
        cpu = f"{row['cpu_p50_ms']:,}" if "cpu_p50_ms" in row else "-"
        ratio = "-" if row["ratio_to_floor"] is None else row["ratio_to_floor"]
        cell = target_cell(row) + (f" ERROR: {row['error']}" if row.get("error") else "")
        print(
            f"| {row['operation']} | {cpu} | {row['p50_ms']:,} | {row['p95_ms']:,} | {queries} | {ratio} | {cell} |",
            flush=True,
        )


def database_url() -> str:
    """The URL of the database this process uses, for the server to use the same."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "BENCH_HEADERS": "true",
        # The mode of this process's settings, so that the cookie names agree.
        "DJANGO_DEBUG": "false" if settings.SESSION_COOKIE_SECURE else "true",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY  # the sessions made here are signed with it
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True, env=env)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "300",
            # Not needed here, and its default path is shared by every gunicorn on the machine.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(120):
        try:
            link = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            link.request("GET", "/healthz")
            link.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit code {server.returncode})") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer on /healthz within a minute")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def delete_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    if "db" in settings.SESSION_ENGINE:
        Session.objects.filter(session_key__in=keys).delete()


def counts() -> dict[str, int]:
    """Rows of the main tables, and the milestones the reminder sweep looks at."""
    from projects.models import PLANNED_STAGES
    from projects.reminders import REMINDED_STAGES

    found = {}
    with connection.cursor() as cursor:
        for table in (
            "projects_project",
            "crm_visit",
            "crm_organisation",
            "crm_mission",
            "core_user",
            "projects_reminder",
            "core_notification",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        planned = " + ".join(f"count({stage.value}_planned)" for stage in PLANNED_STAGES)
        unreached = " + ".join(
            f"count(*) FILTER (WHERE {s.value}_planned IS NOT NULL AND {s.value}_on IS NULL)" for s in PLANNED_STAGES
        )
        open_stages = ", ".join(f"'{stage}'" for stage in REMINDED_STAGES)
        cursor.execute(f"SELECT {planned} FROM projects_project WHERE NOT is_deleted")
        found["planned dates"] = cursor.fetchone()[0]
        cursor.execute(f"SELECT {unreached} FROM projects_project WHERE NOT is_deleted AND stage IN ({open_stages})")
        found["planned milestones watched (unreached, open projects)"] = cursor.fetchone()[0]
    return found


PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "maintenance_work_mem",
    "random_page_cost",
    "max_parallel_workers_per_gather",
    "jit",
    "max_connections",
    "synchronous_commit",
)


def machine(args) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, setting || COALESCE(' ' || unit, '') FROM pg_settings WHERE name = ANY(%s)",
            [list(PG_SETTINGS)],
        )
        pg_settings = dict(cursor.fetchall())
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        memory = None
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "load_average_at_end": load,
        "platform": platform.platform(),
        "postgresql": version,
        "postgresql_settings": pg_settings,
        "gunicorn_workers": args.workers,
        "repeat": args.repeat,
        "repeat_in_process": args.repeat_in_process,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=20, help="measured requests per page (default 20)")
    parser.add_argument("--runs", type=int, default=1, help="measure everything this many times and compare verdicts")
    parser.add_argument("--repeat-in-process", type=int, default=5, help="measured runs of raw SQL and sweeps")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the ledger imported (0: skip)")
    parser.add_argument("--load-users", type=int, default=50, help="virtual users of the load run (0: skip)")
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--load-think", type=float, default=1.0, help="mean seconds between a user's requests")
    parser.add_argument("--load-requests", type=int, default=20_000, help="at most this many requests under load")
    parser.add_argument("--only", nargs="*", help="measure only these operations (by name; the floor always)")
    parser.add_argument("--output", type=Path, default=RESULTS / "last.json")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench.run measures PostgreSQL: set DATABASE_URL (and fill it with bench.generate).", file=sys.stderr)
        return 2
    IMPORT.name = f"import: {args.import_rows:,}-row ledger, check + commit (in process)"
    began = time.perf_counter()
    call_command("migrate", verbosity=0)  # a database generated by an older build
    server = start_server(args.port, args.workers)
    load = None
    try:
        context = context_for(f"http://127.0.0.1:{args.port}")
        context.import_rows = args.import_rows
        runs = []
        for n in range(args.runs):
            if args.runs > 1:
                print(f"\nRun {n + 1} of {args.runs}\n")
            context.ids["run"] = secrets.token_hex(4)  # the visits this run posts
            runs.append(measure(context, args, warm=n == 0))
        rows = runs[-1]
        if args.load_users:
            from bench import load as load_run

            load = load_run.run(
                context,
                users=args.load_users,
                seconds=args.load_seconds,
                max_requests=args.load_requests,
                think=args.load_think,
            )
            load_run.print_table(load)
    finally:
        stop_server(server)
        delete_sessions(context.made_sessions if "context" in locals() else [])
    for name, note in context.notes.items():
        print(f"- {name}: {note}")
    about = machine(args)
    about["rows"] = counts()
    about["seconds"] = round(time.perf_counter() - began)
    print(f"\nMachine: {json.dumps(about, ensure_ascii=False)}")
    result = {"machine": about, "operations": rows, "load": load, "notes": context.notes}
    if args.runs > 1:
        result["runs"] = runs
        result["disagreements"] = disagreements(runs)
        result["agreement"] = agreement(runs)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    if args.runs > 1:
        for name, found in result["disagreements"].items():
            print(f"- verdicts differ: {name}: {', '.join(str(v) for v in found)}")
        print(result["agreement"])
    errors = [row for rows in runs for row in rows if row.get("error")]
    errors += [load] if load and load.get("errors") else []
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
