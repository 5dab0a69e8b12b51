"""Foreign amounts of an imported file turned into 万元 at the rate of the row's date.

The rates are reference data admins keep (crm.ExchangeRate): the rate of the day when
there is one, else the year's average. One Rates per import reads them all once (a few
dozen rows). The rate used goes with the project (Project.exchange_rate and its source),
and the foreign amount is also kept as foreign capital in 万美元: as written when in
dollars, through the US dollar rate of the same year otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from crm.models import ExchangeRate
from transfer.parsing import CNY, USD, Amount

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Converted:
    """An amount in 万元, and how it got there."""

    wan_yuan: Decimal
    written: Amount
    rate: Decimal | None = None  # yuan per unit of the written currency
    source: str = ""
    usd: Decimal | None = None  # in 万美元, for a foreign amount

    @property
    def is_foreign(self) -> bool:
        return self.written.currency != CNY

    def describe(self) -> str:
        """What the preview shows: "3000万美元 × 7.0467 = 21140.10万元"."""
        if not self.is_foreign:
            return ""
        return _("%(amount)s万%(currency)s × %(rate)s = %(yuan)s万元 (%(source)s)") % {
            "amount": self.written.value,
            "currency": self.written.currency,
            "rate": _plain(self.rate),
            "yuan": self.wan_yuan,
            "source": self.source,
        }


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def missing_rate(currency: str, year: int, amount: Amount | None = None) -> str:
    """What a row says when the table has no rate for its currency and year: which
    figure is missing and who adds it. Rates are seeded only where a published source
    could be named (crm migration 0010): the others are the admin's to add."""
    try:
        name = ExchangeRate.Currency(currency).label
    except ValueError:
        name = currency
    if amount is None:
        what = _("the amount cannot be turned into yuan")
    else:
        what = _("%(amount)s万%(currency)s cannot be turned into yuan") % {
            "amount": amount.value,
            "currency": currency,
        }
    return _(
        "No exchange rate is stored for %(name)s (%(currency)s) in %(year)s, so %(what)s. Ask an admin to add "
        "the %(year)s average rate of %(name)s, with its source, under Admin › Exchange rates, then check the "
        "file again."
    ) % {"name": name, "currency": currency, "year": year, "what": what}


class Rates:
    """The exchange-rate table, read once, answering "what was X worth on day D"."""

    def __init__(self) -> None:
        self._by_day: dict[tuple[str, dt.date], ExchangeRate] | None = None
        self._by_year: dict[tuple[str, int], ExchangeRate] = {}

    def _load(self) -> None:
        if self._by_day is not None:
            return
        self._by_day = {}
        for rate in ExchangeRate.objects.all():
            if rate.date:
                self._by_day[(rate.currency, rate.date)] = rate
            else:
                self._by_year[(rate.currency, rate.year)] = rate

    def rate(self, currency: str, on: dt.date) -> ExchangeRate | None:
        self._load()
        return self._by_day.get((currency, on)) or self._by_year.get((currency, on.year))

    def convert(self, amount: Amount, on: dt.date | None) -> Converted:
        """The amount in 万元; a foreign one at the rate of `on` (ValueError when the
        table has none for that currency and year)."""
        if amount.currency == CNY:
            return Converted(amount.value, amount)
        if on is None:
            raise ValueError(
                _("%(amount)s万%(currency)s is in a foreign currency and the row has no date to take its rate from.")
                % {"amount": amount.value, "currency": amount.currency}
            )
        rate = self.rate(amount.currency, on)
        if rate is None:
            raise ValueError(missing_rate(amount.currency, on.year, amount))
        per_unit = rate.yuan_per_unit
        wan_yuan = (amount.value * per_unit).quantize(_CENT, rounding=ROUND_HALF_UP)
        if amount.currency == USD:
            usd = amount.value
        else:
            dollar = self.rate(USD, on)
            usd = (wan_yuan / dollar.yuan_per_unit).quantize(_CENT, rounding=ROUND_HALF_UP) if dollar else None
        return Converted(wan_yuan, amount, per_unit, rate.source, usd)
