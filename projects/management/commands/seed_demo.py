"""Demo data: a believable zone built from the seed article (built in projects/demo.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from core.models import User


class Command(BaseCommand):
    help = "Load the demo zone and the demo accounts admin, manager and officer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if demo data is already there.")

    @transaction.atomic
    def handle(self, *args, if_empty: bool, **options) -> None:
        if if_empty and User.objects.filter(username="admin").exists():
            self.stdout.write("Demo data already loaded.")
            return
        for username, role in [
            ("admin", User.Role.ADMIN),
            ("manager", User.Role.MANAGER),
            ("officer", User.Role.OFFICER),
        ]:
            user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        self.stdout.write(f"Demo accounts: admin / manager / officer, password {settings.DEMO_PASSWORD}")
