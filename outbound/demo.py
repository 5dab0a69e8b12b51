"""The demo's group robots and calendar addresses.

One robot per platform, each pointing at 127.0.0.1 port 9 under a path that says
"demo": nothing listens there, so the demo shows what an admin sees when a robot does
not answer (the messages wait, the robot turns "failing"), and nothing ever leaves the
machine. The demo accounts get fixed calendar addresses (README: Calendar feeds).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.services import calendar_token_renew
from core.models import Team, User
from outbound import brief, escalations
from outbound.models import Channel
from projects.demo.data import DEMO_USERNAMES, EU, JK

DEMO_ADDRESS = "http://127.0.0.1:9/demo-robot"
DEMO_SECRET = "SECdemo-not-a-real-secret"

ROBOTS = [
    # name, platform, path, team, language, brief time
    ("招商局企业微信群", "wecom", "/wecom/send?key=DEMO-not-a-real-key", None, "zh-hans", dt.time(8, 30)),
    (
        "日韩招商组钉钉群",
        "dingtalk",
        "/dingtalk/send?access_token=DEMO-not-a-real-token",
        JK,
        "zh-hans",
        dt.time(8, 45),
    ),
    ("Europe team Feishu group", "feishu", "/feishu/hook/DEMO-not-a-real-hook", EU, "en", dt.time(9, 0)),
    ("招商数据平台", "webhook", "/webhook", None, "zh-hans", None),
]


def calendar_token_for(username: str) -> str:
    return f"demo-calendar-{username}"


def build_outbound_demo() -> dict[str, int]:
    teams = dict(Team.objects.values_list("name", "pk"))
    for name, platform, path, team, language, brief_at in ROBOTS:
        Channel.objects.update_or_create(
            name=name,
            defaults={
                "platform": platform,
                "url": DEMO_ADDRESS + path,
                "secret": DEMO_SECRET if platform in ("dingtalk", "feishu", "webhook") else "",
                "team_id": teams.get(team) if team else None,
                "language": language,
                "brief_at": brief_at,
            },
        )
    for user in User.objects.filter(username__in=DEMO_USERNAMES):
        calendar_token_renew(user=user, token=calendar_token_for(user.username))
    # Today's briefs and whatever is escalated already, waiting for the robots.
    now = timezone.localtime().replace(hour=23, minute=59)
    queued = brief.briefs_queue(now=now) + escalations.escalations_queue()
    return {"robots": len(ROBOTS), "robot messages": queued}
