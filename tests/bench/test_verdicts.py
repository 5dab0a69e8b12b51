"""How bench.run judges: medians of server CPU time against the floor's requests taken in
turn, and one line saying whether several runs gave the same verdicts."""

from bench import run
from bench.verdicts import PAGE_FLOOR_RATIO, agreement, disagreements, summarise, target

OPERATIONS = {operation.name: operation for operation in run.OPERATIONS}
FLOOR = "floor: minimal logged-in view"


def measured(name: str, *, cpu, floor_cpu, wall, floor_wall, queries=8) -> dict:
    """A row as bench.run's measure_one makes it for an HTTP operation (seconds of wall
    time, CPU milliseconds from the server's header), before it is summarised."""
    return {
        "operation": name,
        "times": wall,
        "cpu": cpu,
        "floor_times": floor_wall,
        "floor_cpu": floor_cpu,
        "queries": queries,
        "queries_max": queries,
        "path": "/x",
    }


def judged(row: dict, rows: dict | None = None) -> dict:
    row = summarise(row)
    row["target"] = target(row, OPERATIONS[row["operation"]], rows or {}, floor_ms=15.0)
    return row


def floor_row() -> dict:
    return summarise(
        {"operation": FLOOR, "times": [0.015] * 5, "cpu": [2.0] * 5, "queries": 2, "queries_max": 2, "path": "/f"}
    )


def raw_row(name: str, seconds: list[float]) -> dict:
    return summarise({"operation": name, "times": seconds, "queries": None})


def test_a_page_is_judged_on_its_cpu_median_not_on_a_slow_moment_of_the_machine():
    # Two of five requests (and the floor's beside them) waited for a busy core: the
    # wall times swing, the CPU the server spent does not.
    row = judged(
        measured(
            "project list",
            cpu=[8.0, 8.4, 7.9, 8.1, 30.0],
            floor_cpu=[2.0, 2.1, 1.9, 2.0, 2.2],
            wall=[0.020, 0.021, 0.400, 0.019, 0.450],
            floor_wall=[0.005, 0.006, 0.005, 0.300, 0.005],
        )
    )
    assert row["cpu_p50_ms"] == 8.1 and row["floor_cpu_p50_ms"] == 2.0
    assert row["p50_ms"] == 21.0 and row["p95_ms"] == 450.0
    assert row["ratio_to_floor"] == 4.0  # 8.1 / 2.0, where the wall medians say 4.2 and the p95s 1.5
    assert row["target"]["met"] is True
    assert "CPU" in row["target"]["rule"] and f"{PAGE_FLOOR_RATIO}x" in row["target"]["rule"]


def test_a_page_misses_over_the_cpu_ratio_or_over_the_query_bound():
    slow = judged(measured("board", cpu=[11.0] * 4, floor_cpu=[2.0] * 4, wall=[0.03] * 4, floor_wall=[0.01] * 4))
    assert slow["ratio_to_floor"] == 5.5 and slow["target"]["met"] is False
    chatty = judged(
        measured("board", cpu=[4.0] * 4, floor_cpu=[2.0] * 4, wall=[0.03] * 4, floor_wall=[0.01] * 4, queries=13)
    )
    assert chatty["target"]["met"] is False and chatty["target"]["value"] == "13 queries, 2.0x"


def test_without_a_cpu_header_a_page_is_judged_on_wall_medians():
    row = judged(measured("board", cpu=[None] * 3, floor_cpu=[None] * 3, wall=[0.03] * 3, floor_wall=[0.01] * 3))
    assert "cpu_p50_ms" not in row and row["ratio_to_floor"] == 3.0
    assert "wall time" in row["target"]["rule"] and row["target"]["met"] is True


def test_a_report_is_judged_on_its_median_against_its_raw_sql_and_the_floor():
    rows = {"raw SQL: review": raw_row("raw SQL: review", [0.100, 0.110, 0.900])}
    review = measured("review", cpu=[60.0] * 3, floor_cpu=[2.0] * 3, wall=[0.300, 0.320, 2.0], floor_wall=[0.01] * 3)
    row = judged(review, rows)
    assert row["ratio_to_raw_sql"] == 2.9  # 320 / 110 ms: the slow third of each is left out
    assert row["target"]["met"] is True  # 320 <= 3 x 110 + 10 ms
    late = judged(measured("review", cpu=[1.0] * 3, floor_cpu=[2.0] * 3, wall=[0.4] * 3, floor_wall=[0.01] * 3), rows)
    assert late["target"]["met"] is False


