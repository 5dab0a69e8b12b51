"""Start the whole app on one machine: the web server and a Celery worker with beat.

`make run` calls this after migrating and loading the demo data. The processes are
children of this one: Ctrl-C (or SIGTERM) stops both, and if one dies the other is
stopped too, so nothing is left running unseen.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and a Celery worker with beat, until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, host: str, port: int, web_workers: int, **options) -> None:
        if settings.DEMO_MODE:
            from accounts.services import demo_devices_install

            # Demo managers and admins log in with a known authenticator secret.
            demo_devices_install(secret_base32=settings.DEMO_TOTP_SECRET)
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        worker = [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=INFO",
            "--schedule",
            settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]
        children = [subprocess.Popen(web), subprocess.Popen(worker)]
        self._print_banner(host, port)

        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(
                        f"A process stopped (exit {child.returncode}): {child.args[2:4]}; stopping the rest."
                    )
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            sys.exit(exit_code)

    def _print_banner(self, host: str, port: int) -> None:
        lines = [
            "",
            "=" * 64,
            f"  招商 CRM is running:  http://{host}:{port}/",
            f"  Django admin:         http://{host}:{port}/admin/",
        ]
        if settings.DEMO_MODE:
            lines.append(f"  Demo logins: admin / manager / officer, password: {settings.DEMO_PASSWORD}")
            lines.append(f"  admin and manager: two-factor code from this TOTP secret: {settings.DEMO_TOTP_SECRET}")
        lines += ["  Stop with Ctrl-C.", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
