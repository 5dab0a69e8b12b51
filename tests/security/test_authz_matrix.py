"""The authorization matrix: every URL of the web pages, the API and the admin, for every
role, against a record the user cannot see, one they may read and one they may change,
with every method the view accepts.

The URLs come from the URLconf (walked recursively) and, for the API, from the OpenAPI
schema; each must be named in CLASSIFIED below (or, for the admin, its model in
ADMIN_MODELS), so a new page nobody classified fails the suite with its name.

Expected answers:
- hidden (a confidential project of another team): 404, the same as an id nobody has;
- may read: 200 on reads, 403 on writes;
- may change: 200/201/204/302 (400 when the empty test input is refused as input:
  authorization let it through);
- anonymous: a redirect to the login page (web, admin), 401/403 (API).

The records all belong to team A, owned by `officer`; `other_officer` and
`other_manager` are team B. Every cell runs in a transaction rolled back afterwards,
so a write that succeeds does not change what the next cell sees.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import AgreementDocument
from chains.models import ChainTarget, IndustryMember
from claims.models import Collision
from claims.services import claim_register
from core.models import Notification, User
from crm.models import Industry, Qualification, Visit
from crm.services import visit_save
from funds.models import FundsEntry
from problems.models import Department as ProblemDepartment
from problems.models import Problem
from projects.models import Project, Replan, StageChange
from projects.services import project_change_stage, project_replan
from tests.agreements.helpers import make_agreement, signed_project
from tests.factories import (
    ContactFactory,
    IndustryFactory,
    MissionFactory,
    OrganisationFactory,
    ParkFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
    VisitFactory,
    project_in_stage,
)
from tests.test_admin import add_rows
from transfer.models import ImportJob

ROLES = ("officer", "other_officer", "manager", "other_manager", "admin", "anonymous")
LOGGED_IN = ROLES[:-1]
MISSING = 987654321

# Access levels: not there for this user (404), read only (writes 403), may change,
# refused outright (403 on every method: a page for admins only).
HIDDEN, READ, EDIT, DENIED = "hidden", "read", "edit", "denied"
# An id nobody has, of data everybody reads (reference data): reads 404, writes 403.
MISSING_READ = "missing, read only"

# Who may do what with each kind of object (team A's, owned by `officer`).
TEAM_A_RECORD = {"officer": EDIT, "other_officer": READ, "manager": EDIT, "other_manager": READ, "admin": EDIT}
ACCESS = {
    # kind -> object label -> role -> level
    "project": {
        "own": TEAM_A_RECORD,
        "secret": {"officer": EDIT, "other_officer": HIDDEN, "manager": EDIT, "other_manager": READ, "admin": EDIT},
    },
    "record": {"own": TEAM_A_RECORD},
    # A project's funds entries: as hidden as the project, changed by its team (its
    # officers delete them too, unlike projects).
    "funds": {
        "own": TEAM_A_RECORD,
        "secret": {"officer": EDIT, "other_officer": HIDDEN, "manager": EDIT, "other_manager": READ, "admin": EDIT},
    },
    # Private to one user (notifications, import jobs): nobody else sees them, admins included.
    "private": {
        "own": {"officer": EDIT, "other_officer": HIDDEN, "manager": HIDDEN, "other_manager": HIDDEN, "admin": HIDDEN}
    },
    # A chain target added by `officer`: any manager or admin may take it off too.
    "target": {"own": {"officer": EDIT, "other_officer": READ, "manager": EDIT, "other_manager": EDIT, "admin": EDIT}},
    # An industry's items: its team, managers and admins keep them; other officers read.
    "industry_items": {
        "own": {"officer": READ, "other_officer": READ, "manager": EDIT, "other_manager": EDIT, "admin": EDIT}
    },
    # Reference data: everybody reads, admins change.
    "reference": {
        "own": {"officer": READ, "other_officer": READ, "manager": READ, "other_manager": READ, "admin": EDIT}
    },
    # Any logged-in user, nothing private.
    "user": {"any": {role: EDIT for role in LOGGED_IN}},
    # Admins only; the others are refused (403).
    "admin_only": {
        "any": {"officer": DENIED, "other_officer": DENIED, "manager": DENIED, "other_manager": DENIED, "admin": EDIT}
    },
    # Deciding a collision between teams A and B: a manager of both, or an admin.
    "arbitration": {
        "own": {"officer": READ, "other_officer": READ, "manager": READ, "other_manager": READ, "admin": EDIT}
    },
    # Deleting a project: a manager of its team or an admin.
    "project_delete": {
        "own": {"officer": READ, "other_officer": READ, "manager": EDIT, "other_manager": READ, "admin": EDIT},
        "secret": {"officer": READ, "other_officer": HIDDEN, "manager": EDIT, "other_manager": READ, "admin": EDIT},
    },
}

READS = {"GET"}
ALLOWED = {200, 201, 204, 302}
ALLOWED_WRITE = ALLOWED | {400}


# --- The world: built once for the module ------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, dict[str, object]] = field(default_factory=dict)  # kind -> label -> object
    clients: dict[tuple[str, bool], Client] = field(default_factory=dict)


def build_world() -> World:
    today = timezone.localdate()
    team_a, team_b = TeamFactory(name="日韩招商组"), TeamFactory(name="欧洲招商组")
    users = {
        "officer": UserFactory(username="zhang", role=User.Role.OFFICER, team=team_a),
        "other_officer": UserFactory(username="wang", role=User.Role.OFFICER, team=team_b),
        "manager": UserFactory(username="boss", role=User.Role.MANAGER, team=team_a),
        "other_manager": UserFactory(username="chief", role=User.Role.MANAGER, team=team_b),
        "admin": UserFactory(username="root", role=User.Role.ADMIN, team=None),
    }
    officer = users["officer"]
    organisation = OrganisationFactory(owner=officer)
    contact = ContactFactory(organisation=organisation)
    mission = MissionFactory(owner=officer)
    visit = VisitFactory(organisation=organisation, owner=officer, follow_up_on=today)
    visit.officers.add(officer)
    project = project_in_stage(
        "lead", owner=officer, investor=organisation, signed_planned=today + dt.timedelta(days=30)
    )
    project_change_stage(project=project, to_stage="negotiating", on=today, by=officer)
    project_replan(project=project, stage="signed", new_date=today + dt.timedelta(days=60), reason="推迟", by=officer)
    secret = ProjectFactory(
        name="绝密扩产项目",
        owner=officer,
        investor=organisation,
        is_confidential=True,
        signed_planned=today + dt.timedelta(days=30),
    )
    project_change_stage(project=secret, to_stage="negotiating", on=today, by=officer)
    project_replan(project=secret, stage="signed", new_date=today + dt.timedelta(days=60), reason="推迟", by=officer)
    # Both came in by an import that knew no lead date: the owner may complete it.
    Project.objects.filter(pk__in=[project.pk, secret.pk]).update(lead_on=None, undated_stages="lead")
    cluster = IndustryFactory(name="化合物半导体", level=Industry.Level.CLUSTER, category=Industry.Category.FUTURE)
    chain = IndustryFactory(
        name="化合物半导体链", level=Industry.Level.CHAIN, parent=cluster, category=cluster.category
    )
    link = IndustryFactory(name="衬底", level=Industry.Level.LINK, parent=chain, category=cluster.category)
    target = ChainTarget.objects.create(link=link, organisation=organisation, added_by=officer)
    member = IndustryMember.objects.create(
        industry=cluster, item=IndustryMember.Item.INSTITUTE, organisation=organisation
    )
    notification = Notification.objects.create(recipient=officer, key="matrix", title="跟进提醒")
    job = ImportJob.objects.create(kind="organisations", user=officer, filename="orgs.xlsx", content=b"")
    Qualification.objects.create(organisation=organisation, kind=Qualification.Kind.HIGH_TECH, year=2023)
    funds = FundsEntry.objects.create(project=project, month=today.replace(day=1), amount=100, entered_by=officer)
    secret_funds = FundsEntry.objects.create(project=secret, month=today.replace(day=1), amount=100, entered_by=officer)
    # Agreements: of a producing project of team A and of a confidential one; and two
    # signed projects still without one (the form that records it).
    agreement = make_agreement(signed_project(officer, investor=organisation), officer)
    secret_agreement = make_agreement(
        signed_project(officer, investor=organisation, is_confidential=True, name="绝密达产项目"), officer
    )
    documents = {}
    for label, signed in (("own", agreement), ("secret", secret_agreement)):
        documents[label] = AgreementDocument(
            agreement=signed, title="投资协议", original_name="a.pdf", file_type="pdf", size=9, uploaded_by=officer
        )
        documents[label].file.save("a.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        documents[label].save()
    unrecorded = {
        "own": signed_project(officer, stage="signed", investor=organisation),
        "secret": signed_project(officer, stage="signed", investor=organisation, is_confidential=True),
    }
    responsible = ProblemDepartment.objects.create(name="生态环境局")
    problems = {
        label: Problem.objects.create(
            project=on,
            title="环评批复",
            kind="environment",
            raised_on=today,
            raised_by=officer,
            department=responsible,
            due_on=today + dt.timedelta(days=30),
        )
        for label, on in (("own", project), ("secret", secret))
    }
    add_rows(1)  # one row of every other kind the admin shows
    claim = claim_register(organisation=organisation, team=team_a, first_contact_on=today, by=officer)
    visit_save(visit=Visit(organisation=organisation, date=today, summary="欧洲组拜访"), by=users["other_officer"])
    collision = Collision.objects.get(claim=claim)
    for obj in (organisation, contact, mission, visit, project, secret):
        obj.refresh_from_db()
    world = World(users=users)
    world.objects = {
        "project": {"own": project, "secret": secret},
        "organisation": {"own": organisation},
        "contact": {"own": contact},
        "mission": {"own": mission},
        "visit": {"own": visit},
        "notification": {"own": notification},
        "job": {"own": job},
        "target": {"own": target},
        "member": {"own": member},
        "cluster": {"own": cluster},
        "industry": {"own": IndustryFactory()},
        "park": {"own": ParkFactory()},
        "stagechange": {
            "own": StageChange.objects.get(project=project),
            "secret": StageChange.objects.get(project=secret),
        },
        "replan": {"own": Replan.objects.get(project=project), "secret": Replan.objects.get(project=secret)},
        "team": {"own": team_a},
        "user": {"own": officer},
        "qualification": {"own": Qualification.objects.get(organisation=organisation)},
        "collision": {"own": collision},
        "funds": {"own": funds, "secret": secret_funds},
        "agreement": {"own": agreement, "secret": secret_agreement},
        "check": {"own": agreement.checks.first(), "secret": secret_agreement.checks.first()},
        "agreement_document": documents,
        "signed_project": unrecorded,
        "problem": problems,
        "problem_department": {"own": responsible},
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for role in ROLES:
            for api in (False, True):
                client_for(world, role, api)
        yield world
        transaction.set_rollback(True)


# --- Classification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one URL is checked.

    access: a key of ACCESS; obj: the World object the URL names (kwargs gives the URL's
    arguments from it), None for a URL that names no record; methods: what the view accepts.
    public: open to anonymous users too (login pages, health check).
    """

    access: str
    methods: tuple[str, ...] = ("GET",)
    obj: str | None = None
    kwargs: object = None  # callable(obj_or_None) -> dict
    public: bool = False
    form: bool = False  # an edit form: opening it (GET) is refused like saving it
    json: bool = False  # answers scripts: anonymous gets 401/403, not the login page
    roles: tuple[str, ...] = ROLES


