"""The unified social credit code (统一社会信用代码): what an officer types is checked,
tidied and kept unique."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.errors import DomainError
from crm.credit_code import make_credit_code, normalise, validate_credit_code
from crm.models import Organisation
from crm.services import organisation_save
from tests.factories import OrganisationFactory

# The code the acceptance list names as valid.
VALID = "91350100M000100Y43"


def refusal(code: str, language: str = "en") -> tuple[str, str]:
    """(error code, message in `language`) of refusing `code`; messages are lazy, so
    they are read while the language is active."""
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            validate_credit_code(code)
        return caught.value.error_list[0].code, caught.value.messages[0]


def test_a_valid_code_is_accepted():
    validate_credit_code(VALID)


def test_make_credit_code_completes_the_check_character():
    assert make_credit_code(VALID[:17]) == VALID


# GB 32100-2015 as printed: the character set (no I, O, S, V, Z), the weight of each
# of the first 17 positions, and C18 = 31 - (sum mod 31), where 31 stands for 0.
STANDARD_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
STANDARD_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def standard_check(first17: str) -> str:
    c18 = 31 - sum(STANDARD_CHARACTERS.index(ch) * w for ch, w in zip(first17, STANDARD_WEIGHTS, strict=True)) % 31
    return "0" if c18 == 31 else STANDARD_CHARACTERS[c18]


def test_every_check_character_agrees_with_the_standards_formula():
    bodies = [f"91320214MA{n:07d}" for n in range(400)] + [f"12100000{n:04d}A0{n % 10}XY" for n in range(400)]
    produced = {make_credit_code(body)[-1] for body in bodies}
    for body in bodies:
        assert make_credit_code(body) == body + standard_check(body)
        validate_credit_code(body + standard_check(body))
    # The edge cases 0 (sum divisible by 31) and Y (remainder 1) are among them.
    assert set(STANDARD_CHARACTERS) == produced


@pytest.mark.parametrize("wrong_last", ["0", "4", "A", "Y"])
def test_a_wrong_check_character_is_refused_with_a_message_about_it(wrong_last):
    code, message = refusal(VALID[:17] + wrong_last)
    assert code == "credit_code_check"
    assert "check character" in message
    assert f"the last one, {wrong_last}" in message
    # It names the standard and the character the code should end with.
    assert "fails the GB 32100 check" in message
    assert "should be 3." in message  # VALID ends with 3


def test_the_check_message_names_the_expected_character_in_chinese_too():
    code, message = refusal("91350700M000100Y43", "zh-hans")
    assert code == "credit_code_check"
    assert "GB 32100" in message and "91350700M000100Y43" in message
    assert make_credit_code("91350700M000100Y4")[-1] in message


def test_a_typing_error_in_the_body_is_caught_by_the_check_character():
    # One character mistyped (1 -> 7) in the middle: the check character no longer fits.
    assert refusal("91350700M000100Y43")[0] == "credit_code_check"


@pytest.mark.parametrize("code", [VALID[:17], VALID + "3", "", "9135"])
def test_a_code_of_the_wrong_length_is_refused_saying_how_long_it_is(code):
    assert refusal(code) == (
        "credit_code_length",
        f"A unified social credit code has 18 characters; this one has {len(code)}.",
    )


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet_are_refused_by_name(letter):
    code = VALID[:8] + letter + VALID[9:]
    assert refusal(code) == ("credit_code_characters", f"A unified social credit code cannot contain {letter}.")


def test_punctuation_is_refused_before_the_check_character_is_computed():
    assert refusal("91350100-000100Y43")[1] == "A unified social credit code cannot contain -."


@pytest.mark.parametrize(
    "typed",
    [
        "91350100m000100y43",  # lower case
        " 9135 0100 M000 100Y 43 ",  # spaces, as printed on a licence
        "\u3000９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, from a Chinese input method
        "９１３５０１００ｍ000100ｙ43",  # mixed full-width lower case
    ],
)
def test_lower_case_spaces_and_full_width_characters_are_normalised(typed):
    assert normalise(typed) == VALID
    validate_credit_code(typed)


def test_the_messages_exist_in_chinese_too():
    for code in [VALID[:17] + "0", "9135", VALID[:8] + "I" + VALID[9:]]:
        assert refusal(code, "zh-hans")[1].strip()


# --- Through the service ----------------------------------------------------------


@pytest.mark.django_db
def test_organisation_save_stores_the_normalised_code(officer):
    organisation = Organisation(name="  福州测试有限公司 ", credit_code=" 9135 0100 m000 100y 43")
    organisation_save(organisation=organisation, by=officer)
    organisation.refresh_from_db()
    assert organisation.credit_code == VALID
    assert organisation.name == "福州测试有限公司"


@pytest.mark.django_db
def test_organisation_save_refuses_a_wrong_check_character_on_the_credit_code_field(officer):
    organisation = Organisation(name="福州测试有限公司", credit_code=VALID[:17] + "0")
    with translation.override("en"), pytest.raises(DomainError) as caught:
        organisation_save(organisation=organisation, by=officer)
    assert caught.value.field == "credit_code"
    assert "check character" in str(caught.value)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_credit_code_is_refused_naming_the_organisation_that_has_it(officer):
    OrganisationFactory(name="村田电子（无锡）有限公司", credit_code=VALID, owner=officer)
    # The same code typed differently is still the same code.
    copy = Organisation(name="村田电子", credit_code=VALID.lower())
    with translation.override("en"), pytest.raises(DomainError) as caught:
        organisation_save(organisation=copy, by=officer)
    assert caught.value.code == "duplicate_credit_code"
    assert caught.value.field == "credit_code"
    assert str(caught.value) == "Another organisation already has this credit code: 村田电子（无锡）有限公司."
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_duplicate_credit_code_is_refused_in_chinese_too(officer):
    OrganisationFactory(credit_code=VALID, owner=officer)
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        organisation_save(organisation=Organisation(name="另一家公司", credit_code=VALID), by=officer)
    assert str(caught.value).strip()


@pytest.mark.django_db
def test_an_organisation_keeps_its_own_code_when_edited(officer):
    organisation = OrganisationFactory(credit_code=VALID, owner=officer)
    organisation.city = "福州"
    organisation_save(organisation=organisation, by=officer)
    organisation.refresh_from_db()
    assert organisation.city == "福州"
    assert organisation.credit_code == VALID


@pytest.mark.django_db
def test_several_organisations_may_have_no_credit_code(officer):
    # Universities abroad, chambers, foreign investors: no Chinese credit code.
    for name in ["Fraunhofer IIS", "Korea Chamber of Commerce", "Tokyo University"]:
        organisation_save(organisation=Organisation(name=name, country="DE", credit_code=""), by=officer)
    assert Organisation.objects.filter(credit_code="").count() == 3
