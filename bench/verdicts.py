"""How bench.run judges what it measured: the figures of an operation's samples, the
issues' targets, and whether several runs gave the same verdicts.

Pure functions of the rows bench.run makes (dicts, as written to the JSON), so that they
can be checked without a server or a database.
"""

from __future__ import annotations

import statistics

# The issues' targets. Pages are judged on medians of server CPU time, each against the
# floor's requests it took turns with (issue 21): a machine busy with other work slows the
# wall time of both, but not the CPU a request costs. Where no CPU figure can be had
# (in-process work, raw SQL run by PostgreSQL), medians of wall time.
PAGE_QUERIES = 12  # every list, detail and form page: at most this many queries ...
PAGE_FLOOR_RATIO = 5  # ... and a median CPU time within this many times the floor's
REPORT_RAW_RATIO = 3  # reports: median within 3x their raw SQL's, plus the floor's ...
REPORT_CPU_MS = 100  # ... and a median server CPU time within this (issue 21)
SWEEP_RAW_RATIO = 2  # one reminder sweep: median within 2x the raw SQL that finds what is due
IMPORT_SECONDS = 30  # a 10,000-row import, end to end
SEARCH_MS = 100  # the header's instant suggestions (issue 20): within 100 ms (median, issue 21)
LOAD_FLOOR_RATIO = 20  # under load: page p95 within 20x the floor under the same load


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarise(row: dict) -> dict:
    """Medians (p50) and p95 in ms in place of the samples, first of the server's CPU
    time, then of the wall time, and the ratio of the operation's CPU median to that of
    the floor's requests it took turns with (of wall medians where the server gave no
    CPU time)."""
    times = row.pop("times")
    cpu = [c for c in row.pop("cpu", []) if c is not None]
    floor_times = row.pop("floor_times", [])
    floor_cpu = [c for c in row.pop("floor_cpu", []) if c is not None]
    raw_times = row.pop("raw_times", [])
    row["samples"] = len(times)
    if cpu:
        row["cpu_p50_ms"] = round(statistics.median(cpu), 2)
        row["cpu_p95_ms"] = round(percentile(cpu, 0.95), 2)
    row["p50_ms"] = round(statistics.median(times) * 1000, 1)
    row["p95_ms"] = round(percentile(times, 0.95) * 1000, 1)
    if floor_times:
        row["floor_p50_ms"] = round(statistics.median(floor_times) * 1000, 1)
    if floor_cpu:
        row["floor_cpu_p50_ms"] = round(statistics.median(floor_cpu), 2)
    if raw_times:
        row["raw_p50_ms"] = round(statistics.median(raw_times) * 1000, 1)
    if cpu and floor_cpu and statistics.median(floor_cpu) > 0:
        row["ratio_to_floor"] = round(statistics.median(cpu) / statistics.median(floor_cpu), 1)
    elif floor_times:
        row["ratio_to_floor"] = round(statistics.median(times) / statistics.median(floor_times), 1)
    else:
        row["ratio_to_floor"] = None
    return row


def target(
    row: dict, operation, rows: dict[str, dict], floor_ms: float | None, import_rows: int = 10_000
) -> dict | None:
    """The issue's target for the operation: the rule, the figure and whether it is met.
    floor_ms is the floor's own wall median, for operations that did not take turns
    with it."""
    p50 = row["p50_ms"]
    if operation.kind == "page":
        ratio = row["ratio_to_floor"]
        figure = "CPU" if "floor_cpu_p50_ms" in row else "wall time"
        return {
            "rule": f"<= {PAGE_QUERIES} queries, median {figure} <= {PAGE_FLOOR_RATIO}x floor's",
            "value": f"{row['queries']} queries, {ratio}x",
            "met": row["queries"] <= PAGE_QUERIES and (ratio is None or ratio <= PAGE_FLOOR_RATIO),
        }
    if operation.kind in ("report", "sweep"):
        # The raw SQL's runs taken in turn with the operation's; else its own row's.
        raw = row.get("raw_p50_ms", rows.get(operation.raw, {}).get("p50_ms"))
        if raw is None:
            return {"rule": "raw SQL not measured", "value": "-", "met": None}
        ratio = round(p50 / raw, 1) if raw else None
        row["ratio_to_raw_sql"] = ratio
        if operation.kind == "sweep":
            limit = SWEEP_RAW_RATIO * raw
            rule = f"median <= {SWEEP_RAW_RATIO}x raw SQL's = {limit:,.0f} ms"
            return {"rule": rule, "value": f"{ratio}x raw SQL", "met": p50 <= limit}
        limit = REPORT_RAW_RATIO * raw + row.get("floor_p50_ms", floor_ms or 0)
        rule = f"median <= {REPORT_RAW_RATIO}x raw SQL's + floor's = {limit:,.0f} ms"
        value = f"{ratio}x raw SQL"
        met = p50 <= limit
        if "cpu_p50_ms" in row:
            rule += f", median CPU <= {REPORT_CPU_MS} ms"
            value += f", {row['cpu_p50_ms']:,.0f} ms CPU"
            met = met and row["cpu_p50_ms"] <= REPORT_CPU_MS
        return {"rule": rule, "value": value, "met": met}
    if operation.kind == "search":
        # Issue 20 set a p95 of wall time: of 20 requests, the second slowest, which a
        # busy moment of the machine decides. The median holds from run to run.
        return {"rule": f"median <= {SEARCH_MS} ms", "value": f"{p50:,.0f} ms", "met": p50 <= SEARCH_MS}
    if operation.kind == "import":
        seconds = p50 / 1000
        limit = IMPORT_SECONDS * import_rows / 10_000
        rule = f"<= {IMPORT_SECONDS} s end to end per 10,000 rows" + (
            f": {limit:g} s for {import_rows:,}" if import_rows != 10_000 else ""
        )
        return {"rule": rule, "value": f"{seconds:,.1f} s", "met": seconds <= limit}
    return None


def verdict(row: dict) -> str | None:
    """met, missed, error or ? (the target could not be judged); None: no target."""
    if row.get("error"):
        return "error"
    found = row.get("target")
    if not found:
        return None
    return {True: "met", False: "missed", None: "?"}[found["met"]]


def disagreements(runs: list[list[dict]]) -> dict[str, list[str | None]]:
    """The operations whose verdicts differ between runs, with each run's verdict."""
    each = [{row["operation"]: verdict(row) for row in rows} for rows in runs]
    names = dict.fromkeys(name for run in each for name, found in run.items() if found)
    return {name: [run.get(name) for run in each] for name in names if len({run.get(name) for run in each}) > 1}


def agreement(runs: list[list[dict]]) -> str:
    """The last line of a run of several: whether every operation got the same verdict
    in every run, and how many of the operations with a target missed it (or failed)
    in at least one run."""
    judged = dict.fromkeys(row["operation"] for rows in runs for row in rows if verdict(row))
    missed = {row["operation"] for rows in runs for row in rows if verdict(row) in ("missed", "error")}
    agree = "no" if disagreements(runs) else "yes"
    return f"verdicts agree: {agree}; missed: {len(missed)} of {len(judged)}"
