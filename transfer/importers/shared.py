"""Columns and helpers several kinds of import share: the organisation a row belongs
to, its owner and team, its country, and the contacts of an organisation."""

from __future__ import annotations

from crm import services as crm_services
from crm.models import Contact, Organisation
from transfer import parsing
from transfer.columns import Column, country_name, parse_country, parse_credit_code, reference_column, text_column
from transfer.importers.engine import RowResult
from transfer.parsing import lookup_key


def country_column() -> Column:
    return Column(
        "country",
        "国家/地区",
        "Country",
        get=lambda record: record.country.code or None,
        parse=lambda raw, _c=None: parse_country(raw),
        cell=lambda code: country_name(Organisation(country=code).country) if code else "",
        aliases=("国家", "国别", "country or region"),
    )


def owner_column() -> Column:
    return reference_column(
        "owner",
        "负责人",
        "Owner",
        "user",
        aliases=("招商专员", "责任人", "项目负责人", "对接人", "跟进人", "officer", "person in charge", "responsible"),
    )


def team_column() -> Column:
    return reference_column("team", "团队", "Team", "team", aliases=("招商小组", "小组"))


def organisation_ref_columns() -> list[Column]:
    return [
        Column(
            "organisation",
            "客商名称",
            "Organisation",
            get=lambda record: record.organisation.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=True,
            aliases=("企业名称", "单位名称", "客商", "企业", "organisation name", "company"),
            width=30,
        ),
        Column(
            "organisation_credit_code",
            "统一社会信用代码",
            "Credit code",
            get=lambda record: record.organisation.credit_code,
            parse=parse_credit_code,
            aliases=("信用代码", "unified social credit code"),
            width=22,
        ),
    ]


# --- Contacts (on their own, or with their organisation) ------------------------------


def contact_columns(prefix: str = "") -> list[Column]:
    """Contact columns; in the organisations file they carry the prefix "contact_"."""
    name_headers = ("联系人", "Contact") if prefix else ("姓名", "Name")
    columns = [
        Column(
            f"{prefix}name",
            *name_headers,
            get=lambda record: record.name,
            parse=lambda raw, _c=None: parsing.clean_text(raw),
            required=not prefix,
            aliases=("联系人姓名", "contact name") if prefix else ("联系人", "full name"),
        ),
        text_column(f"{prefix}title", "职务", "Job title", aliases=("职位", "title")),
        text_column(f"{prefix}phone", "电话", "Phone", aliases=("手机", "联系电话", "mobile")),
        text_column(f"{prefix}email", "邮箱", "E-mail", aliases=("电子邮件", "email")),
        text_column(f"{prefix}wechat", "微信", "WeChat", aliases=("微信号",)),
    ]
    for column in columns:
        if prefix:
            column.get = _contact_getter(column.key[len(prefix) :])
            column.import_only = True
    return columns


def _contact_getter(attribute: str):
    return lambda contact: getattr(contact, attribute) or ""


class ContactsMixin:
    """Find a contact of an organisation by name; create or update it through contact_save."""

    def contact_of(self, organisation: Organisation, name: str) -> Contact | None:
        cache = self.__dict__.setdefault("_contacts", {})
        if organisation.pk not in cache:
            index: dict[str, Contact] = {}
            if organisation.pk not in self.created_ids:
                for contact in organisation.contacts.all():
                    index.setdefault(lookup_key(contact.name), contact)
            cache[organisation.pk] = index
        return cache[organisation.pk].get(lookup_key(name))

    def save_contact(self, organisation: Organisation, values: dict, prefix: str, result: RowResult) -> str:
        """ "create", "update" or "unchanged" for the contact of the row."""
        name = values.get(f"{prefix}name")
        if not name:
            return "unchanged"
        fields = [f"{prefix}{attribute}" for attribute in ("title", "phone", "email", "wechat", "name_en", "notes")]
        fields += [f"{prefix}is_active"]
        contact = self.contact_of(organisation, name)
        plain = {key[len(prefix) :]: values[key] for key in fields if key in values and values[key] not in (None, "")}
        if contact is None:
            contact = Contact(organisation=organisation, name=name, **plain)
            crm_services.contact_save(contact=contact, by=self.user)
            self.__dict__["_contacts"][organisation.pk][lookup_key(name)] = contact
            result.changes.append((self.column(f"{prefix}name").header(), "", name))
            return "create"
        changed = self.changes(contact, values, fields)
        if not changed:
            return "unchanged"
        self.set_fields(
            contact, {key[len(prefix) :]: values[key] for key in changed}, [k[len(prefix) :] for k in changed]
        )
        crm_services.contact_save(contact=contact, by=self.user)
        return "update"
