"""Published annual average rates of the yuan, for the years of the demo and of the
ledgers offices bring. Only figures we could state with their source are here; admins
add the others (and later years) in the admin, with their source.

Left out on purpose: the euro, yen, Hong Kong dollar, won and pound. The communiqué
gives the dollar's average only, and no published annual average of the other central
parities (PBoC/CFETS, SAFE, the statistical yearbook) could be found and quoted with
its source; a rate averaged by us from daily figures, or crossed through the dollar,
would be our own figure, not a published one. A row in one of those currencies names
the missing rate and asks an admin to add it (transfer.money.missing_rate)."""

from decimal import Decimal

from django.db import migrations

# The annual average of the People's Bank of China central parity of the yuan against
# the US dollar, as the National Bureau of Statistics publishes it in each year's
# statistical communiqué (国民经济和社会发展统计公报, 全年人民币平均汇率).
USD_ANNUAL_AVERAGES = {
    2021: Decimal("6.4515"),
    2022: Decimal("6.7261"),
    2023: Decimal("7.0467"),
    2024: Decimal("7.1217"),
}
SOURCE = "国家统计局《{year}年国民经济和社会发展统计公报》: 全年人民币平均汇率 1美元兑{rate}元 (中国人民银行中间价年平均)"


def seed(apps, schema_editor):
    ExchangeRate = apps.get_model("crm", "ExchangeRate")
    alias = schema_editor.connection.alias
    for year, rate in USD_ANNUAL_AVERAGES.items():
        ExchangeRate.objects.using(alias).get_or_create(
            currency="USD",
            year=year,
            date=None,
            defaults={"per": 1, "rate": rate, "source": SOURCE.format(year=year, rate=rate)},
        )


def unseed(apps, schema_editor):
    ExchangeRate = apps.get_model("crm", "ExchangeRate")
    ExchangeRate.objects.using(schema_editor.connection.alias).filter(
        currency="USD", date=None, year__in=list(USD_ANNUAL_AVERAGES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0009_exchange_rate"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
