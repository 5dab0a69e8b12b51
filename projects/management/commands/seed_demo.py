"""Demo data: a believable zone built from the seed article (see projects/demo/)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.models import User
from projects.demo import build_demo_zone, has_data
from projects.demo.data import DEMO_USERNAMES


class Command(BaseCommand):
    help = (
        "Load the demo zone (parks, industries, teams, missions, organisations, visits, projects) "
        "and the demo accounts admin, manager and officer into an empty database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has data.")

    def handle(self, *args, if_empty: bool, **options) -> None:
        if not settings.DEMO_MODE:
            # Demo accounts share a published password: never on a production database.
            raise CommandError("Demo data is loaded only in demo mode (DEMO_MODE=true, the default with DJANGO_DEBUG).")
        if has_data():
            if not if_empty:
                raise CommandError(
                    "The database already has organisations, projects or demo accounts; the demo zone is "
                    "loaded into an empty one. Use --if-empty to skip quietly."
                )
            self.stdout.write("Demo data already loaded (or the database is in use): nothing to do.")
        else:
            started = time.monotonic()
            with transaction.atomic():
                counts = build_demo_zone()
            self.stdout.write(self.style.SUCCESS(f"Demo zone loaded in {time.monotonic() - started:.1f} s:"))
            width = max(len(label) for label in counts)
            for label, count in counts.items():
                self.stdout.write(f"  {label:<{width}}  {count:>5}")
        self.print_logins()

    def print_logins(self) -> None:
        accounts = User.objects.filter(username__in=DEMO_USERNAMES).select_related("team")
        if not accounts:
            return
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        for user in sorted(accounts, key=lambda u: DEMO_USERNAMES.index(u.username)):
            teams = [t.name for t in [user.team, *user.managed_teams.all()] if t]
            where = f", {'、'.join(teams)}" if teams else ""
            self.stdout.write(
                f"  {user.username:<8} {user.display_name or user.username}: {user.get_role_display()}{where}"
            )