def pk(obj):
    return {"pk": obj.pk}


PUBLIC = Rule("user", public=True)

# Every named web and API URL. Values: a Rule; None for URLs covered by the API schema
# (their cells come from SCHEMA_RULES) or by the admin part (ADMIN_MODELS).
CLASSIFIED: dict[str, Rule | None] = {
    "healthz": PUBLIC,
    "favicon": PUBLIC,  # a redirect to the icon among the static files
    "set_language": Rule("user", ("POST",), public=True),
    "login": Rule("user", ("GET", "POST"), public=True),
    "login_code": Rule("user", ("GET", "POST"), public=True),
    "two_factor_enrol": Rule("user", ("GET", "POST"), public=True),
    "logout": Rule("user", ("POST",), public=True),
    "account_security": Rule("user", ("GET", "POST")),
    "password_change": Rule("user", ("GET", "POST")),
    "password_change_done": Rule("user"),
    "home": Rule("user"),
    # Notifications: private to their recipient.
    "notifications:list": Rule("user"),
    "notifications:count": Rule("user", json=True),
    "notifications:mark_read": Rule("user", ("POST",)),
    "notifications:email": Rule("user", ("POST",)),
    "notifications:open": Rule("private", obj="notification", kwargs=pk),
    # CRM.
    # The header's search (finder): every user; what it lists is narrowed inside (hidden projects never shown).
    "finder:search": Rule("user"),
    "finder:suggest": Rule("user"),
    "crm:organisation_list": Rule("user"),
    "crm:organisation_create": Rule("user", ("GET", "POST")),
    "crm:organisation_autocomplete": Rule("user"),
    "crm:organisation_similar": Rule("user"),
    "crm:organisation_detail": Rule("record", obj="organisation", kwargs=pk),
    "crm:organisation_edit": Rule("record", ("GET", "POST"), obj="organisation", kwargs=pk, form=True),
    # Anyone may add a contact (their own) to any organisation.
    "crm:contact_create": Rule("user", ("GET", "POST"), obj="organisation", kwargs=lambda o: {"organisation_pk": o.pk}),
    "crm:contact_list": Rule("user"),
    "crm:contact_edit": Rule("record", ("GET", "POST"), obj="contact", kwargs=pk, form=True),
    "crm:mission_list": Rule("user"),
    "crm:mission_detail": Rule("record", obj="mission", kwargs=pk),
    "crm:mission_autocomplete": Rule("user"),
    "crm:officer_autocomplete": Rule("user"),
    "crm:visit_list": Rule("user"),
    "crm:visit_create": Rule("user", ("GET", "POST")),
    "crm:visit_contacts": Rule("user"),
    "crm:visit_edit": Rule("record", ("GET", "POST"), obj="visit", kwargs=pk, form=True),
    "crm:visit_follow_up_done": Rule("record", ("POST",), obj="visit", kwargs=pk),
    # Projects.
    "projects:my_work": Rule("user"),
    "projects:project_list": Rule("user"),
    "projects:board": Rule("user"),
    "projects:board_column": Rule("user", kwargs=lambda o: {"stage": "lead"}),
    "projects:project_create": Rule("user", ("GET", "POST")),
    "projects:investor_options": Rule("user"),
    "projects:project_detail": Rule("project", obj="project", kwargs=pk),
    "projects:project_update": Rule("project", ("GET", "POST"), obj="project", kwargs=pk, form=True),
    "projects:project_stage": Rule("project", ("GET", "POST"), obj="project", kwargs=pk, form=True),
    "projects:project_replan": Rule(
        "project", ("POST",), obj="project", kwargs=lambda o: {"pk": o.pk, "stage": "signed"}
    ),
    "projects:project_complete_date": Rule(
        "project", ("POST",), obj="project", kwargs=lambda o: {"pk": o.pk, "stage": "lead"}
    ),
    # Splitting a project's credit: a manager of its team or an admin (others read it).
    "projects:project_credit": Rule("project_delete", ("GET", "POST"), obj="project", kwargs=pk, form=True),
    # Reports.
    "reports:dashboard": Rule("user"),
    "reports:dashboard_split": Rule("user", kwargs=lambda o: {"key": "cluster"}),
    "reports:review": Rule("user"),
    "reports:supervision": Rule("user"),
    "reports:missions": Rule("user"),
    "reports:scorecards": Rule("user"),
    "reports:losses": Rule("user"),
    "reports:weekly": Rule("user"),
    # Import and export: an import job is its user's own.
    "transfer:import": Rule("user", ("GET", "POST"), kwargs=lambda o: {"kind": "organisations"}),
    "transfer:template": Rule("user", kwargs=lambda o: {"kind": "organisations"}),
    "transfer:job": Rule("private", obj="job", kwargs=pk),
    "transfer:job_progress": Rule("private", obj="job", kwargs=pk),
    "transfer:job_commit": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:job_cancel": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:job_retry": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:job_columns": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:export": Rule("user", kwargs=lambda o: {"name": "organisations"}),
    "transfer:export_report": Rule("user", kwargs=lambda o: {"name": "dashboard"}),
    # The admin's password form of a user: admins only (the rest of the admin: ADMIN_MODELS).
    "admin:auth_user_password_change": Rule(
        "admin_only", ("GET", "POST"), obj="user", kwargs=lambda o: {"id": o.pk}, form=True
    ),
    # Merging organisations: admins only.
    "transfer:merge_start": Rule(
        "admin_only", ("GET", "POST"), obj="organisation", kwargs=lambda o: {"organisation_id": o.pk}
    ),
    "transfer:merge_list": Rule("admin_only"),
    "transfer:merge_undo": Rule("admin_only", ("POST",), obj="merge", kwargs=pk),
    # The industry workbench.
    "chains:industry_list": Rule("user"),
    "chains:industry_detail": Rule("user", obj="cluster", kwargs=pk),
    "chains:chain_map": Rule("user", obj="cluster", kwargs=pk),
    "chains:chain_map_export": Rule("user", obj="cluster", kwargs=pk),
    "chains:target_add": Rule("user", ("POST",), obj="cluster", kwargs=pk),
    "chains:target_remove": Rule("target", ("POST",), obj="target", kwargs=pk),
    "chains:organisation_options": Rule("user"),
    "chains:member_add": Rule("industry_items", ("POST",), obj="cluster", kwargs=pk),
    "chains:member_remove": Rule("industry_items", ("POST",), obj="member", kwargs=pk),
    "chains:document_upload": Rule("industry_items", ("POST",), obj="cluster", kwargs=pk),
    "chains:document_download": Rule("user", obj="document", kwargs=pk),
    # First-contact registration: anyone registers for their own team (the form offers
    # only those); anyone reads the list (managers also see the collisions); a manager
    # of both teams or an admin decides a collision.
    "claims:claim_list": Rule("user"),
    "claims:claim_register": Rule(
        "user", ("GET", "POST"), obj="organisation", kwargs=lambda o: {"organisation_pk": o.pk}
    ),
    "claims:collision_decide": Rule("arbitration", ("POST",), obj="collision", kwargs=pk),
    # Funds in place: a project's funds page (its team records a month there), removing
    # an entry, the monthly report (everyone, counting what they may see).
    "funds:project_funds": Rule("project", ("GET", "POST"), obj="project", kwargs=pk),
    "funds:entry_delete": Rule("funds", ("POST",), obj="funds", kwargs=pk),
    "funds:monthly_report": Rule("user"),
    # Agreements: as visible as their project, written by its team.
    "agreements:check_list": Rule("user"),
    "agreements:check_list_export": Rule("user"),
    "agreements:check_record": Rule("project", ("POST",), obj="check", kwargs=pk),
    "agreements:agreement_create": Rule(
        "project", ("GET", "POST"), obj="signed_project", kwargs=lambda p: {"project_pk": p.pk}, form=True
    ),
    "agreements:agreement_update": Rule("project", ("GET", "POST"), obj="agreement", kwargs=pk, form=True),
    "agreements:document_upload": Rule("project", ("POST",), obj="agreement", kwargs=pk),
    "agreements:document_download": Rule("project", obj="agreement_document", kwargs=pk),
    # Problems and asks: as hidden as their project; its team changes them.
    "problems:problem_list": Rule("user"),
    "problems:problem_export": Rule("user"),
    "problems:problem_detail": Rule("project", obj="problem", kwargs=pk),
    "problems:problem_edit": Rule("project", ("GET", "POST"), obj="problem", kwargs=pk, form=True),
    "problems:problem_status": Rule("project", ("POST",), obj="problem", kwargs=pk),
    "problems:problem_create": Rule(
        "project", ("GET", "POST"), obj="project", kwargs=lambda o: {"project_pk": o.pk}, form=True
    ),
    "problems:aftercare_visit": Rule(
        "project", ("GET", "POST"), obj="project", kwargs=lambda o: {"project_pk": o.pk}, form=True
    ),
    # A calendar app's address: its token is the key, whoever asks (logged in or not);
    # a wrong, renewed or revoked token answers 404: tests/outbound/test_calendar.py.
    "calendar_feed": None,
    # API: the token endpoint, the docs; the rest comes from the schema.
    "api:token": Rule("user", ("POST",), public=True),
    # The schema takes seconds to build: one logged-in role is enough, it holds no records.
    "api:schema": Rule("user", roles=("officer", "anonymous")),
    "api:docs": Rule("user"),
    "api:redoc": Rule("user"),
    "api:redoc_bundle": PUBLIC,  # the ReDoc script itself: no record, no secret
    "api:": None,  # the API's catch-all 404
}

