"""Size tiers (亿元以上项目): derived from total investment, never typed in.

Amounts are kept in 万元 (10,000 yuan): 1亿 = 10,000万. A tier holds every project
whose total investment is at least its floor; the boundary belongs to the upper tier
(10,000万 is 1亿+, 9,999.99万 is below).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    # Keys read as words in every parser: "1e8" was a number to a YAML 1.2 reader (and so
    # to the client generators), which broke the API's schema for integrators.
    BELOW_100M = "below_100m", _("Below 100M yuan")
    ABOVE_100M = "above_100m", _("100M yuan and above")
    ABOVE_1B = "above_1b", _("1B yuan and above")
    ABOVE_10B = "above_10b", _("10B yuan and above")


# The keys before API 2.0, still accepted where they were documented (?tier= on the
# project filters, in the web pages and the API); answers always carry the new keys.
LEGACY_TIER_KEYS: dict[str, str] = {
    "below_1e8": Tier.BELOW_100M.value,
    "1e8": Tier.ABOVE_100M.value,
    "1e9": Tier.ABOVE_1B.value,
    "1e10": Tier.ABOVE_10B.value,
}


def current_tier_key(key: str) -> str:
    """A tier key as the code knows it now: legacy keys map to their new ones, anything
    else (a current key, or a wrong one left for the form to refuse) is returned as is."""
    return LEGACY_TIER_KEYS.get(key, key)


# Floors in 万元, highest first.
TIER_FLOORS: list[tuple[Decimal, Tier]] = [
    (Decimal("1000000"), Tier.ABOVE_10B),
    (Decimal("100000"), Tier.ABOVE_1B),
    (Decimal("10000"), Tier.ABOVE_100M),
]

REPORTING_THRESHOLD = Decimal("10000")  # 1亿: what "a project above 100M yuan" means


def tier_for(total_investment: Decimal | None) -> Tier:
    amount = total_investment or Decimal(0)
    for floor, tier in TIER_FLOORS:
        if amount >= floor:
            return tier
    return Tier.BELOW_100M


def tier_expression(field: str = "total_investment") -> Case:
    """The same rule as tier_for, as a database expression for annotate() and filters."""
    return Case(
        *[When(**{f"{field}__gte": floor}, then=Value(tier.value)) for floor, tier in TIER_FLOORS],
        default=Value(Tier.BELOW_100M.value),
        output_field=models.CharField(),
    )
