"""Many new organisations at once (an import naming investors the CRM does not have):
written in a few statements (COPY on PostgreSQL), each as organisation_save would have
written it, with its first history row."""

from __future__ import annotations

from crm.models import Organisation
from crm.names import normalise_organisation_name
from crm.services import organisations_create_many


def test_each_organisation_is_written_with_its_key_its_owner_and_its_first_history_row(db, officer):
    organisations = [
        Organisation(name=" 無錫芯源半導體有限公司 ", credit_code="91350700m000100y42"),
        Organisation(name="Murata Co., Ltd.", country="JP"),
    ]
    organisations_create_many(organisations=organisations, by=officer)

    stored = {organisation.name: organisation for organisation in Organisation.objects.all()}
    chip = stored["無錫芯源半導體有限公司"]
    assert chip.pk == organisations[0].pk
    assert chip.credit_code == "91350700M000100Y42"
    assert chip.name_key == normalise_organisation_name("无锡芯源半导体有限公司")
    assert chip.owner == officer and chip.team == officer.team
    assert chip.created_at is not None and chip.country.code == "CN"
    assert stored["Murata Co., Ltd."].country.code == "JP"
    assert stored["Murata Co., Ltd."].name_key == "murata"
    for organisation in stored.values():
        (first,) = organisation.history.all()
        assert first.history_type == "+" and first.history_user == officer
        assert first.name == organisation.name and first.country.code == organisation.country.code
    # Found again by their keys, as the next import looks them up.
    assert Organisation.objects.get(name_key="无锡芯源半导体").pk == chip.pk