# API paths of the schema: path prefix -> (access kind, World object).
SCHEMA_RULES = {
    "/api/v1/organisations/": ("record", "organisation"),
    "/api/v1/contacts/": ("record", "contact"),
    "/api/v1/missions/": ("record", "mission"),
    "/api/v1/visits/": ("record", "visit"),
    "/api/v1/projects/": ("project", "project"),
    "/api/v1/projects/{id}/credit/": ("project_delete", "project"),
    "/api/v1/stage-changes/": ("project", "stagechange"),
    "/api/v1/replans/": ("project", "replan"),
    "/api/v1/funds/": ("funds", "funds"),
    "/api/v1/industries/": ("reference", "industry"),
    "/api/v1/parks/": ("reference", "park"),
    "/api/v1/notifications/": ("private", "notification"),
    "/api/v1/reports/": ("user", None),
    "/api/v1/agreements/": ("project", "agreement"),
    "/api/v1/promise-checks/": ("project", "check"),
    "/api/v1/problems/": ("project", "problem"),
    "/api/v1/problem-departments/": ("reference", "problem_department"),
    "/api/v1/auth/token/": None,  # in CLASSIFIED
}


# What an id nobody has answers, by the level the user has on the kind's records.
MISSING_LEVEL = {DENIED: "denied or missing"}
MISSING_LEVEL_REFERENCE = {DENIED: DENIED, READ: MISSING_READ}

