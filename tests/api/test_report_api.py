"""The report endpoints under /api/v1/reports/: the same numbers as the selectors,
strict query strings, visibility and both languages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.projects.reports.dataset import zone  # noqa: F401

BASE = "/api/v1/reports"


def test_dashboard_json_has_the_exact_funnel(zone, client_for, manager):  # noqa: F811
    response = client_for(manager).get(f"{BASE}/dashboard/", {"year": 2024})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {
        "kind": "year",
        "start": "2024-01-01",
        "end": "2024-12-31",
        "year": 2024,
        "quarter": None,
        "month": None,
        "label": "2024年",
    }
    signed = next(row for row in body["funnel"]["rows"] if row["stage"] == "signed")
    assert (signed["count"], signed["investment_yi"]) == (7, 177.7)
    assert signed["links"]["count"].endswith("?signed_after=2024-01-01&signed_before=2024-12-31")
    assert {table["key"] for table in body["splits"]} == {
        "tier",
        "cluster",
        "park",
        "capital_origin",
        "source",
        "team",
        "officer",
    }
    assert [column["key"] for column in body["funnel"]["columns"]] == ["stage", "label", "count", "investment_yi"]
    assert len(body["trend"]["rows"]) == 12


def test_an_officers_dashboard_json_leaves_out_another_teams_secret(zone, client_for, officer):  # noqa: F811
    body = client_for(officer).get(f"{BASE}/dashboard/", {"year": 2024}).json()
    signed = next(row for row in body["funnel"]["rows"] if row["stage"] == "signed")
    assert (signed["count"], signed["investment_yi"]) == (6, 147.7)
    assert "绝密" not in str(body)


def test_review_json_in_english_and_chinese(zone, client_for, manager):  # noqa: F811
    response = client_for(manager).get(f"{BASE}/review/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert body["paragraph"].startswith("In 2024, 5 new projects of 100M yuan or more were signed")
    assert body["paragraphs"]["zh_hans"].startswith("2024年新批亿元以上项目5个，总投资169.2亿元")
    assert body["above_threshold_yi"] == 169.2
    started = next(row for row in body["milestones"]["rows"] if row["stage"] == "started")
    assert started["late_projects"] == [
        {
            "project_id": zone.projects["P2"].pk,
            "name": "P2 传感器产线",
            "planned": "2024-05-15",
            "reached": None,
            "days_late": 31,
        }
    ]
    assert started["late"] == "P2 传感器产线 (31 days late)"
    chinese = client_for(manager).get(f"{BASE}/review/", {"year": 2024}).json()
    assert chinese["paragraph"] == chinese["paragraphs"]["zh_hans"]


def test_supervision_json_sorted_and_filtered(zone, client_for, manager, officer):  # noqa: F811
    rows = client_for(manager).get(f"{BASE}/supervision/", {"ordering": "days_late"}).json()["rows"]
    assert [(row["project"], row["days_late"], row["level"]) for row in rows] == [
        ("P2 传感器产线", 31, "yellow"),
        ("P11 绝密逾期", 166, "red"),
    ]
    assert rows[0]["replans"][0]["old_date"] == "2024-03-01"
    assert rows[0]["last_contact"] == "2024-06-01"
    mine = client_for(officer).get(f"{BASE}/supervision/").json()["rows"]
    assert [row["project"] for row in mine] == ["P2 传感器产线"]


def test_missions_and_scorecards_json(zone, client_for, officer):  # noqa: F811
    missions = client_for(officer).get(f"{BASE}/missions/", {"year": 2024}).json()
    japan = next(row for row in missions["missions"]["rows"] if row["title"] == "日韩专题招商")
    assert (japan["visits"], japan["projects"], japan["signed"], japan["visit_to_project"]) == (3, 2, 1, 66.7)
    scorecards = client_for(officer).get(f"{BASE}/scorecards/", {"year": 2024}).json()
    assert [row["name"] for row in scorecards["officers"]["rows"]] == ["zhang"]
    assert scorecards["officers"]["rows"][0]["signed_yi"] == 23.5


def test_targets_json(zone, client_for, manager):  # noqa: F811
    from tests.projects.reports.test_supervision_missions_scorecards import _targets

    _targets()
    rows = client_for(manager).get(f"{BASE}/targets/").json()["rows"]
    signed = next(row for row in rows if row["metric"] == "signed_investment")
    assert (signed["actual"], signed["done_pct"], signed["time_pct"], signed["on_track"]) == (
        169.7,
        33.9,
        45.6,
        False,
    )


@pytest.mark.parametrize(
    "query",
    [
        "year=2024&year=2025",
        "year=1999",
        "year=twenty",
        "quarter=0",
        "month=13",
        "quarter=1&month=1",
        "start=2024-01-01",
        "start=2024-03-01&end=2024-02-01",
        "start=2024-02-30&end=2024-03-01",
        "year=2024&start=2024-01-01&end=2024-02-01",
    ],
)
def test_a_bad_period_answers_400_with_the_parameter_named(db, client_for, manager, query):
    response = client_for(manager).get(f"{BASE}/dashboard/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] in {"year", "quarter", "month", "start", "end"}


@pytest.mark.parametrize("query", ["ordering=nonsense", "level=purple", "major=yes", "ordering=owner&ordering=project"])
def test_bad_supervision_parameters_answer_400(db, client_for, manager, query):
    assert client_for(manager).get(f"{BASE}/supervision/?{query}").status_code == 400


@pytest.mark.parametrize("name", ["dashboard", "review", "supervision", "missions", "scorecards", "targets"])
def test_reports_need_a_login_and_refuse_writes(db, client_for, manager, name):
    assert APIClient().get(f"{BASE}/{name}/").status_code in (401, 403)
    assert client_for(manager).post(f"{BASE}/{name}/", {}, format="json").status_code == 405


def test_reports_are_in_the_schema_with_summaries(db, client_for, manager):
    schema = client_for(manager).get("/api/schema/?format=json").json()
    for name in ("dashboard", "review", "supervision", "missions", "scorecards", "targets"):
        operation = schema["paths"][f"{BASE}/{name}/"]["get"]
        assert operation["summary"]
        assert "200" in operation["responses"]


def test_dashboard_endpoint_query_count_is_fixed(zone, client_for, manager):  # noqa: F811
    client = client_for(manager)
    client.get(f"{BASE}/dashboard/", {"year": 2024})  # warm: session, language
    with CaptureQueriesContext(connection) as context:
        client.get(f"{BASE}/dashboard/", {"year": 2024})
    assert len(context.captured_queries) <= 16
