"""One importer per list (organisations, contacts, missions, visits, projects, funds), each in
its own module beside the row engine they share (engine.py): its columns, how a row
finds the record it is about, and how it is written, always through the services of
crm, projects and funds (rules, permissions and history apply as for a person's edit)."""

from __future__ import annotations

from transfer.importers.contacts import ContactImporter
from transfer.importers.engine import NEW, Importer, RowError, RowResult
from transfer.importers.funds import FundsImporter
from transfer.importers.missions import MissionImporter
from transfer.importers.organisations import OrganisationImporter
from transfer.importers.projects import ProjectImporter
from transfer.importers.visits import VisitImporter

IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        OrganisationImporter,
        ContactImporter,
        MissionImporter,
        VisitImporter,
        ProjectImporter,
        FundsImporter,
    )
}

__all__ = ["IMPORTERS", "NEW", "Importer", "RowError", "RowResult"]