# Per (access kind, method): a different rule for that method.
METHOD_ACCESS = {("project", "DELETE"): "project_delete"}


# --- Enumeration ---------------------------------------------------------------------------


def url_patterns():
    """(key, route, pattern) of every URL: key is the namespaced name, or the route when unnamed."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = f"{namespace}:" if namespace == "api" else route
                yield key, route, pattern

    yield from walk(get_resolver().url_patterns)


def schema_operations() -> list[tuple[str, str]]:
    """(path, METHOD) of every API operation, from drf-spectacular's generator."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def schema_rule(path: str):
    matches = [prefix for prefix in SCHEMA_RULES if path.startswith(prefix)]
    return SCHEMA_RULES[max(matches, key=len)] if matches else "unclassified"


# --- Sending and judging -------------------------------------------------------------------


class Missing:
    pk = MISSING
    version = 1


def client_for(world, role, api=False):
    """A client logged in as `role`, made once per module (the session is stored in the
    module's transaction, outside the cells' rolled-back ones)."""
    key = (role, api)
    if key not in world.clients:
        client = APIClient() if api else Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        world.clients[key] = client
    return world.clients[key]


def send(client, method: str, url: str, obj, api: bool):
    extra = {}
    if api and method in {"PUT", "PATCH", "DELETE"} and getattr(obj, "version", None) is not None:
        extra["HTTP_IF_MATCH"] = f'"{obj.version}"'
    call = getattr(client, method.lower())
    if api:
        return call(url, {}, format="json", **extra) if method != "GET" else call(url, **extra)
    return call(url, {}, **extra) if method != "GET" else call(url)