def a_run(home_officer: bool | None = True, board_error: bool = False) -> list[dict]:
    """One run's rows in the order and shapes bench.run writes them."""
    rows = [floor_row(), raw_row("raw SQL: review", [0.1, 0.1, 0.1])]
    home = judged(
        measured("home page (officer)", cpu=[9.0] * 3, floor_cpu=[2.0] * 3, wall=[0.1] * 3, floor_wall=[0.01] * 3)
    )
    home["target"]["met"] = home_officer
    rows.append(home)
    rows.append(
        judged(measured("project list", cpu=[30.0] * 3, floor_cpu=[2.0] * 3, wall=[0.1] * 3, floor_wall=[0.01] * 3))
    )
    rows.append(
        {"operation": "board", "error": "GET /projects/board/ answered 500, not 200"}
        if board_error
        else (judged(measured("board", cpu=[4.0] * 3, floor_cpu=[2.0] * 3, wall=[0.1] * 3, floor_wall=[0.01] * 3)))
    )
    rows.append({"operation": "search results page: 瀚芯", "missing": True})
    return rows


def test_two_runs_with_the_same_verdicts_agree_and_count_what_they_missed():
    first, second = a_run(), a_run()
    assert [r["target"]["met"] for r in first if r.get("target")] == [True, False, True]
    assert disagreements([first, second]) == {}
    # Three operations have a target (not the floor, the raw SQL or what the build lacks);
    # the project list missed it (15x the floor) in both runs.
    assert agreement([first, second]) == "verdicts agree: yes; missed: 1 of 3"


def test_a_verdict_that_changes_between_runs_is_a_disagreement_and_a_miss():
    first, second = a_run(home_officer=True), a_run(home_officer=False)
    assert disagreements([first, second]) == {"home page (officer)": ["met", "missed"]}
    assert agreement([first, second]) == "verdicts agree: no; missed: 2 of 3"


def test_an_operation_that_failed_counts_as_missed_and_must_fail_in_both_runs_to_agree():
    assert agreement([a_run(board_error=True), a_run(board_error=True)]) == "verdicts agree: yes; missed: 2 of 3"
    assert disagreements([a_run(), a_run(board_error=True)]) == {"board": ["met", "error"]}
    assert agreement([a_run(), a_run(board_error=True)]) == "verdicts agree: no; missed: 2 of 3"
    # A target that could not be judged is a verdict of its own.
    assert agreement([a_run(home_officer=None), a_run()]) == "verdicts agree: no; missed: 1 of 3"


def test_a_report_takes_the_raw_sql_it_took_turns_with_and_misses_over_100_ms_of_cpu():
    # Measured earlier, the raw SQL was fast (a quiet moment); beside the report's own
    # requests it took 200 ms, and that is the one the report is held against.
    rows = {"raw SQL: dashboard": raw_row("raw SQL: dashboard", [0.050] * 3)}
    taken_in_turn = measured("dashboard", cpu=[80.0] * 3, floor_cpu=[2.0] * 3, wall=[0.5] * 3, floor_wall=[0.01] * 3)
    taken_in_turn["raw_times"] = [0.2, 0.21, 0.19]
    row = judged(taken_in_turn, rows)
    assert row["raw_p50_ms"] == 200.0 and row["ratio_to_raw_sql"] == 2.5
    assert row["target"]["met"] is True and row["target"]["value"] == "2.5x raw SQL, 80 ms CPU"
    heavy = measured("dashboard", cpu=[120.0] * 3, floor_cpu=[2.0] * 3, wall=[0.5] * 3, floor_wall=[0.01] * 3)
    heavy["raw_times"] = [0.2, 0.21, 0.19]
    assert judged(heavy, rows)["target"]["met"] is False


def test_the_search_box_is_judged_on_its_median_not_on_its_slowest_requests():
    typed = measured(
        "search box suggestions: hanxin",
        cpu=[15.0] * 5,
        floor_cpu=[2.0] * 5,
        wall=[0.050, 0.060, 0.055, 0.300, 0.250],
        floor_wall=[0.01] * 5,
    )
    row = judged(typed)
    assert row["p95_ms"] == 300.0 and row["target"] == {"rule": "median <= 100 ms", "value": "60 ms", "met": True}
    slow = measured(
        "search box suggestions: hanxin", cpu=[15.0] * 3, floor_cpu=[2.0] * 3, wall=[0.12] * 3, floor_wall=[0.01] * 3
    )
    assert judged(slow)["target"]["met"] is False
