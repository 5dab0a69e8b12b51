"""Load: concurrent virtual users on a mix of reads and writes, bounded in time and count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python -m bench.load --users 50 --seconds 60

Each virtual user is a thread with its own logged-in session and connection to
127.0.0.1: it picks an action from MIX (pages, API calls, logging a visit through the
form: GET the form, POST it, check the redirect), waits --think seconds (a random
time around it) and goes again, until --seconds have passed or --requests requests
were sent in all. The minimal logged-in view is part of the mix, so the floor is
measured under the same load. It reports, per kind of request, the count, the errors
and the p50 and p95, and the issue's target: no errors, and the p95 of pages within
20x the floor's under the same load. bench.run runs it after the one-at-a-time table.

Our own threaded client rather than locust: it reuses bench.run's sessions, CSRF
handling and checks (the visits posted are counted in the database afterwards), it
needs nothing installed (locust's gevent patches sockets process-wide, so it would run
apart from the Django process that makes the sessions), and its bounds are plain.
Like any Python client it shares the CPUs with the server it measures.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse  # noqa: E402

from bench import run as bench  # sets Django up
from crm.models import Visit  # noqa: E402

FLOOR = "floor: minimal logged-in view"
VISIT_CREATE = "visit create (POST)"

# (weight, kind, path builder); "visit" logs a visit (the form, then the POST).
MIX = [
    (3, FLOOR, lambda c, rng: "/bench/floor"),
    (2, "home page", lambda c, rng: reverse("home")),
    (2, "project list", lambda c, rng: reverse("projects:project_list")),
    (1, "project list, filtered", lambda c, rng: reverse("projects:project_list") + "?stage=signed&tier=above_1b"),
    (3, "project detail", lambda c, rng: reverse("projects:project_detail", args=[rng.choice(c.project_ids)])),
    (2, "organisation search", lambda c, rng: reverse("crm:organisation_list") + "?q=%E7%80%9A%E8%8A%AF"),
    (
        2,
        "organisation detail",
        lambda c, rng: reverse("crm:organisation_detail", args=[rng.choice(c.organisation_ids)]),
    ),
    (2, "visit", None),
    (1, "API project list", lambda c, rng: "/api/v1/projects/"),
    (2, "API project detail", lambda c, rng: f"/api/v1/projects/{rng.choice(c.project_ids)}/"),
]


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sent: int = 0
    posted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_turn(self, limit: int) -> bool:
        with self.lock:
            if self.sent >= limit:
                return False
            self.sent += 1
            return True


def virtual_user(
    context: bench.Context, session: str, tally: Tally, deadline: float, limit: int, think: float, seed: int
) -> None:
    rng = random.Random(seed)
    host, port = context.host_port
    link = http.client.HTTPConnection(host, port, timeout=120)
    poster = bench.VisitPoster(link=link, session=session)
    weights = [weight for weight, _kind, _path in MIX]
    summary = f"{bench.VISIT_MARK} {context.ids['run']} load"
    first = True
    while time.monotonic() < deadline and tally.take_turn(limit):
        # The floor first, so that even a short run has the floor under load.
        _weight, kind, path = MIX[0] if first else rng.choices(MIX, weights=weights)[0]
        first = False
        try:
            if path is None:
                kind = "visit form"
                elapsed, queries = poster.fetch_form()
                tally.times[kind].append(elapsed)
                tally.queries[kind] = max(tally.queries[kind], queries)
                if not tally.take_turn(limit):
                    break
                kind = VISIT_CREATE
                elapsed, queries = poster.post(rng.choice(context.organisation_ids), summary)
                with tally.lock:
                    tally.posted += 1
            else:
                elapsed, queries, _response, _body = bench.send(link, session, "GET", path(context, rng))
        except (bench.Refused, OSError, http.client.HTTPException) as error:
            tally.errors[kind].append(f"{type(error).__name__}: {error}")
            link.close()
        else:
            tally.times[kind].append(elapsed)
            tally.queries[kind] = max(tally.queries[kind], queries)
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
    link.close()


def run(
    context: bench.Context, *, users: int, seconds: float, max_requests: int, think: float = 1.0, seed: int = 1
) -> dict:
    """Run the load and return its summary (also what bench.run stores as JSON)."""
    people = [context.users["manager"] if n % 5 == 4 else context.users["officer"] for n in range(users)]
    sessions = [bench.make_session(person) for person in people]
    context.made_sessions += sessions
    visits_before = Visit.objects.filter(summary=f"{bench.VISIT_MARK} {context.ids['run']} load").count()
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=virtual_user,
            args=(context, session, tally, deadline, max_requests, think, seed * 1000 + n),
            daemon=True,
        )
        for n, session in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    elapsed = time.monotonic() - started
    saved = Visit.objects.filter(summary=f"{bench.VISIT_MARK} {context.ids['run']} load").count() - visits_before
    return summarise(tally, users=users, seconds=elapsed, think=think, saved=saved)


def summarise(tally: Tally, *, users: int, seconds: float, think: float, saved: int) -> dict:
    kinds = sorted(set(tally.times) | set(tally.errors), key=lambda kind: (kind != FLOOR, kind))
    floor = tally.times.get(FLOOR)
    floor_p95 = bench.percentile(floor, 0.95) if floor else None
    rows = []
    for kind in kinds:
        times = tally.times.get(kind, [])
        row = {"operation": kind, "requests": len(times), "errors": len(tally.errors.get(kind, []))}
        if times:
            row.update(
                p50_ms=round(bench.percentile(times, 0.5) * 1000, 1),
                p95_ms=round(bench.percentile(times, 0.95) * 1000, 1),
                queries=tally.queries[kind],
                ratio_to_floor=round(bench.percentile(times, 0.95) / floor_p95, 1) if floor_p95 else None,
            )
        if tally.errors.get(kind):
            row["first_errors"] = tally.errors[kind][:3]
        rows.append(row)
    pages = [t for kind, times in tally.times.items() if kind != FLOOR for t in times]
    errors = sum(len(found) for found in tally.errors.values())
    if saved != tally.posted:
        errors += 1
    page_p95 = bench.percentile(pages, 0.95) if pages else None
    ratio = round(page_p95 / floor_p95, 1) if page_p95 and floor_p95 else None
    met = (errors == 0 and ratio <= bench.LOAD_FLOOR_RATIO) if ratio is not None else None
    return {
        "users": users,
        "seconds": round(seconds, 1),
        "think_seconds": think,
        "requests": sum(len(times) for times in tally.times.values()) + errors,
        "requests_per_second": round(sum(len(times) for times in tally.times.values()) / seconds, 1),
        "errors": errors,
        "visits_posted": tally.posted,
        "visits_saved": saved,
        "floor_p95_ms": round(floor_p95 * 1000, 1) if floor_p95 else None,
        "page_p95_ms": round(page_p95 * 1000, 1) if page_p95 else None,
        "target": {
            "rule": f"no errors, page p95 <= {bench.LOAD_FLOOR_RATIO}x floor under the same load",
            "value": f"{errors} errors, {ratio}x",
            "met": met,
        },
        "operations": rows,
    }


def print_table(load: dict) -> None:
    print(
        f"\nUnder load: {load['users']} users for {load['seconds']} s (think {load['think_seconds']} s), "
        f"{load['requests']:,} requests ({load['requests_per_second']} a second), {load['errors']} errors; "
        f"visits posted {load['visits_posted']}, saved {load['visits_saved']}"
    )
    print("| under load | requests | errors | p50 ms | p95 ms | queries | p95 / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in load["operations"]:
        if "p95_ms" in row:
            print(
                f"| {row['operation']} | {row['requests']:,} | {row['errors']} | {row['p50_ms']:,} | "
                f"{row['p95_ms']:,} | {row['queries']} | {row['ratio_to_floor']} |"
            )
        else:
            print(f"| {row['operation']} | 0 | {row['errors']} | - | - | - | - |")
    found = load["target"]
    verdict = {True: "met", False: "MISSED", None: "?"}[found["met"]]
    print(
        f"| all pages | {sum(r['requests'] for r in load['operations'] if r['operation'] != FLOOR):,} | "
        f"{load['errors']} | - | {load['page_p95_ms']} | - | {verdict}: {found['value']} ({found['rule']}) |"
    )
    for row in load["operations"]:
        for error in row.get("first_errors", []):
            print(f"  {row['operation']}: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=20_000, help="at most this many requests in all")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user waits between requests (mean)")
    args = parser.parse_args(argv)
    if bench.connection.vendor != "postgresql":
        print("bench.load measures PostgreSQL: set DATABASE_URL (and fill it with bench.generate).", file=sys.stderr)
        return 2
    server = bench.start_server(args.port, args.workers)
    context = None
    try:
        context = bench.context_for(f"http://127.0.0.1:{args.port}")
        load = run(context, users=args.users, seconds=args.seconds, max_requests=args.requests, think=args.think)
        print_table(load)
    finally:
        bench.stop_server(server)
        if context:
            bench.delete_sessions(context.made_sessions)
    return 1 if load["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