def expected(level: str, method: str, role: str, *, api: bool, public: bool = False, form: bool = False):
    if public:
        return "open"
    if role == "anonymous":
        return {401, 403} if api else "login"
    if level == HIDDEN or (level == MISSING_READ and method in READS):
        return {404}
    if level in {DENIED, MISSING_READ}:
        return {403}
    if level == "denied or missing":
        return {403, 404}
    if method in READS and not form:
        return ALLOWED
    return {403} if level == READ else ALLOWED_WRITE


def judge(response, want) -> bool:
    if want == "login":
        return response.status_code == 302 and "/login/" in response.get("Location", "")
    if want == "open":
        return response.status_code < 500 and response.status_code not in {403, 404}
    return response.status_code in want


def run_cell(client, method, url, obj, want, api, failures, label):
    cache.clear()  # throttle counts
    cookies = client.cookies
    client.cookies = copy.copy(cookies)
    try:
        with transaction.atomic():
            response = send(client, method, url, obj, api)
            transaction.set_rollback(True)
    finally:
        # A logout or a login in this cell ends or replaces the session: rolled back
        # in the database, and here in the client.
        client.cookies = cookies
    if not judge(response, want):
        failures.append(
            f"{method} {url} [{label}]: got {response.status_code}, expected {sorted(want) if isinstance(want, set) else want}"
        )
    return response.status_code


def object_cells(world, access: str, obj_kind: str | None, role: str):
    """(label, object, level) for every object this rule is checked against."""
    levels = ACCESS[access]
    built = world.objects.get(obj_kind, {}) if obj_kind else {}
    cells = []
    for label, by_role in levels.items():
        level = by_role.get(role, EDIT)
        if obj_kind is None:
            cells.append((label, None, level))
        elif label in built or (label in {"own", "any"} and built.get("own")):
            cells.append((label, built.get(label) or built.get("own"), level))
        else:
            # Nothing of this kind is built here: an id nobody has, which answers 404
            # wherever the user would have been let through.
            cells.append((label, Missing(), HIDDEN if level in {READ, EDIT} else level))
    # One object per level the user has: two records the user may change the same way
    # (a manager's ordinary and confidential project) tell nothing more than one.
    seen: set[str] = set()
    cells = [cell for cell in cells if not (cell[2] in seen or seen.add(cell[2]))]
    if role == "anonymous":
        return cells[:1]  # the login page whatever the record
    if obj_kind is not None:
        # An id nobody has; pages for admins only refuse others before looking.
        on_missing = MISSING_LEVEL_REFERENCE if access == "reference" else MISSING_LEVEL
        cells.append(("missing", Missing(), on_missing.get((levels.get("any") or levels["own"]).get(role), HIDDEN)))
    return cells


