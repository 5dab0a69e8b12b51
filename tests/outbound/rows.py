"""One of each record of the outbound app, for tests that walk every admin page."""

from __future__ import annotations

from outbound.models import Channel, OutboundMessage


def add_outbound_rows(owner) -> None:
    """A team's robot with one message waiting (the address points nowhere: no test here sends)."""
    n = Channel.objects.count()
    channel = Channel.objects.create(
        name=f"招商群{n}",
        platform="wecom",
        url=f"http://127.0.0.1:9/wecom/send?key=rows-{n}",
        team=owner.team,
    )
    OutboundMessage.objects.create(channel=channel, key="rows", kind="test", title="测试", text="测试")
