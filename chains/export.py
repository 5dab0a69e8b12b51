"""The chain map as an Excel workbook, from the same selector as the page."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from chains.selectors import ChainMap
from core.i18n import display_name

# A cell starting with one of these would be read as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def map_workbook(chain_map: ChainMap) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Chain map")[:31])
    sheet.append(
        [
            _("Chain"),
            _("Chain link"),
            _("State"),
            _("Organisation"),
            _("Leading firm"),
            _("Stage"),
            _("Total investment (10k yuan)"),
            _("Note"),
        ]
    )
    states = ((_("In the zone"), "in_zone"), (_("Pipeline"), "pipeline"), (_("Target"), "targets"))
    for chain in chain_map.chains:
        for row in chain.links:
            written = False
            for label, attr in states:
                for entry in getattr(row, attr):
                    projects = entry.projects or [None]
                    for project in projects:
                        sheet.append(
                            [
                                neutralise(value)
                                for value in (
                                    display_name(chain.chain),
                                    display_name(row.link),
                                    label,
                                    entry.organisation.name,
                                    _("Yes") if entry.is_leader else "",
                                    project.get_stage_display() if project else "",
                                    float(project.total_investment) if project else None,
                                    entry.target.note if entry.target else (project.name if project else ""),
                                )
                            ]
                        )
                        written = True
            if not written:
                sheet.append(
                    [
                        neutralise(display_name(chain.chain)),
                        neutralise(display_name(row.link)),
                        _("Gap"),
                        "",
                        "",
                        "",
                        None,
                        "",
                    ]
                )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