# --- Web pages -----------------------------------------------------------------------------

KNOWN_DEVIATIONS: dict[tuple[str, str], str] = {}


def web_params():
    for key, rule in CLASSIFIED.items():
        if rule is None:
            continue
        roles = rule.roles
        if rule.access in {"user", "admin_only"} and rule.obj is None:
            # No record named: the other team's officer and manager stand where ours do.
            roles = tuple(role for role in roles if not role.startswith("other_"))
        for role in roles:
            marks = []
            if (key, role) in KNOWN_DEVIATIONS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEVIATIONS[(key, role)]))
            yield pytest.param(key, role, id=f"{key}-{role}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), list(web_params()))
def test_web_and_api_url(world, key, role):
    rule = CLASSIFIED[key]
    api = key.startswith("api:")
    client = client_for(world, role, api=api)
    failures: list[str] = []
    hidden_status = missing_status = None
    for label, obj, level in object_cells(world, rule.access, rule.obj, role):
        url = reverse(key, kwargs=rule.kwargs(obj) if rule.kwargs else None)
        for method in rule.methods:
            want = expected(level, method, role, api=api or rule.json, public=rule.public, form=rule.form)
            status = run_cell(client, method, url, obj, want, api, failures, label)
            if level == HIDDEN and label != "missing" and method == rule.methods[0]:
                hidden_status = status
            if label == "missing" and method == rule.methods[0]:
                missing_status = status
    if hidden_status is not None and role != "anonymous":
        assert hidden_status == missing_status, f"{key}: hidden answers {hidden_status}, missing {missing_status}"
    assert not failures, "\n".join(failures)


# --- API operations from the schema ----------------------------------------------------------


def api_params():
    for path, method in schema_operations():
        for role in ROLES:
            yield pytest.param(path, method, role, id=f"{method} {path}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "role"), list(api_params()))
def test_api_operation(world, path, method, role):
    rule = schema_rule(path)
    assert rule != "unclassified", f"API path {path} is not classified in SCHEMA_RULES"
    if rule is None:
        return
    access, obj_kind = rule
    access = METHOD_ACCESS.get((access, method), access)
    client = client_for(world, role, api=True)
    failures: list[str] = []
    if "{" not in path:
        # A list, or a create: no record named.
        level = ACCESS["reference"]["own"].get(role, EDIT) if access == "reference" else EDIT
        want = expected(level, method, role, api=True, public=False)
        run_cell(client, method, path, None, want, True, failures, "list")
    else:
        statuses = {}
        for label, obj, level in object_cells(world, access, obj_kind, role):
            url = path.replace("{id}", str(obj.pk))
            want = expected(level, method, role, api=True, public=False)
            statuses[level if label != "missing" else "missing"] = run_cell(
                client, method, url, obj, want, True, failures, label
            )
        if HIDDEN in statuses:
            assert statuses[HIDDEN] == statuses["missing"], f"{method} {path}: hidden and missing answer differently"
    assert not failures, "\n".join(failures)


# --- Nothing unclassified ---------------------------------------------------------------------


def test_every_url_is_classified():
    schema_names = set()
    for path, _method in schema_operations():
        assert schema_rule(path) != "unclassified", f"API path {path} is not classified in SCHEMA_RULES"
        schema_names.add(resolve(path.replace("{id}", "1")).view_name)
    admin_names = admin_url_names()
    unclassified = sorted(
        {
            key
            for key, _route, _pattern in url_patterns()
            if key not in CLASSIFIED and key not in schema_names and key not in admin_names
        }
    )
    assert not unclassified, f"URL patterns nobody classified in {__name__}: {unclassified}"


def test_the_table_lists_the_methods_each_class_based_view_accepts():
    """A class-based view names its methods: the table must list each (PUT is left out
    where Django's form views only pass it on to POST)."""
    for key, _route, pattern in url_patterns():
        rule = CLASSIFIED.get(key)
        view_class = getattr(pattern.callback, "view_class", None)
        if rule is None or view_class is None or key.startswith("api:"):
            continue
        handled = {
            m.upper()
            for m in ("get", "post", "patch", "delete")
            if hasattr(view_class, m) and m in view_class.http_method_names
        }
        assert handled == set(rule.methods), (
            f"{key}: the view handles {sorted(handled)}, the table lists {rule.methods}"
        )


# --- The admin ---------------------------------------------------------------------------------

ALL_READ = {role: READ for role in LOGGED_IN}
ALL_EDIT = {role: EDIT for role in LOGGED_IN}
ADMINS_EDIT = {**{role: DENIED for role in LOGGED_IN}, "admin": EDIT}
ADMINS_READ = {**{role: DENIED for role in LOGGED_IN}, "admin": READ}
NOBODY = {role: DENIED for role in LOGGED_IN}
READ_ALL_ADMINS_EDIT = {**ALL_READ, "admin": EDIT}


@dataclass(frozen=True)
class AdminRule:
    """How a model's admin pages are checked: who may open the list and the add form;
    and per object label (World objects of `obj`, else the model's first row as "own")
    who may open/change it and who may delete it."""

    listing: dict
    add: dict
    objects: dict  # label -> role -> level (change page and history)
    delete: dict | None = None  # label -> role -> level; the change levels when None
    obj: str | None = None


def same_for_one(levels: dict) -> dict:
    return {"own": levels}


PROJECT_ROW = {"own": ALL_READ, "secret": {**ALL_READ, "other_officer": HIDDEN}}

ADMIN_MODELS: dict[str, AdminRule] = {
    # Owned records: everybody reads, the owner's team changes (core.permissions).
    "projects.Project": AdminRule(
        ALL_EDIT, ALL_EDIT, ACCESS["project"], delete=ACCESS["project_delete"], obj="project"
    ),
    "crm.Organisation": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["record"], obj="organisation"),
    "crm.Contact": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["record"], obj="contact"),
    "crm.Mission": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["record"], obj="mission"),
    "crm.Visit": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["record"], obj="visit"),
    "crm.Qualification": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["record"], obj="qualification"),
    "funds.FundsEntry": AdminRule(ALL_EDIT, ALL_EDIT, ACCESS["funds"], obj="funds"),
    # A project's rows: read-only, as hidden as their project.
    "projects.StageChange": AdminRule(ALL_READ, NOBODY, PROJECT_ROW, obj="stagechange"),
    "projects.Replan": AdminRule(ALL_READ, NOBODY, PROJECT_ROW, obj="replan"),
    # Agreements: the project's team changes them, only admins delete one; checks are
    # made by the agreement and their figures entered by the team; documents are read here.
    "agreements.Agreement": AdminRule(
        ALL_EDIT,
        ALL_EDIT,
        ACCESS["project"],
        delete={"own": {**ALL_READ, "admin": EDIT}, "secret": {**ALL_READ, "other_officer": HIDDEN, "admin": EDIT}},
        obj="agreement",
    ),
    "agreements.PromiseCheck": AdminRule(ALL_READ, NOBODY, ACCESS["project"], delete=PROJECT_ROW, obj="check"),
    "agreements.AgreementDocument": AdminRule(ALL_READ, NOBODY, PROJECT_ROW, obj="agreement_document"),
    # Reference data: admins change it; some of it everybody reads.
    "crm.Industry": AdminRule(READ_ALL_ADMINS_EDIT, ADMINS_EDIT, same_for_one(READ_ALL_ADMINS_EDIT)),
    "crm.Park": AdminRule(READ_ALL_ADMINS_EDIT, ADMINS_EDIT, same_for_one(READ_ALL_ADMINS_EDIT)),
    "crm.ExchangeRate": AdminRule(READ_ALL_ADMINS_EDIT, ADMINS_EDIT, same_for_one(READ_ALL_ADMINS_EDIT)),
    "projects.Target": AdminRule(READ_ALL_ADMINS_EDIT, ADMINS_EDIT, same_for_one(READ_ALL_ADMINS_EDIT)),
    "core.Team": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "core.Department": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "core.User": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "problems.Department": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "problems.Problem": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "projects.ReminderRule": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.Chain": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.ChainTarget": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.IndustryDocument": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.IndustryMember": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.IndustryProfile": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "chains.LeadingFirm": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "outbound.Channel": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "authtoken.TokenProxy": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    # Written by the system: admins read them, nobody changes them here.
    "core.Heartbeat": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "core.AuditEvent": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "core.Notification": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "core.EmailDigest": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "outbound.OutboundMessage": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    # Reminders: managers and admins read them.
    # First-contact registrations: admins fix them; collisions and decisions are written
    # by the claims page, admins read them.
    "claims.Claim": AdminRule(ADMINS_EDIT, ADMINS_EDIT, same_for_one(ADMINS_EDIT)),
    "claims.Collision": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "claims.Decision": AdminRule(ADMINS_READ, NOBODY, same_for_one(ADMINS_READ)),
    "projects.Reminder": AdminRule(
        {**ADMINS_READ, "manager": READ, "other_manager": READ},
        NOBODY,
        same_for_one({**ADMINS_READ, "manager": READ, "other_manager": READ}),
    ),
}

