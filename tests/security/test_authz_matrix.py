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

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from chains.models import ChainTarget, IndustryMember
from core.models import Notification, Team, User
from crm.models import Industry, Qualification
from projects.models import Replan, StageChange
from projects.services import project_change_stage, project_replan
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
    # Private to one user (notifications, import jobs): nobody else sees them, admins included.
    "private": {
        "own": {"officer": EDIT, "other_officer": HIDDEN, "manager": HIDDEN, "other_manager": HIDDEN, "admin": HIDDEN}
    },
    # A chain target added by `officer`: any manager or admin may take it off too.
    "target": {
        "own": {"officer": EDIT, "other_officer": READ, "manager": EDIT, "other_manager": EDIT, "admin": EDIT}
    },
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
    cluster = IndustryFactory(name="化合物半导体", level=Industry.Level.CLUSTER, category=Industry.Category.FUTURE)
    chain = IndustryFactory(name="化合物半导体链", level=Industry.Level.CHAIN, parent=cluster, category=cluster.category)
    link = IndustryFactory(name="衬底", level=Industry.Level.LINK, parent=chain, category=cluster.category)
    target = ChainTarget.objects.create(link=link, organisation=organisation, added_by=officer)
    member = IndustryMember.objects.create(
        industry=cluster, item=IndustryMember.Item.INSTITUTE, organisation=organisation
    )
    notification = Notification.objects.create(recipient=officer, key="matrix", title="跟进提醒")
    job = ImportJob.objects.create(kind="organisations", user=officer, filename="orgs.xlsx", content=b"")
    Qualification.objects.create(organisation=organisation, kind=Qualification.Kind.HIGH_TECH, year=2023)
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
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
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


def pk(obj):
    return {"pk": obj.pk}


PUBLIC = Rule("user", public=True)

# Every named web and API URL. Values: a Rule; None for URLs covered by the API schema
# (their cells come from SCHEMA_RULES) or by the admin part (ADMIN_MODELS).
CLASSIFIED: dict[str, Rule | None] = {
    "healthz": PUBLIC,
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
    # Reports.
    "reports:dashboard": Rule("user"),
    "reports:review": Rule("user"),
    "reports:supervision": Rule("user"),
    "reports:missions": Rule("user"),
    "reports:scorecards": Rule("user"),
    # Import and export: an import job is its user's own.
    "transfer:import": Rule("user", ("GET", "POST"), kwargs=lambda o: {"kind": "organisations"}),
    "transfer:template": Rule("user", kwargs=lambda o: {"kind": "organisations"}),
    "transfer:job": Rule("private", obj="job", kwargs=pk),
    "transfer:job_progress": Rule("private", obj="job", kwargs=pk),
    "transfer:job_commit": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:job_cancel": Rule("private", ("POST",), obj="job", kwargs=pk),
    "transfer:export": Rule("user", kwargs=lambda o: {"name": "organisations"}),
    "transfer:export_report": Rule("user", kwargs=lambda o: {"name": "dashboard"}),
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
    # API: the token endpoint, the docs; the rest comes from the schema.
    "api:token": Rule("user", ("POST",), public=True),
    "api:schema": Rule("user"),
    "api:docs": Rule("user"),
    "api:redoc": Rule("user"),
    "api:": None,  # the API's catch-all 404
}

# API paths of the schema: path prefix -> (access kind, World object).
SCHEMA_RULES = {
    "/api/v1/organisations/": ("record", "organisation"),
    "/api/v1/contacts/": ("record", "contact"),
    "/api/v1/missions/": ("record", "mission"),
    "/api/v1/visits/": ("record", "visit"),
    "/api/v1/projects/": ("project", "project"),
    "/api/v1/stage-changes/": ("project", "stagechange"),
    "/api/v1/replans/": ("project", "replan"),
    "/api/v1/industries/": ("reference", "industry"),
    "/api/v1/parks/": ("reference", "park"),
    "/api/v1/notifications/": ("private", "notification"),
    "/api/v1/reports/": ("user", None),
    "/api/v1/auth/token/": None,  # in CLASSIFIED
}


# What an id nobody has answers, by the level the user has on the kind's records.
MISSING_LEVEL = {DENIED: DENIED}
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
    if api:
        from rest_framework.test import APIClient

        client = APIClient()
    else:
        client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


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
    with transaction.atomic():
        response = send(client, method, url, obj, api)
        transaction.set_rollback(True)
    if not judge(response, want):
        failures.append(f"{method} {url} [{label}]: got {response.status_code}, expected {sorted(want) if isinstance(want, set) else want}")
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
        for role in ROLES:
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
            level_here = level
            want = expected(level_here, method, role, api=api or rule.json, public=rule.public, form=rule.form)
            status = run_cell(client, method, url, obj, want, api, failures, label)
            if level == HIDDEN and label != "missing" and method == rule.methods[0]:
                hidden_status = status
            if label == "missing" and method == rule.methods[0]:
                missing_status = status
    if hidden_status is not None:
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
        for label, obj, level in object_cells(world, access, obj_kind, role):
            url = path.replace("{id}", str(obj.pk))
            want = expected(level, method, role, api=True, public=False)
            run_cell(client, method, url, obj, want, True, failures, label)
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
    for key, _route, pattern in url_patterns():
        rule = CLASSIFIED.get(key)
        view_class = getattr(pattern.callback, "view_class", None)
        if rule is None or view_class is None or key.startswith("api:"):
            continue
        handled = {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
        handled -= {"PUT"} if "POST" in handled and not hasattr(view_class, "put") else set()
        assert set(rule.methods) <= handled | {"GET"}, f"{key}: the table lists {rule.methods}, the view handles {handled}"
        assert handled <= set(rule.methods) | {"GET"} or handled - set(rule.methods) <= {"PUT"}, (
            f"{key}: the view handles {sorted(handled)}, the table lists {rule.methods}"
        )


def admin_url_names() -> set[str]:
    return {key for key, _route, _pattern in url_patterns() if key.startswith("admin:") or key.startswith("admin/")}
