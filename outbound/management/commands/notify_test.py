"""Send one test message to a robot and print the platform's answer.

manage.py notify_test --kind wecom|dingtalk|feishu|webhook --url URL [--secret S]
manage.py notify_test CHANNEL_ID
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from outbound import services
from outbound.models import Channel, Platform


class Command(BaseCommand):
    help = "Send one test message to a group robot (a stored channel, or any address) and print its answer."

    def add_arguments(self, parser):
        parser.add_argument("channel", nargs="?", type=int, help="id of a stored channel")
        parser.add_argument("--kind", choices=[choice.value for choice in Platform])
        parser.add_argument("--url")
        parser.add_argument("--secret", default="")

    def handle(self, *args, channel=None, kind=None, url=None, secret="", **options):
        if channel is not None:
            stored = Channel.objects.filter(pk=channel).first()
            if stored is None:
                raise CommandError(f"No channel with id {channel}.")
            answer = services.channel_test(channel=stored)
            name = stored.name
        else:
            if not (kind and url):
                raise CommandError("Give a CHANNEL_ID, or --kind and --url.")
            try:
                services.channel_check(platform=kind, url=url, secret=secret)
            except DomainError as error:
                raise CommandError(str(error)) from error
            answer = services.post_test(platform=kind, url=url, secret=secret)
            name = kind
        status = answer.status if answer.status is not None else "-"
        self.stdout.write(f"{name}: HTTP {status} {answer.detail}")
        if not answer.ok:
            raise CommandError(
                "The platform did not take the message" + (" (try again later)." if answer.retry else ".")
            )
