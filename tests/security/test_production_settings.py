"""Production mode (DJANGO_DEBUG=false): Django's deployment checklist passes, and the
answers carry HSTS, a strict Content-Security-Policy and the other headers. Settings
are read once per process, so production mode runs in a child process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DEMO_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="test-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="crm.example.org",
        APP_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    return env


def test_check_deploy_passes_in_production_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="crm.example.org")
plain = client.get("/accounts/login/")
response = client.get("/no-such-page/", secure=True)
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "headers": dict(response.headers),
    "settings": {name: getattr(settings, name) for name in [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "DEBUG"]},
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_sent_to_https(production):
    status, location = production["redirect"]
    assert status == 301 and location.startswith("https://crm.example.org/")


def test_https_answers_carry_the_security_headers(production):
    headers = production["headers"]
    hsts = headers["Strict-Transport-Security"]
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts)[1]) >= 31536000
    assert "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_content_security_policy_allows_no_inline_script_and_no_framing(production):
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in production["headers"]["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe-eval" in value or "unsafe-inline" in value for value in policy["script-src"])


def test_cookies_are_secure_httponly_and_same_site(production):
    s = production["settings"]
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_AGE"] == 30 * 60


def test_every_environment_variable_is_in_env_example():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z_][A-Z0-9_]*)["']""", settings_source))
    read |= set(re.findall(r"""os\.environ(?:\.get)?\(\s*["']([A-Z_][A-Z0-9_]*)["']""", settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert read, "no variables found in settings.py"
    assert sorted(read - listed) == []
