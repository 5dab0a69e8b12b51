"""Every page of the navigation, as each role sees it, in both languages, on a phone
(375 px) and a laptop (1366 px), in a real browser on the demo zone:

- the header is one row from 1200 px up; below, the links fold into the menu and the
  bell and the menu button stay on the brand's row (the app's header: Django's admin
  pages, the index, the project list and a project's page, for those who may open the
  admin, get every other check);
- the page never scrolls sideways (a wide board or table scrolls in its own box);
- no table cell is narrower than two characters of its own text;
- no console error, no request to another host, no asset answered 4xx/5xx;
- axe-core finds no critical or serious accessibility violation;
- the header and a form can be worked from the keyboard.

One browser for the module and one test for all of it (the demo zone is built once:
a transactional test empties the database when it ends). Failures are gathered and
reported together, page by page. Screenshots go to $SCREENSHOT_DIR when it is set.

axe-core (tests/web/static/axe.min.js, from the npm registry, MPL-2.0) is served to
the browser by Playwright itself, from the live server's own address, so the app's
Content-Security-Policy (scripts from 'self' only) lets it run; the app never serves it.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction

from core.models import User
from projects.demo import build_demo_zone
from tests.conftest import require
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

# Layout is the browser's business, not the database's: CI runs this in its SQLite pass.
pytestmark = pytest.mark.layout_pass

AXE = Path(__file__).parent / "static" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
ROLES = ["officer", "manager", "admin"]
LANGUAGES = ["zh-hans", "en"]

# In the page: the header's shape, sideways scrolling, and table cells too narrow for
# two characters of their own text (measured in the cell's own font).
MEASURE = """() => {
  const nav = document.querySelector("nav.app-navbar");
  const brand = nav && nav.querySelector(".navbar-brand");
  const toggler = nav && nav.querySelector(".navbar-toggler");
  const bell = nav && nav.querySelector(".notification-bell");
  const collapse = nav && nav.querySelector("#main-nav");
  const top = (el) => el ? el.getBoundingClientRect().top : null;
  const shown = (el) => !!el && el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const links = nav ? [...nav.querySelectorAll("#main-nav .nav-link, #main-nav .navbar-account > *")].filter(shown) : [];
  const canvas = document.createElement("canvas").getContext("2d");
  const narrow = [];
  for (const cell of document.querySelectorAll("main td, main th, main caption")) {
    if (!shown(cell) || cell.closest(".visually-hidden")) continue;  // (read aloud, not shown)
    const text = cell.innerText.trim();
    if ([...text].length < 2) continue;
    const style = getComputedStyle(cell);
    canvas.font = style.font;
    const two = canvas.measureText([...text].slice(0, 2).join("")).width;
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner + 1 < two) narrow.push(text.slice(0, 20) + " (" + Math.round(inner) + "px)");
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    navHeight: nav ? nav.getBoundingClientRect().height : 0,
    linkTops: links.map((el) => Math.round(el.getBoundingClientRect().top)),
    brandTop: top(brand), togglerTop: top(toggler), bellTop: top(bell),
    togglerShown: shown(toggler), bellShown: shown(bell), collapseShown: shown(collapse),
    narrow: narrow.slice(0, 5),
  };
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture
def browser_context():
    """One Chromium for the module's pages (a desk-sized window; each page resizes it)."""
    require(os.path.exists(CHROMIUM), "needs Chromium: run `apt-get install -y chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "needs Playwright: run `.venv/bin/pip install -r requirements-dev.txt`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=LAPTOP)
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture
def demo_zone(transactional_db):
    with transaction.atomic():
        build_demo_zone()
        apps.get_app_config("chains").build_demo()


def _shot(page, name: str) -> None:
    """The top of the page (at most 2,400 px of it: a full screenshot of a long list
    costs seconds and shows nothing the top does not)."""
    if os.environ.get("SCREENSHOT_DIR"):
        folder = Path(os.environ["SCREENSHOT_DIR"]) / "layout"
        folder.mkdir(parents=True, exist_ok=True)
        width, height = page.evaluate("[innerWidth, Math.min(document.scrollingElement.scrollHeight, 2400)]")
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        page.screenshot(path=str(folder / name), full_page=True, clip=clip)


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "_") or "home"


