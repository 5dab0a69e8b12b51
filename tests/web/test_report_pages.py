"""The report pages: numbers linked to the project list, both paragraphs, the supervision
list sortable, no inline scripts (a strict Content-Security-Policy is coming)."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation

from tests.projects.reports.dataset import zone  # noqa: F401

PAGES = ["/reports/", "/reports/review/", "/reports/supervision/", "/reports/missions/", "/reports/scorecards/"]
# A script element without src, other than json_script's data (not executable).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("url", PAGES)
def test_report_pages_open_for_an_officer_without_inline_scripts(zone, client, officer, url):  # noqa: F811
    client.force_login(officer)
    response = client.get(url, {"year": 2024} if url != "/reports/supervision/" else {})
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)
    assert "绝密" not in html  # another team's confidential projects never show


@pytest.mark.parametrize("url", PAGES)
def test_report_pages_need_a_login(db, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_numbers_link_to_the_filtered_project_list(zone, client, manager):  # noqa: F811
    client.force_login(manager)
    html = client.get("/reports/", {"year": 2024}).content.decode()
    assert '<a href="/projects/?signed_after=2024-01-01&amp;signed_before=2024-12-31">7</a>' in html
    assert 'data-source="/api/v1/reports/dashboard/?year=2024"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html


def test_dashboard_shows_target_and_time_progress(zone, client, manager):  # noqa: F811
    from tests.projects.reports.test_supervision_missions_scorecards import _targets

    _targets()
    client.force_login(manager)
    with translation.override("en"):
        html = client.get("/reports/", {"year": 2024}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2024年签约投资500亿元" in html
    assert "<strong>33.9%</strong>" in html
    assert "<strong>45.6%</strong>" in html


def test_review_page_shows_both_paragraphs_and_the_late_ones(zone, client, manager):  # noqa: F811
    client.force_login(manager)
    html = client.get("/reports/review/", {"year": 2024}).content.decode()
    assert "2024年新批亿元以上项目5个，总投资169.2亿元，其中100亿元以上项目1个" in html
    assert "In 2024, 5 new projects of 100M yuan or more were signed" in html
    assert "P2 传感器产线（逾期31天）" in html


def test_supervision_page_sorts_by_a_column(zone, client, manager):  # noqa: F811
    client.force_login(manager)
    html = client.get("/reports/supervision/", {"ordering": "days_late"}).content.decode()
    assert html.index("P2 传感器产线") < html.index("P11 绝密逾期")
    html = client.get("/reports/supervision/", {"ordering": "-days_late"}).content.decode()
    assert html.index("P11 绝密逾期") < html.index("P2 传感器产线")
    assert "土地指标延后" in html  # the re-plan history


def test_a_bad_period_shows_a_warning_and_this_year(zone, client, manager):  # noqa: F811
    client.force_login(manager)
    response = client.get("/reports/", {"year": "abc"})
    assert response.status_code == 200
    assert response.context["period_errors"]
    assert response.context["period"].year == 2024


def test_the_charts_data_on_the_page_is_the_endpoints_document(zone, client, manager):  # noqa: F811
    """The page embeds the endpoint's document, cut to what its charts draw: the funnel,
    the months, and the cluster split's signed values (each with the link of its bar)."""
    client.force_login(manager)
    html = client.get("/reports/", {"year": 2024}).content.decode()
    embedded = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert embedded
    page = json.loads(embedded.group(1))
    endpoint = client.get("/api/v1/reports/dashboard/", {"year": 2024}).json()
    assert {key: page[key] for key in ("period", "funnel", "trend", "targets")} == {
        key: endpoint[key] for key in ("period", "funnel", "trend", "targets")
    }
    assert [table["key"] for table in page["splits"]] == ["cluster"]
    [cluster] = [table for table in endpoint["splits"] if table["key"] == "cluster"]
    signed = [row for row in cluster["rows"] if row["signed_count"]]
    assert signed
    assert [(row["label"], row["signed_yi"], row["links"]) for row in page["splits"][0]["rows"]] == [
        (row["label"], row["signed_yi"], {"signed_yi": row["links"]["signed_yi"]}) for row in signed
    ]
