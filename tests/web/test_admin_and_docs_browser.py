"""In a real browser at 1366 px: the admin's project list fits the screen with a
readable name column; the API docs (ReDoc, Swagger UI) load nothing from another host
and log no console error; every page has an icon (no /favicon.ico 404)."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import require
from tests.factories import ProjectFactory
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def laptop():
    require(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        "needs Chromium: run `apt-get install -y chromium` (browser tests use /usr/bin/chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport=LAPTOP)
        try:
            yield context
        finally:
            context.close()
            browser.close()


class Recorder:
    """A page that notes requests to other hosts, 4xx/5xx answers and console errors."""

    def __init__(self, context, base: str) -> None:
        self.host = urlsplit(base).netloc
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("request", self._request)
        self.page.on("response", self._response)
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.host:
            self.problems.append(f"other host: {request.url}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")


def log_in(context, client, live_server, user, language="zh-hans") -> None:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):  # to look at it by eye
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], name), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_admin_project_list_fits_a_laptop(live_server, client, admin_user, officer, laptop, language):
    for n in range(60):
        ProjectFactory(
            owner=officer,
            name=f"年产{n + 1}万片12英寸晶圆先进封装测试基地项目",
            investor__name=f"无锡芯源半导体科技有限公司{n}",
            investor__owner=officer,
        )
    log_in(laptop, client, live_server, admin_user, language)
    watch = Recorder(laptop, live_server.url)
    page = watch.page
    page.goto(live_server.url + reverse("admin:projects_project_changelist"))
    screenshot(page, f"admin-project-list-{language}-1366.png")

    name_cell = page.locator("#result_list tbody tr:first-child .field-name_and_investor")
    assert name_cell.bounding_box()["width"] >= 200
    table = page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= LAPTOP["width"], "columns hide off-screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert page.locator("#result_list tbody tr").count() == 50
    assert page.evaluate("document.documentElement.scrollHeight") < 6000
    assert watch.problems == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("docs", ["api:redoc", "api:docs"])
def test_the_api_docs_load_nothing_from_another_host(live_server, client, officer, laptop, docs):
    log_in(laptop, client, live_server, officer)
    watch = Recorder(laptop, live_server.url)
    page = watch.page
    page.goto(live_server.url + reverse(docs))
    if docs == "api:redoc":
        page.wait_for_selector("img[alt='redocly logo']")
        page.wait_for_function("document.querySelector(\"img[alt='redocly logo']\").complete")
    else:
        page.wait_for_selector(".swagger-ui .info")
    page.wait_for_load_state("networkidle")
    assert watch.problems == []


@pytest.mark.django_db(transaction=True)
def test_the_first_page_has_an_icon(live_server, client, officer, laptop):
    log_in(laptop, client, live_server, officer)
    watch = Recorder(laptop, live_server.url)
    watch.page.goto(live_server.url + "/")
    watch.page.wait_for_load_state("networkidle")
    icon = watch.page.locator("link[rel=icon]").get_attribute("href")
    assert watch.page.request.get(live_server.url + icon).status == 200
    assert watch.page.request.get(live_server.url + "/favicon.ico").status == 200
    assert watch.problems == []