class Watch:
    """Console errors, requests to other hosts and failed assets of one page."""

    def __init__(self, page, host: str):
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

        def request(r):
            url = urlparse(r.url)
            if url.scheme in ("http", "https") and url.netloc != host:
                self.problems.append(f"request to another host: {r.url}")

        page.on("request", request)
        page.on("response", lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)

    def take(self) -> list[str]:
        found, self.problems = self.problems, []
        return found


def _nav_pages(page) -> list[str]:
    """The pages the header leads to (Django's own admin aside: not this app's layout)."""
    hrefs = page.eval_on_selector_all(
        "nav.app-navbar a[href]", "links => links.map(a => new URL(a.href).pathname + new URL(a.href).search)"
    )
    pages = []
    for href in hrefs:
        if href.startswith("/admin") or href in pages:
            continue
        pages.append(href)
    return pages


def _tab_pages(page) -> list[str]:
    return page.eval_on_selector_all(".report-tabs a[href]", "links => links.map(a => new URL(a.href).pathname)")


def _admin_pages(user) -> list[str]:
    """Django's admin as the user opens it (every role may): the index, the project list
    and the page of a project the user may edit (the admin has its own header, so the
    header checks do not apply)."""
    from core.permissions import can_edit_project, visible_projects
    from projects.models import Project

    visible = visible_projects(user, Project.objects.order_by("pk"))
    project = next(project for project in visible if can_edit_project(user, project))
    return ["/admin/", "/admin/projects/project/", f"/admin/projects/project/{project.pk}/change/"]


def _check_layout(found: dict, width: int, *, app_header: bool = True) -> list[str]:
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"scrolls sideways: {found['scrollWidth']} > {found['innerWidth']}")
    if found["narrow"]:
        problems.append(f"table cells narrower than two characters: {found['narrow']}")
    if not app_header:
        return problems
    if width >= 1200:
        tops = found["linkTops"]
        if not tops or max(tops) - min(tops) > 16 or found["navHeight"] > 72:
            problems.append(
                f"header not one row: height {found['navHeight']}, rows at {sorted(set(found['linkTops']))}"
            )
    else:
        if found["collapseShown"] or not found["togglerShown"]:
            problems.append("the menu is not folded behind its button")
        for name in ("togglerTop", "bellTop"):
            if found[name] is None or abs(found[name] - found["brandTop"]) > 16:
                problems.append(f"{name[:-3]} not on the brand's row")
    return problems


@pytest.mark.django_db(transaction=True)
def test_every_page_of_the_navigation_for_each_role_language_and_width(
    browser_context,  # asked for first: without Chromium, skip before building the zone
    demo_zone,
    live_server,
    client,
):
    context = browser_context
    host = urlparse(live_server.url).netloc
    context.route(f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=str(AXE)))
    failures: list[str] = []
    for role in ROLES:
        user = User.objects.get(username=role)
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.clear_cookies()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        for language in LANGUAGES:
            User.objects.filter(pk=user.pk).update(language=language)
            page = context.new_page()
            watch = Watch(page, host)
            page.set_viewport_size(LAPTOP)
            page.goto(f"{live_server.url}/")
            paths = _nav_pages(page)
            assert len(paths) >= 9, paths
            # The reports' own tabs (supervision, review, ...) are a click from the header.
            page.goto(f"{live_server.url}/reports/")
            paths += [path for path in _tab_pages(page) if path not in paths]
            if user.is_staff:
                paths += _admin_pages(user)
            for size in (LAPTOP, PHONE):
                page.set_viewport_size(size)
                # axe on every page at desk size in Chinese, for admin (who sees every
                # page) in English too, and for an officer's phone: the same templates
                # otherwise, and each run costs a second or two.
                run_axe = (size is LAPTOP and (language == "zh-hans" or role == "admin")) or (
                    size is PHONE and role == "officer" and language == "zh-hans"
                )
                for path in paths:
                    where = f"{role} {language} {size['width']} {path}"
                    response = page.goto(f"{live_server.url}{path}")
                    if path.startswith("/reports"):
                        page.wait_for_load_state("networkidle")  # the charts draw after load
                    problems = [] if response.ok else [f"status {response.status}"]
                    problems += _check_layout(
                        page.evaluate(MEASURE), size["width"], app_header=not path.startswith("/admin/")
                    )
                    if run_axe:
                        page.add_script_tag(url=f"{live_server.url}{AXE_PATH}")
                        problems += [f"axe: {violation}" for violation in page.evaluate(AXE_RUN)]
                    problems += watch.take()
                    failures += [f"{where}: {problem}" for problem in problems]
                    _shot(page, f"{role}-{language}-{size['width']}-{_slug(path)}.png")
            page.close()
    assert not failures, "\n".join(failures)


