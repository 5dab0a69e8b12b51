"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (digits and capitals without I, O, S,
V, Z); the last one is a check character: weights 3^i mod 31 over the first 17.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Codes are written in upper case; people paste them with spaces and lower case."""
    return "".join(code.split()).upper().translate(_FULL_WIDTH)


# Full-width digits and letters (from a Chinese input method) to their ASCII twins.
_FULL_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF21 + i: 0x41 + i for i in range(26)}


def validate_credit_code(value: str) -> None:
    code = normalise(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="credit_code_characters",
            params={"chars": "、".join(bad)},
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "%(code)s fails the GB 32100 check: with these first 17 characters the check character "
                "(the last one, %(given)s) should be %(expected)s. Please look for a typing error."
            ),
            code="credit_code_check",
            params={"code": code, "given": code[17], "expected": expected},
        )


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return first17 + check_character(first17)
