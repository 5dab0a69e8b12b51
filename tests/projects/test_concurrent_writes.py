"""Many clients write one project at once, through the API and the web forms, each in
its own thread with its own database connection: every write is applied or refused as
stale, none is lost, and of many identical stage moves exactly one is applied.

PostgreSQL only: SQLite serialises whole transactions, so there the races prove nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import Project, Stage, StageChange
from tests.factories import ProjectFactory, UserFactory, project_in_stage

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("postgres", "fast_password_hashing")]

# Requests in flight at once: enough to race, few enough to leave connections to others.
IN_FLIGHT = 16


def at_once(calls) -> list:
    """Run each call in its own thread (each thread opens its own connection and closes
    it at the end), released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    gate = threading.BoundedSemaphore(IN_FLIGHT)
    outcomes: list = [None] * len(calls)

    def run(index, call) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call(gate)
        except Exception as error:  # handed to the test, which judges it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a write hung"
    unexpected = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert unexpected == []
    return outcomes


def request(gate, send):
    """One HTTP request, holding a database connection only while it runs."""
    with gate:
        try:
            return send()
        finally:
            connection.close()


@pytest.fixture
def officers(team, transactional_db):
    return [UserFactory(team=team, username=f"officer{i}") for i in range(5)]


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def web_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the API ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_read_modify_writes_lose_nothing(officers):
    project = ProjectFactory(owner=officers[0], jobs=0)
    url = f"/api/v1/projects/{project.pk}/"

    def client_adds_one(user):
        def call(gate):
            client = api_client(user)
            read = request(gate, lambda: client.get(url))
            jobs = read.json()["jobs"]
            written = request(
                gate, lambda: client.patch(url, {"jobs": jobs + 1}, format="json", HTTP_IF_MATCH=read["ETag"])
            )
            return written.status_code

        return call

    codes = at_once([client_adds_one(officers[i % len(officers)]) for i in range(50)])

    counted = Counter(codes)
    assert set(counted) <= {200, 412}, counted
    assert counted[200] >= 1
    stored = Project.objects.get(pk=project.pk)
    # Each applied write added one to what it read: none was lost, none based on a stale read.
    assert stored.jobs == counted[200]
    assert stored.version == 1 + counted[200]
    assert stored.history.count() == 1 + counted[200]


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_stage_moves_are_applied_once_per_transition(officers):
    project = ProjectFactory(owner=officers[0])
    url = f"/api/v1/projects/{project.pk}/change-stage/"
    today = timezone.localdate().isoformat()
    clients = [api_client(officers[i % len(officers)]) for i in range(20)]
    version = 1
    for to_stage in [Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED]:
        body = {"to_stage": to_stage, "on": today, "signed_amount": "48000.00"}

        def move(client, version=version, body=body):
            return lambda gate: (
                request(gate, lambda: client.post(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')).status_code
            )

        codes = Counter(at_once([move(client) for client in clients]))
        assert codes == {200: 1, 412: 19}, (to_stage, codes)
        version += 1
    stored = Project.objects.get(pk=project.pk)
    assert (stored.stage, stored.version, stored.signed_amount) == (Stage.STARTED, 4, Decimal("48000"))
    assert list(StageChange.objects.filter(project=project).order_by("id").values_list("to_stage", flat=True)) == [
        "negotiating",
        "signed",
        "started",
    ]


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_signing_either_lands_before_it_or_is_refused(officers):
    project = project_in_stage("negotiating", owner=officers[0])
    url = f"/api/v1/projects/{project.pk}/"
    a, b = api_client(officers[0]), api_client(officers[1])
    etag = a.get(url)["ETag"]
    connection.close()

    def sign(gate):
        return request(
            gate,
            lambda: b.post(
                f"{url}change-stage/",
                {"to_stage": "signed", "on": timezone.localdate().isoformat(), "signed_amount": "48000.00"},
                format="json",
                HTTP_IF_MATCH=etag,
            ),
        ).status_code

    def clear_amount(gate):
        return request(
            gate,
            lambda: a.patch(url, {"description": "A 的备注", "signed_amount": None}, format="json", HTTP_IF_MATCH=etag),
        ).status_code

    signed, edited = at_once([sign, clear_amount])
    assert sorted([signed, edited]) == [200, 412]
    stored = Project.objects.get(pk=project.pk)
    if signed == 200:
        assert (stored.stage, stored.signed_amount, stored.description) == (Stage.SIGNED, Decimal("48000"), "")
    else:
        assert (stored.stage, stored.description) == (Stage.NEGOTIATING, "A 的备注")
    assert stored.version == 2


# --- the web forms ------------------------------------------------------------------------


def _edit_data(project: Project, **changes) -> dict:
    return {
        "name": project.name,
        "investor": project.investor_id,
        "kind": project.kind,
        "capital_origin": project.capital_origin,
        "total_investment": str(project.total_investment),
        "source_kind": project.source_kind,
        "version": project.version,
        **changes,
    }


@pytest.mark.django_db(transaction=True)
def test_of_many_edits_sent_from_one_version_of_the_form_one_is_saved(officers):
    project = ProjectFactory(owner=officers[0], jobs=0)
    url = reverse("projects:project_update", args=[project.pk])
    clients = [web_client(officers[i % len(officers)]) for i in range(12)]

    def edit(client, number):
        return lambda gate: request(gate, lambda: client.post(url, _edit_data(project, jobs=str(number))))

    responses = at_once([edit(client, number) for number, client in enumerate(clients, start=1)])

    saved = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200]
    assert (len(saved), len(refused)) == (1, 11)
    assert all(r.context["conflict"] for r in refused)  # shown the newer values beside theirs
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == 2
    assert stored.jobs in range(1, 13)


@pytest.mark.django_db(transaction=True)
def test_of_many_identical_moves_from_the_web_stage_form_one_is_applied(officers):
    project = project_in_stage("negotiating", owner=officers[0])
    url = reverse("projects:project_stage", args=[project.pk])
    data = {
        "from_stage": "negotiating",
        "version": 1,
        "to_stage": "signed",
        "on": timezone.localdate().isoformat(),
        "signed_amount": "48000",
    }
    clients = [web_client(officers[i % len(officers)]) for i in range(12)]

    def move(client):
        return lambda gate: request(gate, lambda: client.post(url, data, HTTP_HX_REQUEST="true")).status_code

    codes = Counter(at_once([move(client) for client in clients]))

    assert codes == {204: 1, 200: 11}, codes
    assert StageChange.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).version == 2


@pytest.mark.django_db(transaction=True)
def test_a_web_edit_racing_a_web_signing_never_loses_the_signed_amount(officers):
    project = project_in_stage("negotiating", owner=officers[0])
    opened = Project.objects.get(pk=project.pk)
    editor, signer = web_client(officers[0]), web_client(officers[1])
    stage_data = {
        "from_stage": "negotiating",
        "version": 1,
        "to_stage": "signed",
        "on": timezone.localdate().isoformat(),
        "signed_amount": "48000",
    }

    def sign(gate):
        url = reverse("projects:project_stage", args=[project.pk])
        return request(gate, lambda: signer.post(url, stage_data, HTTP_HX_REQUEST="true")).status_code

    def edit(gate):
        url = reverse("projects:project_update", args=[project.pk])
        return request(gate, lambda: editor.post(url, _edit_data(opened, description="编辑"))).status_code

    signed, edited = at_once([sign, edit])

    assert (signed, edited) in [(204, 200), (200, 302)]
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == 2
    if signed == 204:
        assert (stored.stage, stored.signed_amount, stored.description) == (Stage.SIGNED, Decimal("48000"), "")
    else:
        assert (stored.stage, stored.description) == (Stage.NEGOTIATING, "编辑")
