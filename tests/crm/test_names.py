"""The one name rule (crm.names): spellings of one organisation share a key, two
organisations keep two keys; the stored name stays as typed."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from crm.models import Organisation
from crm.names import normalise_organisation_name
from crm.selectors import similar_organisations
from tests.factories import OrganisationFactory

SAME = [
    # Traditional and Simplified
    ("無錫芯源半導體有限公司", "无锡芯源半导体有限公司"),
    ("台灣積體電路製造股份有限公司", "台湾积体电路制造有限公司"),
    # Japanese forms: 製 (t2s) and 発, 鉄, 広 (shinjitai, through jp2t)
    ("株式会社村田製作所", "村田制作所"),
    ("村田製作所", "村田制作所有限公司"),
    ("(株)村田製作所", "村田制作所"),
    ("広島発電鉄工株式会社", "广岛发电铁工"),
    # Full width, spaces, both kinds of brackets, a region in brackets
    ("ＡＣＭＥ　ＧｍｂＨ", "Acme GmbH"),
    ("村田（中国）投资有限公司", "村田(中国)投资 有限公司"),
    ("村田【投资】", "村田投资"),
    ("博世（无锡）汽车部件", "博世(无锡)汽车部件有限公司"),
    # Legal forms
    ("芯源半导体集团", "芯源半导体有限公司"),
    ("芯源半导体有限责任公司", "芯源半导体股份有限公司"),
    ("Murata Co., Ltd.", "MURATA CO LTD"),
    ("Murata Manufacturing Co.,Ltd.", "murata manufacturing"),
    ("Siemens AG", "SIEMENS"),
    ("Acme Inc.", "ACME"),
    ("Sony K.K.", "Sony Corporation"),
    ("Nestle S.A.", "Nestle"),
    ("Philips B.V.", "Philips N.V."),
    ("삼성전자 주식회사", "주식회사 삼성전자"),
    ("德国精密机械GmbH", "德国精密机械 GmbH"),
]

DIFFERENT = [
    # 两个不同公司: one word apart, a legal form or a script does not make them one
    ("无锡芯源半导体有限公司", "无锡芯源微电子有限公司"),
    ("村田制作所", "村田电子"),
    ("无锡芯源半导体有限公司", "苏州芯源半导体有限公司"),
    ("上海沪光集团", "上海滤光集团"),  # 沪 must not become 滤 (jp2t over a whole Chinese name would)
    ("研华科技", "硏华科技"),
    ("Siemens AG", "Siemens Healthineers AG"),
    ("Agfa", "Ag"),
    ("中国银行", "银行"),
]


@pytest.mark.parametrize(("one", "other"), SAME)
def test_spellings_of_one_organisation_share_a_key(one, other):
    assert normalise_organisation_name(one) == normalise_organisation_name(other) != ""


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_two_organisations_keep_two_keys(one, other):
    assert normalise_organisation_name(one) != normalise_organisation_name(other)


@pytest.mark.django_db
def test_the_stored_name_stays_as_typed_and_its_key_is_simplified():
    organisation = OrganisationFactory(name="無錫芯源半導體有限公司", name_en="Wuxi Xinyuan Co., Ltd.")
    organisation.refresh_from_db()
    assert organisation.name == "無錫芯源半導體有限公司"
    assert organisation.name_key == "无锡芯源半导体"
    assert organisation.name_en_key == "wuxixinyuan"


@pytest.mark.django_db
def test_the_duplicate_warning_finds_the_traditional_spelling():
    simplified = OrganisationFactory(name="无锡芯源半导体有限公司")
    OrganisationFactory(name="无锡芯源微电子有限公司")
    assert similar_organisations(name="無錫芯源半導體有限公司") == [simplified]
    assert similar_organisations(name="株式会社村田製作所") == []
    murata = OrganisationFactory(name="村田制作所")
    assert similar_organisations(name="株式会社村田製作所") == [murata]


@pytest.mark.django_db
def test_the_data_migration_recomputes_the_stored_keys():
    organisation = OrganisationFactory(name="無錫芯源半導體有限公司", name_en="ACME GmbH")
    other = OrganisationFactory(name="村田电子")
    # Keys as the rule before this one wrote them
    Organisation.objects.filter(pk=organisation.pk).update(name_key="無錫芯源半導體", name_en_key="acme")
    migration = import_module("crm.migrations.0008_recompute_name_keys_one_rule")
    migration.recompute_name_keys(apps, SimpleNamespace(connection=connection))
    assert Organisation.objects.get(pk=organisation.pk).name_key == "无锡芯源半导体"
    assert Organisation.objects.get(pk=other.pk).name_key == "村田电子"
