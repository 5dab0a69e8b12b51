"""Admin lists at scale: no full COUNT(*) of a large table (an estimate, shown as
"about ..."), exact lengths for small or filtered lists, and no query per row."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.admin import OrganisationAdmin
from crm.models import Contact, Organisation, Visit
from projects.admin import ProjectAdmin
from projects.models import Project
from tests.factories import OrganisationFactory, ProjectFactory
from tests.test_admin import add_rows, admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def read_as(client, user, language: str = "en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def organisations_list(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(Organisation, "changelist"), params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries]


def paginator_line(response) -> str:
    html = response.content.decode()
    line = re.search(r'<p class="paginator">(.*?)</p>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", line).split())


def full_counts(sqls: list[str]) -> list[str]:
    """COUNT queries that are not capped by a LIMIT: a count of every matching row."""
    return [sql for sql in sqls if re.match(r"SELECT COUNT\(", sql, re.I) and "LIMIT" not in sql.upper()]


# --- SQLite (and any other database): exact ---------------------------------------


@pytest.mark.sqlite_only
def test_lists_count_exactly_off_postgresql(admin_user, client, settings):
    # The exact path is for databases without planner statistics.
    settings.ADMIN_EXACT_COUNT_LIMIT = 3
    OrganisationFactory.create_batch(7)
    response, _ = organisations_list(read_as(client, admin_user))
    assert response.context["cl"].result_count == 7
    assert paginator_line(response) == "7 organisations"


# --- PostgreSQL: the planner's estimate past the limit ------------------------------


@pytest.fixture
def twenty_organisations(postgres, settings, monkeypatch):
    settings.ADMIN_EXACT_COUNT_LIMIT = 5
    monkeypatch.setattr(OrganisationAdmin, "list_per_page", 4)
    OrganisationFactory.create_batch(19)
    OrganisationFactory(name="村田制作所")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Organisation._meta.db_table}")


@pytest.mark.postgres_only
def test_a_long_list_shows_an_estimate_and_never_counts_every_row(twenty_organisations, admin_user, client):
    response, sqls = organisations_list(read_as(client, admin_user))
    paginator = response.context["cl"].paginator
    assert paginator.count_is_estimate
    assert "about 20 organisations" in paginator_line(response)
    assert full_counts(sqls) == []
    # Django's second count of the whole table ("N total") is not run either.
    assert response.context["cl"].full_result_count is None


@pytest.mark.postgres_only
def test_the_estimate_reads_in_chinese(twenty_organisations, admin_user, client):
    response, _ = organisations_list(read_as(client, admin_user, "zh-hans"))
    assert "约 20" in paginator_line(response)


@pytest.mark.postgres_only
def test_pages_of_an_estimated_list_still_open(twenty_organisations, admin_user, client):
    client = read_as(client, admin_user)
    first, _ = organisations_list(client)
    assert 'href="?p=2"' in first.content.decode()
    second, _ = organisations_list(client, p=2)
    last, _ = organisations_list(client, p=5)
    assert len(second.context["cl"].result_list) == 4
    assert len(last.context["cl"].result_list) == 4
    assert not set(first.context["cl"].result_list) & set(second.context["cl"].result_list)


@pytest.mark.postgres_only
def test_a_search_down_to_a_few_rows_is_counted_exactly(twenty_organisations, admin_user, client):
    response, sqls = organisations_list(read_as(client, admin_user), q="村田")
    assert not response.context["cl"].paginator.count_is_estimate
    assert paginator_line(response) == "1 organisation"
    assert "1 result" in response.content.decode()


@pytest.mark.postgres_only
def test_a_filter_that_keeps_many_rows_is_estimated_too(twenty_organisations, admin_user, client):
    response, sqls = organisations_list(read_as(client, admin_user), kind__exact=Organisation.Kind.COMPANY)
    assert response.context["cl"].paginator.count_is_estimate
    assert re.search(r"about \d+ results", response.content.decode())
    assert full_counts(sqls) == []


@pytest.mark.postgres_only
def test_an_officers_project_list_is_estimated_and_still_pages(postgres, settings, officer, client, monkeypatch):
    """The project list is narrowed to what the officer may see; past the limit it too
    shows an estimate, and its pages open."""
    settings.ADMIN_EXACT_COUNT_LIMIT = 5
    monkeypatch.setattr(ProjectAdmin, "list_per_page", 4)
    ProjectFactory.create_batch(12, owner=officer)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Project._meta.db_table}")
    client = read_as(client, officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(Project, "changelist"))
    cl = response.context["cl"]
    assert cl.paginator.count_is_estimate
    assert cl.result_count > 5
    assert re.search(r"about \d+ projects", paginator_line(response))
    assert full_counts([q["sql"] for q in queries]) == []
    second = client.get(admin_url(Project, "changelist"), {"p": 2})
    assert len(second.context["cl"].result_list) == 4


@pytest.mark.postgres_only
def test_the_actions_bar_offers_all_about_n(postgres, settings, admin_user, client):
    settings.ADMIN_EXACT_COUNT_LIMIT = 5
    ProjectFactory.create_batch(120)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Project._meta.db_table}")
    html = read_as(client, admin_user).get(admin_url(Project, "changelist")).content.decode()
    assert re.search(r"Select all about \d+ projects", html)
    assert re.search(r"All about \d+ selected", html)


# --- no query per row ---------------------------------------------------------------


def test_every_list_costs_the_same_for_10_and_60_rows(reminder_rules, admin_user, client):
    """Every changelist, and above all the project, organisation, visit and contact lists
    (the ones an office holds a million of), runs the same queries for 10 rows and 60."""
    client = read_as(client, admin_user)
    urls = {model._meta.label: admin_url(model, "changelist") for model in admin.site._registry}
    shown: dict[str, int] = {}

    def queries_per_list() -> dict[str, int]:
        # The session's "last seen" is saved once a minute; adding rows may take that long.
        client.get(reverse("admin:index"))
        counts = {}
        for label, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, label
            counts[label] = len(queries)
            shown[label] = len(response.context["cl"].result_list)
        return counts

    add_rows(10)
    queries_per_list()  # warm caches (content types, sessions)
    few, shown_few = queries_per_list(), dict(shown)
    add_rows(50)
    many = queries_per_list()
    assert many == few
    for model in (Project, Organisation, Visit, Contact):
        label = model._meta.label
        assert shown[label] > shown_few[label] >= 10, label