# Pages of the admin site itself (no model).
ADMIN_SITE = {
    "admin:index": Rule("user"),
    "admin:login": Rule("user", ("GET", "POST"), public=True),
    "admin:logout": Rule("user", ("POST",), public=True),
    "admin:password_change": Rule("user", ("GET", "POST")),
    "admin:password_change_done": Rule("user"),
    "admin:jsi18n": Rule("user"),
    "admin:autocomplete": None,  # needs a model and field: test_admin covers the pickers
    "admin:view_on_site": None,  # a redirect to the record's own page, which is checked above
    "admin:app_list": None,  # the index narrowed to one app; test_admin checks what it lists
}
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history", "simple_history")


def admin_key_model(key: str):
    """The registered model an admin URL name belongs to, or None."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if key.startswith(prefix) and key[len(prefix) :] in ADMIN_VIEWS:
            return model
    return None


def admin_url_names() -> set[str]:
    return {key for key, route, _pattern in url_patterns() if route.startswith("admin/")}


def test_every_admin_url_is_classified():
    unknown = []
    for key, route, _pattern in url_patterns():
        if not route.startswith("admin/"):
            continue
        if key in ADMIN_SITE or key in CLASSIFIED or admin_key_model(key) is not None:
            continue
        if key == route:  # unnamed: Django's redirects of a bare object id and the catch-all
            continue
        unknown.append(key)
    missing = sorted(m._meta.label for m in admin.site._registry if m._meta.label not in ADMIN_MODELS)
    assert not unknown, f"admin URLs nobody classified: {unknown}"
    assert not missing, f"admin models nobody classified in ADMIN_MODELS: {missing}"


def admin_objects(world, model, rule: AdminRule):
    if rule.obj:
        return world.objects[rule.obj]
    manager = getattr(model, "all_objects", model._default_manager)
    first = manager.order_by("pk").first()
    assert first is not None, f"build a {model._meta.label} for the matrix"
    return {"own": first}


# Cells known to answer wrongly, with why: (model label, role) -> reason (xfail, strict).
KNOWN_ADMIN_DEVIATIONS: dict[tuple[str, str], str] = {}


def admin_signature(rule: AdminRule, role: str):
    tables = [rule.listing, rule.add, *rule.objects.values(), *(rule.delete or {}).values()]
    return tuple(table.get(role) for table in tables)


def admin_roles(rule: AdminRule) -> list[str]:
    """Every role, less the other team's officer or manager where the table treats them as
    ours (reference data: both refused alike); they are checked where they differ."""
    return [
        role
        for role in ROLES
        if not (role.startswith("other_") and admin_signature(rule, role) == admin_signature(rule, role[6:]))
    ]


def admin_params():
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        for role in admin_roles(ADMIN_MODELS.get(model._meta.label) or AdminRule({}, {}, {})):
            reason = KNOWN_ADMIN_DEVIATIONS.get((model._meta.label, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(model._meta.label, role, id=f"admin:{model._meta.label}-{role}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "role"), list(admin_params()))
def test_admin_model(world, label, role):
    from django.apps import apps

    model = apps.get_model(label)
    rule = ADMIN_MODELS[label]
    opts = model._meta
    client = client_for(world, role)
    failures: list[str] = []

    def url(view, *args):
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)

    def check(method, address, level, obj=None, data=None, label="any", form=False):
        want = expected(level, method, role, api=False, form=form)
        cache.clear()
        cookies = client.cookies
        client.cookies = copy.copy(cookies)
        try:
            with transaction.atomic():
                response = client.get(address) if method == "GET" else client.post(address, data or {})
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies
        if not judge(response, want):
            failures.append(f"{method} {address} [{label}]: got {response.status_code}, expected {want}")
        return response

    level_of = lambda table, label: table.get(label, {}).get(role, DENIED) if role != "anonymous" else EDIT  # noqa: E731
    check("GET", url("changelist"), rule.listing.get(role, DENIED) if role != "anonymous" else EDIT)
    if role == "anonymous":
        assert not failures, "\n".join(failures)
        return  # the login page, for every page of the admin
    add_level = rule.add.get(role, DENIED)
    check("GET", url("add"), add_level, label="add", form=True)
    if add_level != EDIT:
        check("POST", url("add"), add_level, label="add")
    objects = admin_objects(world, model, rule)
    seen = set()
    for obj_label, obj in objects.items():
        level = level_of(rule.objects, obj_label)
        delete_level = level_of(rule.delete or rule.objects, obj_label)
        if (level, delete_level) in seen:
            continue
        seen.add((level, delete_level))
        response = check("GET", url("change", obj.pk), level, obj, label=obj_label)
        if level == READ and role != "anonymous" and response.status_code == 200:
            # Opens read-only: no save button.
            if response.context and response.context.get("has_change_permission"):
                failures.append(f"GET {url('change', obj.pk)} [{obj_label}]: opens editable for a reader")
        check("POST", url("change", obj.pk), level, obj, label=obj_label)
        check("GET", url("delete", obj.pk), delete_level, obj, label=obj_label, form=True)
        if delete_level != EDIT or rule.obj:
            # A deletion that is allowed is tried on records whose rule is per record only.
            check("POST", url("delete", obj.pk), delete_level, obj, data={"post": "yes"}, label=obj_label)
        check("GET", url("history", obj.pk), level if level != EDIT else READ, obj, label=obj_label)
    if rule.obj and role != "anonymous":
        # An id nobody has answers as a hidden record does.
        for view in ("change", "delete", "history"):
            check("GET", url(view, MISSING), HIDDEN, label="missing")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key, rule in ADMIN_SITE.items() if rule is not None])
@pytest.mark.parametrize("role", ROLES)
def test_admin_site_page(world, key, role):
    rule = ADMIN_SITE[key]
    client = client_for(world, role)
    failures: list[str] = []
    for method in rule.methods:
        want = expected(EDIT, method, role, api=False, public=rule.public)
        run_cell(client, method, reverse(key), None, want, False, failures, "site")
    assert not failures, "\n".join(failures)
