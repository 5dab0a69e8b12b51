"""A round trip through the API with the client generated from its schema (issue 23).

Run by .ci/api-clients: `python .ci/api-roundtrip.py BASE_URL CLIENT_DIR`, where CLIENT_DIR
holds the package `crm_client` that openapi-python-client made from the served schema.
As the demo officer: log in, get an API token (POST /api/v1/auth/token/), list projects
with a tier and a stage filter, create an organisation and a visit, move a project a
stage with If-Match, edit it, and read the 412 of a stage move based on the version
before the edit.
Every call goes through the generated client; each check fails with what it saw.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from zoneinfo import ZoneInfo

import httpx

BASE, CLIENT_DIR = sys.argv[1], sys.argv[2]
sys.path.insert(0, CLIENT_DIR)

from crm_client import AuthenticatedClient, Client  # noqa: E402
from crm_client.api.auth import auth_token_create  # noqa: E402
from crm_client.api.organisations import organisations_create  # noqa: E402
from crm_client.api.projects import (  # noqa: E402
    projects_change_stage_create,
    projects_list,
    projects_partial_update,
    projects_retrieve,
)
from crm_client.api.visits import visits_create  # noqa: E402
from crm_client.models import (  # noqa: E402
    ChangeStageRequest,
    Error,
    OrganisationRequest,
    PaginatedProjectList,
    PatchedProjectRequest,
    Project,
    ProjectsListStageItem,
    ProjectsListTierItem,
    StageEnum,
    Token,
    VisitRequest,
)

PASSWORD = os.environ.get("DEMO_PASSWORD", "zhaoshang-demo-2024")
# Dates as the zone counts them (the app refuses a stage reached "in the future").
TODAY = dt.datetime.now(ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Shanghai"))).date()


def expect(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"round trip: {what}")
    print(f"ok: {what}")


def session_client(username: str) -> Client:
    """A generated client on a browser session (login form), for the token request."""
    with httpx.Client(base_url=BASE, follow_redirects=False) as browser:
        page = browser.get("/accounts/login/").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        answer = browser.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD},
            headers={"Referer": f"{BASE}/accounts/login/"},
        )
        expect(answer.status_code == 302, f"{username} logs in with the demo password")
        cookies = dict(browser.cookies)
    return Client(base_url=BASE, cookies=cookies, headers={"X-CSRFToken": cookies["csrftoken"], "Referer": BASE + "/"})


def main() -> None:
    started = time.monotonic()
    stamp = dt.datetime.now().strftime("%H%M%S")

    # 1. A token, asked for with the session.
    token = auth_token_create.sync_detailed(client=session_client("officer"))
    expect(token.status_code == 201 and isinstance(token.parsed, Token), "POST /api/v1/auth/token/ answers 201")
    api = AuthenticatedClient(base_url=BASE, token=token.parsed.key, prefix="Token", raise_on_unexpected_status=True)

    # 2. An organisation and a visit to it; the visit's owner is the caller.
    organisation = organisations_create.sync_detailed(
        client=api, body=OrganisationRequest(name=f"往返测试有限公司{stamp}", city="无锡")
    )
    expect(organisation.status_code == 201, f"an organisation is created (id {organisation.parsed.id})")
    visit = visits_create.sync_detailed(
        client=api,
        body=VisitRequest(organisation=organisation.parsed.id, date=TODAY, summary="客户端往返测试：初次拜访"),
    )
    expect(visit.status_code == 201 and visit.parsed.organisation == organisation.parsed.id, "a visit is created")
    me = visit.parsed.owner

    # 3. Lists with a tier and a stage filter: one of my lead projects, then the list
    # narrowed to its tier and stage holds it, and only projects of that tier and stage.
    mine = projects_list.sync(client=api, owner=me, stage=[ProjectsListStageItem.LEAD])
    expect(isinstance(mine, PaginatedProjectList) and mine.count > 0, f"the officer has lead projects ({mine.count})")
    project = mine.results[0]
    tier = ProjectsListTierItem(project.tier.value)
    stages = [ProjectsListStageItem.LEAD, ProjectsListStageItem.NEGOTIATING]
    narrowed = projects_list.sync(client=api, tier=[tier], stage=stages, page_size=200)
    expect(project.id in {p.id for p in narrowed.results}, f"?tier={tier}&stage=lead&stage=negotiating lists it")
    expect(
        all(p.tier.value == tier.value and p.stage.value in {"lead", "negotiating"} for p in narrowed.results),
        f"and only projects of that tier and stage ({narrowed.count})",
    )
    others = [t for t in ProjectsListTierItem if t != tier]
    excluded = projects_list.sync(client=api, tier=others, stage=[ProjectsListStageItem.LEAD], owner=me)
    expect(project.id not in {p.id for p in excluded.results}, "the other tiers leave it out")

    # 4. A stage move with If-Match, then a write based on the version before it: 412.
    current = projects_retrieve.sync_detailed(client=api, id=project.id)
    version = current.parsed.version
    expect(current.headers.get("etag") == f'"{version}"', f"the project's ETag is its version ({version})")
    moved = projects_change_stage_create.sync_detailed(
        client=api,
        id=project.id,
        if_match=f'"{version}"',
        body=ChangeStageRequest(to_stage=StageEnum.NEGOTIATING, on=TODAY, note="客户端往返测试"),
    )
    expect(
        moved.status_code == 200 and isinstance(moved.parsed, Project) and moved.parsed.stage == StageEnum.NEGOTIATING,
        f"If-Match {version}: the project moves to negotiating (version {moved.parsed.version})",
    )
    # Someone edits the project on top of the move (a newer version); a write still based
    # on the version read before it is stale.
    seen = moved.parsed.version
    edited = projects_partial_update.sync_detailed(
        client=api,
        id=project.id,
        if_match=f'"{seen}"',
        body=PatchedProjectRequest(description="客户端往返测试：已修改"),
    )
    expect(
        edited.status_code == 200 and edited.parsed.version > seen,
        f"If-Match {seen}: an edit is saved (version {edited.parsed.version})",
    )
    stale = projects_change_stage_create.sync_detailed(
        client=api,
        id=project.id,
        if_match=f'"{seen}"',
        body=ChangeStageRequest(to_stage=StageEnum.ON_HOLD, on=TODAY, reason="过期的写入"),
    )
    expect(
        stale.status_code == 412 and isinstance(stale.parsed, Error),
        f"a stage move on version {seen} answers 412 (got {stale.status_code})",
    )
    expect(
        stale.parsed.code == "stale_version" and stale.parsed.current_version == edited.parsed.version,
        f"the 412 says why ({stale.parsed.code}) and the current version ({stale.parsed.current_version})",
    )
    after = projects_retrieve.sync(client=api, id=project.id)
    expect(
        after.stage == StageEnum.NEGOTIATING and after.version == edited.parsed.version,
        "the stale write changed nothing",
    )
    print(f"round trip: passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
