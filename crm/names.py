"""The one name rule: the form two spellings of one organisation share.

Used wherever the CRM asks "is this the same organisation?": the imports (an investor
named in a file), the duplicate warning of the organisation form, the stored keys
beside each name (Organisation.name_key, name_en_key, found by an index) and the
merge's candidates. Only for matching: the stored name stays as it was typed.

The rule, in order:
- full-width letters, digits, brackets and spaces to their half-width twins (NFKC);
- Traditional characters to Simplified (OpenCC "t2s": 無錫 -> 无锡, 製 -> 制), and the
  Japanese new forms that t2s leaves alone (広, 発, 鉄, 沢) through their Traditional
  form ("jp2t" then "t2s"). The Japanese step is taken only for characters outside
  the Simplified set (GB 2312): run over a whole Chinese name it would turn 沪 into
  滤 and 研 into 硏;
- upper and lower case, spaces and both kinds of brackets do not count, nor does a
  bracketed region (（中国）, (China));
- legal forms at either end do not count: 有限公司, 股份有限公司, 有限责任公司, 集团,
  株式会社, 주식회사, Co., Ltd., Inc., GmbH, AG, K.K., S.A., B.V., ...
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

from django.db import models

# Chinese, Japanese and Korean legal forms and decorations that do not tell one
# organisation from another, compared after folding to Simplified. Longest first.
_CJK_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "控股有限公司",
    "有限公司",
    "股份公司",
    "分公司",
    "公司",
    "集团",
    "株式会社",
    "有限会社",
    "合同会社",
    "주식회사",
    "유한회사",
    "(株)",
    "(有)",
    "(주)",
)
# The same at the start of a name: 株式会社村田制作所, (株)村田, 주식회사 삼성.
_CJK_PREFIXES = ("株式会社", "有限会社", "合同会社", "주식회사", "유한회사", "(株)", "(有)", "(주)")

# Latin legal forms as whole words at the end, dots and commas optional:
# "Murata Co., Ltd.", "MURATA CO LTD", "Siemens AG", "Philips N.V.", "Sony K.K.".
_LATIN_FORMS = (
    r"co|company|corp|corporation|incorporated|inc|ltd|limited|gmbh|llc|plc|pte|pty|"
    r"ag|se|kg|k\.?k|s\.?a|s\.?a\.?s|s\.?p\.?a|s\.?r\.?l|b\.?v|n\.?v|sdn\.?\s*bhd|bhd|oy|ab|as|group"
)
# After a space, a comma, a dot, or straight after a Chinese name (德国精密机械GmbH).
_LATIN_SUFFIX = re.compile(rf"(?:^|[\s,.]+|(?<=[^\x00-\x7f]))(?:{_LATIN_FORMS})[\s,.]*$")
_REGION_IN_BRACKETS = re.compile(
    r"[(\[{]\s*(中国|china|prc|上海|北京|无锡|江苏|苏州|深圳|香港|hong kong)\s*[)\]}]",
    re.IGNORECASE,
)
# What is left out of the key: spaces, brackets of both kinds and punctuation.
_NOISE = re.compile(r"[\s()\[\]{}【】\-_,.·'\"&/、]+")

_converters = None
_converters_lock = threading.Lock()


def _opencc():
    """The two OpenCC converters, made once on first use (each loads its dictionaries)."""
    global _converters
    if _converters is None:
        with _converters_lock:
            if _converters is None:
                import opencc

                _converters = (opencc.OpenCC("t2s"), opencc.OpenCC("jp2t"))
    return _converters


def _in_simplified_set(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


# A ledger names the same few hundred investors thousands of times, and each name is
# asked for several times per row (the preload, the lookup, the key written): the
# answers are kept, for names and for the OpenCC conversions under them.
_CACHED = 1 << 16


@functools.lru_cache(maxsize=_CACHED)
def to_simplified(text: str) -> str:
    """Traditional and Japanese-form characters to Simplified; other text unchanged."""
    if text.isascii():
        return text
    t2s, jp2t = _opencc()
    text = t2s.convert(text)
    if all(_in_simplified_set(ch) for ch in text if "\u3400" <= ch <= "\u9fff"):
        return text
    return "".join(
        t2s.convert(jp2t.convert(ch)) if "\u3400" <= ch <= "\u9fff" and not _in_simplified_set(ch) else ch
        for ch in text
    )


def _strip_legal_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        stripped = text.strip(" ,.")
        for suffix in _CJK_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)]
                changed = True
                break
        for prefix in _CJK_PREFIXES:
            if stripped.startswith(prefix) and len(stripped) > len(prefix):
                stripped = stripped[len(prefix) :]
                changed = True
                break
        latin = _LATIN_SUFFIX.sub("", stripped)
        if latin != stripped and latin.strip(" ,."):
            stripped = latin
            changed = True
        text = stripped
    return text


@functools.lru_cache(maxsize=_CACHED)
def normalise_organisation_name(name: str) -> str:
    """The name two spellings of one organisation share (for matching only).

    村田（中国）投资有限公司, 村田(中国)投资 有限公司 and 村田投资股份有限公司 all give
    "村田投资"; 無錫芯源半導體有限公司 gives what 无锡芯源半导体有限公司 gives;
    "Murata Co., Ltd." and "MURATA CO LTD" give "murata".
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = to_simplified(text).lower()
    text = _REGION_IN_BRACKETS.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _strip_legal_forms(text)
    return _NOISE.sub("", text)


class NameKeyField(models.CharField):
    """The normal form of another field of the same record (`source`), written whenever
    the record is saved, created in bulk included; never edited by hand."""

    def __init__(self, *args, source: str = "", **kwargs) -> None:
        self.source = source
        kwargs.setdefault("max_length", 300)
        kwargs["blank"] = True
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("blank", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = normalise_organisation_name(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
