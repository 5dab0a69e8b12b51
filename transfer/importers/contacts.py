"""The contacts file: one row per contact of an organisation."""

from __future__ import annotations

from crm import services as crm_services
from crm.models import Contact
from transfer.columns import bool_column, id_column, text_column
from transfer.importers.engine import Importer, RowResult
from transfer.importers.shared import ContactsMixin, contact_columns, organisation_ref_columns


class ContactImporter(ContactsMixin, Importer):
    kind = "contacts"
    organisation_columns = ("organisation", "organisation_credit_code")
    columns = [
        id_column(),
        *organisation_ref_columns(),
        *contact_columns(),
        text_column("name_en", "英文姓名", "Name in English"),
        text_column("notes", "备注", "Notes", width=30),
        bool_column("is_active", "是否在职", "Still works there", aliases=("在职",)),
    ]

    def apply(self, values: dict, result: RowResult) -> None:
        result.label = values["name"]
        if values.get("id"):
            contact = self.record_by_id(Contact, values["id"])
            keys = ["name", "title", "phone", "email", "wechat", "name_en", "notes", "is_active"]
            changed = self.changes(contact, values, keys)
            if changed:
                self.set_fields(contact, values, changed)
                crm_services.contact_save(contact=contact, by=self.user)
            result.action = "update" if changed else "unchanged"
            result.signature = f"id:{contact.pk}|{len(result.changes)}"
            return
        organisation = self.organisation_named(values, name_key="organisation", code_key="organisation_credit_code")
        result.action = self.save_contact(organisation, values, "", result)
        # An organisation this file creates has another id in the check than in the commit.
        named = "new" if organisation.pk in self.created_ids else organisation.pk
        result.signature = f"{named}|{result.action}|{len(result.changes)}"
