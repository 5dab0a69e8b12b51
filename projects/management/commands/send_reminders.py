"""Run one reminder sweep by hand and print what it sent.

The same sweep beat runs every few minutes, so running this while workers run is
safe: whatever one of them sent, the other skips. E-mail goes from here too (red
alerts, and digests when they are due), so it works with the broker down.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core import notifications
from core.models import AlertLevel
from projects import reminders


class Command(BaseCommand):
    help = "Send the reminders that are due now (one sweep) and print them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show what is due; send nothing.")
        parser.add_argument("--no-mail", action="store_true", help="Leave e-mail to the workers.")

    def handle(self, *args, dry_run: bool, no_mail: bool, **options) -> None:
        result = reminders.preview() if dry_run else reminders.sweep()
        for item in result.sent:
            names = ", ".join(str(person) for person in item.recipients) or "-"
            level = AlertLevel(item.reminder.level).label
            self.stdout.write(f"[{level}] {item.title} -> {names}")
        verb = "due" if dry_run else "sent"
        self.stdout.write(self.style.SUCCESS(f"{len(result.sent)} reminders {verb}, {result.notified} notifications."))
        if dry_run or no_mail:
            return
        due = notifications.mail_due()
        immediate = sum(notifications.send_immediate(user_id) for user_id in sorted({*result.mail_now, *due.immediate}))
        digests = sum(1 for user_id in due.digest_users if notifications.send_digest(user_id, due.day))
        self.stdout.write(f"E-mail: {immediate} at once, {digests} digests.")
