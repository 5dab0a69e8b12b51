"""The zone's targets, from the seed article's "12345" goals (set in February 2024 for
three years) and its yearly figures, so the dashboard shows progress against time
(时序进度). The three-year window runs from the start of last year to the end of next
year and the yearly ones over this year, counted from today like the rest of the demo.

- high-tech enterprises: more than 3,000 (1,520 when the goals were set);
- provincial-level and above specialised and innovative companies: more than 600;
- listed companies: 5 more a year, 50 in all;
- new R&D institutes: 40;
- projects above 1亿 signed in a year: 145 in 2023, total investment 1,087亿.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from projects.models import Target
from projects.tiers import Tier

M = Target.Metric


def demo_targets(today: dt.date) -> list[Target]:
    plan = (dt.date(today.year - 1, 1, 1), dt.date(today.year + 1, 12, 31))
    year = (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    rows = [
        ("高新技术企业突破3000家（“12345”目标）", M.HIGH_TECH, "", 3000, plan),
        ("省级以上专精特新企业突破600家（“12345”目标）", M.SPECIALISED, "", 600, plan),
        ("上市（过会）企业总量突破50家", M.LISTED_TOTAL, "", 50, plan),
        ("新型研发机构达到40家", M.RND_INSTITUTES, "", 40, plan),
        (f"{today.year}年新增上市企业5家", M.LISTED_NEW, "", 5, year),
        (f"{today.year}年新签亿元以上项目150个", M.SIGNED_PROJECTS, Tier.ABOVE_100M, 150, year),
        (f"{today.year}年亿元以上项目签约总投资1100亿元", M.SIGNED_INVESTMENT, Tier.ABOVE_100M, 1100, year),
    ]
    return [
        Target(name=name, metric=metric, min_tier=tier, value=Decimal(value), starts_on=start, deadline=end)
        for name, metric, tier, value, (start, end) in rows
    ]


def build_targets(today: dt.date) -> list[Target]:
    targets = demo_targets(today)
    for target in targets:
        target.full_clean()
        target.save()
    return targets
