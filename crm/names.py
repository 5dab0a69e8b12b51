"""The name two spellings of one organisation share, used to find an organisation by
any of its spellings (the imports). Stored beside each name
(Organisation.name_key, name_en_key) so that a few names are found by an index."""

from __future__ import annotations

import re
import unicodedata

from django.db import models

# Legal forms and decorations that do not tell one organisation from another. Longest first.
_LEGAL_SUFFIXES = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd.",
    "co.ltd",
    "coltd",
    "company limited",
    "corporation",
    "limited",
    "corp.",
    "corp",
    "inc.",
    "inc",
    "ltd.",
    "ltd",
    "gmbh",
    "co.",
    "llc",
    "plc",
]
_LATIN_SUFFIX = re.compile(r"[\s,.]*\b(co|company|corp|corporation|inc|ltd|limited|gmbh|llc|plc|ag|kk)\b[\s,.]*$")
_REGION_IN_BRACKETS = re.compile(r"[(\[{]\s*(中国|china|prc|上海|北京|无锡|江苏|苏州|深圳)\s*[)\]}]", re.IGNORECASE)


def normalise_organisation_name(name: str) -> str:
    """The name two spellings of one organisation share.

    村田（中国）投资有限公司, 村田(中国)投资 有限公司 and 村田投资股份有限公司 all give
    "村田投资"; "Murata Co., Ltd." and "MURATA CO LTD" give "murata".
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _REGION_IN_BRACKETS.sub("", text)
    text = re.sub(r"[\s\u3000]+", " ", text).strip()
    changed = True
    while changed:
        changed = False
        stripped = text.rstrip(" ,.")
        for suffix in _LEGAL_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                text = stripped[: -len(suffix)]
                changed = True
                break
        else:
            text = stripped
        # Latin legal words as whole words: "Murata Co., Ltd", "MURATA CO LTD"
        latin = _LATIN_SUFFIX.sub("", text)
        if latin != text and latin.strip(" ,."):
            text = latin
            changed = True
    return re.sub(r"[\s()\[\]{}（）【】\-_,.·'\"&]+", "", text)


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
