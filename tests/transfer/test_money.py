"""Money as offices write it (transfer.parsing.parse_amount) and foreign amounts turned
into 万元 at the rate of the row's date (transfer.money, crm.ExchangeRate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from crm.models import ExchangeRate
from transfer.money import Rates
from transfer.parsing import Amount, header_unit, parse_amount


@pytest.mark.parametrize(
    ("written", "value", "currency"),
    [
        ("3,000万美元", "3000", "USD"),
        ("３，０００万美元", "3000", "USD"),
        ("1.5亿", "15000", "CNY"),
        ("5000万元", "5000", "CNY"),
        ("2亿元人民币", "20000", "CNY"),
        ("USD 3000万", "3000", "USD"),
        ("30,000,000美元", "3000", "USD"),
        ("800万欧元", "800", "EUR"),
        ("EUR 800万", "800", "EUR"),
        ("1.5亿日元", "15000", "JPY"),
        ("2000万港元", "2000", "HKD"),
        ("HKD2000万", "2000", "HKD"),
        ("100亿韩元", "1000000", "KRW"),
        ("300000000元", "30000", "CNY"),
    ],
)
def test_amounts_in_any_currency(written, value, currency):
    assert parse_amount(written) == Amount(Decimal(value), currency)


@pytest.mark.parametrize(
    ("header", "cell", "value", "currency"),
    [
        ("总投资（亿元）", 5, "50000", "CNY"),
        ("总投资(亿元)", "1.5", "15000", "CNY"),
        ("计划总投资(万元)", "５０００", "5000", "CNY"),
        ("外资(万美元)", 3000, "3000", "USD"),
        ("投资额", 8000, "8000", "CNY"),
        ("Total investment (100M yuan)", 2, "20000", "CNY"),
        # A unit written in the cell wins over the header's
        ("总投资（亿元）", "5000万元", "5000", "CNY"),
        ("总投资（亿元）", "3000万美元", "3000", "USD"),
    ],
)
def test_a_bare_number_is_in_the_unit_of_its_header(header, cell, value, currency):
    unit = header_unit(header)
    kwargs = {"unit": unit[0], "currency": unit[1]} if unit else {}
    assert parse_amount(cell, **kwargs) == Amount(Decimal(value), currency)


@pytest.mark.parametrize("written", ["3000万美元欧元", "USD 3000万欧元", "三千万", "5亿亿", "abc"])
def test_what_is_not_an_amount_is_refused(written):
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(written)


@pytest.mark.django_db
def test_the_published_dollar_averages_are_seeded_with_their_source():
    rate = ExchangeRate.objects.get(currency="USD", year=2023, date=None)
    assert rate.rate == Decimal("7.0467") and "统计公报" in rate.source
    assert ExchangeRate.objects.get(currency="USD", year=2022, date=None).rate == Decimal("6.7261")
    assert ExchangeRate.objects.get(currency="USD", year=2024, date=None).rate == Decimal("7.1217")


@pytest.mark.django_db
def test_a_foreign_amount_turns_into_yuan_at_the_rate_of_its_year():
    converted = Rates().convert(Amount(Decimal("3000"), "USD"), dt.date(2023, 5, 1))
    assert converted.wan_yuan == Decimal("21140.10")
    assert converted.rate == Decimal("7.0467") and converted.usd == Decimal("3000")
    assert "7.0467" in converted.describe() and "21140.10" in converted.describe()


@pytest.mark.django_db
def test_a_rate_of_the_day_wins_and_yen_are_quoted_per_hundred():
    ExchangeRate.objects.create(currency="USD", year=2023, date=dt.date(2023, 6, 30), rate="7.2258", source="CFETS")
    ExchangeRate.objects.create(currency="JPY", year=2023, per=100, rate="5.0000", source="test figure")
    rates = Rates()
    assert rates.convert(Amount(Decimal("100"), "USD"), dt.date(2023, 6, 30)).wan_yuan == Decimal("722.58")
    yen = rates.convert(Amount(Decimal("15000"), "JPY"), dt.date(2023, 3, 1))
    assert yen.wan_yuan == Decimal("750.00")
    # Foreign capital in 万美元 through the dollar's rate of the same year
    assert yen.usd == (Decimal("750") / Decimal("7.0467")).quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_a_row_whose_year_has_no_rate_gets_an_error_naming_currency_and_year():
    # Only the rates a published source could be named for are seeded (the US dollar's
    # annual averages): a euro amount asks the admin for the year's euro rate.
    with translation.override("en"), pytest.raises(ValueError) as refused:
        Rates().convert(Amount(Decimal("800"), "EUR"), dt.date(2023, 5, 1))
    assert str(refused.value) == (
        "No exchange rate is stored for Euro (EUR) in 2023, so 800万EUR cannot be turned into yuan. Ask an "
        "admin to add the 2023 average rate of Euro, with its source, under Admin › Exchange rates, then check "
        "the file again."
    )
    with translation.override("zh-hans"), pytest.raises(ValueError) as refused:
        Rates().convert(Amount(Decimal("800"), "USD"), dt.date(2019, 5, 1))
    assert "2019年美元（USD）" in str(refused.value) and "汇率" in str(refused.value)
    assert "管理员" in str(refused.value)


def test_yuan_need_no_rate():
    assert Rates().convert(Amount(Decimal("5000")), None).wan_yuan == Decimal("5000")