def _log_in(context, client, live_server, user) -> None:
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _tab_until(page, selector: str, most: int = 60) -> list[str]:
    """Press Tab until the element matching `selector` has the focus; what got the
    focus on the way (fails if it never does)."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return seen
    raise AssertionError(f"{selector} never got the focus: {seen}")


@pytest.mark.django_db(transaction=True)
def test_the_header_and_the_visit_form_work_from_the_keyboard(browser_context, live_server, client, admin_user):
    from tests.factories import OrganisationFactory

    OrganisationFactory(name="村田（中国）投资有限公司")
    _log_in(browser_context, client, live_server, admin_user)
    page = browser_context.new_page()
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/")
    # The brand, the bell (beside the menu button on a phone, so first), every link of
    # the header in turn, then the language switch and the account menu.
    links = page.eval_on_selector_all("#main-nav .nav-link", "links => links.map(a => a.getAttribute('href'))")
    assert len(links) >= 9
    _tab_until(page, ".navbar-brand", most=2)
    _tab_until(page, ".notification-bell", most=1)
    for href in links:
        _tab_until(page, f'#main-nav .nav-link[href="{href}"]', most=5)
    _tab_until(page, ".language-switch button", most=3)
    _tab_until(page, ".navbar-account .dropdown-toggle", most=3)
    page.keyboard.press("Enter")
    page.locator(".navbar-account .dropdown-menu.show").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('form') !== null")  # 退出登录, a form's button
    page.keyboard.press("Escape")

    # The visit form: organisation by typing, then on to the save button.
    page.goto(f"{live_server.url}/crm/visits/new/")
    _tab_until(page, "#id_organisation_query")
    page.keyboard.type("村田", delay=20)
    page.locator("[data-org-pick]").first.wait_for()
    _tab_until(page, "#id_summary")
    page.keyboard.type("介绍园区政策")
    _tab_until(page, "button[type=submit].btn-primary")


@pytest.mark.django_db(transaction=True)
def test_a_mission_under_way_is_offered_and_one_tap_applies_it_on_a_phone(
    browser_context, live_server, client, officer
):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import MissionFactory

    today = timezone.localdate()
    title = "2026年日本（横滨、东京、大阪、京都）电子信息及半导体产业招商推介暨企业拜访活动"
    mission = MissionFactory(
        title=title,
        cities="横滨、东京、大阪、京都",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=3),
        owner=officer,
    )
    mission.participants.add(officer)
    _log_in(browser_context, client, live_server, officer)
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/crm/visits/new/")
    # Nothing chosen, nothing filled in: the officer may be at home, visiting a Suzhou firm.
    assert page.locator("#id_mission").input_value() == ""
    assert page.locator("#id_location").input_value() == ""
    offer = page.locator("[data-mission-suggestion]")
    assert title in offer.inner_text()  # the whole name, wrapped, not cut
    box = offer.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    _shot(page, "visit-form-mission-offer-375.png")
    offer.get_by_role("button").click()
    assert page.locator("#id_mission").input_value() == str(mission.pk)
    assert page.locator("#id_location").input_value() == "横滨、东京、大阪、京都"
    assert page.locator("[data-mission-suggestion]").count() == 0
    # The chosen mission's full name under the drop-down, which a phone cuts.
    assert title in page.locator("[data-mission-chosen]").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
