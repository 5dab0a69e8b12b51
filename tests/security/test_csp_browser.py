"""In a real browser (Debian's Chromium, headless): the pages run under the
Content-Security-Policy without a single violation, the two-step login works with
keyboard and mouse, and script in a company name never runs."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import require
from tests.factories import MissionFactory, OrganisationFactory, ProjectFactory, VisitFactory
from tests.security.conftest import code_for

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
# Collects violations the page reports, before any of its own scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def browser_context():
    require(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        "needs Chromium: run `apt-get install -y chromium` (browser tests use /usr/bin/chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "needs Playwright: run `.venv/bin/pip install -r requirements-dev.txt`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context()
        context.add_init_script(LISTEN)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def _expected(where: str, report: str) -> bool:
    # Nothing is expected: ReDoc's logo from its maker's CDN is served from here now
    # (config/docs.py) and /favicon.ico answers.
    return False


class Watch:
    """A page that remembers every console message about the policy."""

    def __init__(self, context) -> None:
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        text = message.text
        if text.startswith("Failed to load resource"):
            return  # reported with its address by _response
        if "Content Security Policy" in text or "Content-Security-Policy" in text or message.type == "error":
            self.console.append(f"{message.type}: {text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.console.append(f"{response.status}: {response.url}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        assert "content-security-policy" in response.headers, url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        violations = [v for v in self.page.evaluate("window.__violations || []") if not _expected(where, v)]
        assert violations == [], (where, violations)
        assert [m for m in self.console if not _expected(where, m)] == [], (where, self.console)
        assert self.page.evaluate("window.__xss === undefined"), f"script from data ran on {where}"


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(live_server, client, officer, admin_user, browser_context):
    organisation = OrganisationFactory(name=f"村田{EVIL}", owner=officer)
    mission = MissionFactory(owner=officer, title=f"日本团组{EVIL}")
    VisitFactory(organisation=organisation, owner=officer, mission=mission, summary=f"谈话{EVIL}")
    project = ProjectFactory(investor=organisation, owner=officer, name=f"新工厂{EVIL}")

    watch = Watch(browser_context)
    base = live_server.url
    watch.visit(f"{base}{reverse('login')}")

    # Log in through the form, as a person would.
    watch.page.fill("#id_username", "zhang")
    watch.page.fill("#id_password", "correct-horse-battery-staple")
    watch.page.press("#id_password", "Enter")
    watch.page.wait_for_url(f"{base}/")
    watch.check("after login")

    pages = [
        reverse("home"),
        reverse("crm:organisation_list"),
        reverse("crm:organisation_detail", args=[organisation.pk]),
        reverse("crm:mission_list"),
        reverse("crm:mission_detail", args=[mission.pk]),
        reverse("crm:visit_create"),
        reverse("notifications:list"),
        reverse("account_security"),
        reverse("two_factor_enrol"),
        reverse("projects:project_list"),
        reverse("projects:board"),
        reverse("projects:project_detail", args=[project.pk]),
        reverse("projects:project_create"),
        reverse("reports:dashboard"),
        reverse("reports:review"),
        reverse("reports:supervision"),
        reverse("reports:missions"),
        reverse("reports:scorecards"),
        reverse("transfer:import", args=["projects"]),
        reverse("crm:visit_list"),
        reverse("crm:contact_list"),
        reverse("chains:industry_list"),
        reverse("api:docs"),
        reverse("api:redoc"),
        reverse("admin:index"),
        reverse("admin:crm_organisation_changelist"),
        reverse("admin:crm_organisation_change", args=[organisation.pk]),
        reverse("admin:projects_project_change", args=[project.pk]),
    ]
    for url in pages:
        watch.visit(base + url)

    # htmx under the policy: the organisation search on the visit form still works.
    watch.visit(base + reverse("crm:visit_create"))
    watch.page.locator("#id_organisation_query").press_sequentially("村田", delay=20)
    watch.page.locator("[data-org-pick]").first.wait_for()
    watch.check("organisation search")
    assert "<script>window.__xss" in watch.page.locator("[data-org-pick]").first.inner_text()

    # The admin's own pages, as an admin (Django admin's scripts are files too).
    admin = browser_context.browser.new_context()
    admin.add_init_script(LISTEN)
    client.force_login(admin_user)
    admin.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    admin_watch = Watch(admin)
    for url in [
        reverse("admin:core_user_changelist"),
        reverse("admin:core_user_change", args=[officer.pk]),
        reverse("admin:core_auditevent_changelist"),
        reverse("admin:projects_project_add"),
    ]:
        admin_watch.visit(base + url)
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_manager_logs_in_with_an_authenticator_code_in_the_browser(
    live_server, manager, totp_device, browser_context
):
    device = totp_device(manager)
    watch = Watch(browser_context)
    base = live_server.url
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        watch.visit(f"{base}{reverse('login')}?next=/crm/organisations/")
        watch.page.fill("#id_username", "boss")
        watch.page.fill("#id_password", "correct-horse-battery-staple")
        watch.page.press("#id_password", "Enter")
        watch.page.wait_for_url(f"{base}{reverse('login_code')}")
        watch.check("code page")
        watch.page.fill("#id_code", code_for(device))
        watch.page.press("#id_code", "Enter")
        watch.page.wait_for_url(f"{base}/crm/organisations/")
        watch.check("after the code")
