"""Collisions (撞单): another team working on an organisation's group while one team
holds its first-contact registration (首谈报备). The claims app, above projects,
keeps the registrations; crm and projects must not import it, so it registers its
two functions here from its AppConfig.ready():

- `peek(organisation_id, team_id)`: the notice the team would get, without writing
  (forms show it as soon as an organisation is picked; an import's preview);
- `record(touches)`: called inside the writing transaction by the services that write
  visits and projects (whatever the entry point: web, API, import, admin); for each
  touch it renews the holder's protection or records the collision and tells both
  teams' managers, and returns the notice for the person who wrote (or None).

Without the claims app installed both answer nothing. The notice says who holds the
group and since when, and nothing more: it is all another team may learn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.models import User


@dataclass(frozen=True)
class Touch:
    """Someone of `team_id` worked on `organisation_id` on `on` (a visit, a lead, a project)."""

    organisation_id: int
    team_id: int | None
    by: User
    via: str  # "visit", "project", "lead", ...
    on: dt.date


@dataclass(frozen=True)
class Notice:
    """What a team is told about another team's registration."""

    organisation_name: str  # the organisation registered (may be the parent of the one touched)
    holder_team: str
    since: dt.date

    @property
    def text(self) -> str:
        from django.utils.translation import gettext as _

        return _(
            "%(organisation)s (or its group) was registered first by %(team)s on %(since)s. "
            "Both teams' managers are told; a manager decides who carries it."
        ) % {"organisation": self.organisation_name, "team": self.holder_team, "since": self.since}

    def __str__(self) -> str:
        return self.text


@dataclass
class Registry:
    peek: Callable[[int, int | None], Notice | None] | None = None
    record: Callable[[Sequence[Touch]], list[Notice | None]] | None = None
    # For the organisation page: who holds the group (any team), and where to register.
    holder: Callable[[int], Notice | None] | None = None
    register_url: Callable[[int], str] | None = None
    # For many rows: returns a peek that reads nothing more.
    snapshot: Callable[[], Callable[[int | None, int | None], Notice | None]] | None = None


registry = Registry()


def register(
    *,
    peek: Callable[..., Any],
    record: Callable[..., Any],
    holder: Callable[..., Any],
    register_url: Callable[..., Any],
    snapshot: Callable[..., Any],
) -> None:
    registry.snapshot = snapshot
    registry.peek = peek
    registry.record = record
    registry.holder = holder
    registry.register_url = register_url


def holder_of(organisation_id: int) -> Notice | None:
    """The open registration of the organisation's group, whoever holds it."""
    return registry.holder(organisation_id) if registry.holder else None


def peek_many() -> Callable[[int | None, int | None], Notice | None]:
    """A peek for many rows (an import's check): the registrations are read once."""
    if registry.snapshot is None:
        return lambda organisation_id, team_id: None
    return registry.snapshot()


def register_url(organisation_id: int) -> str:
    return registry.register_url(organisation_id) if registry.register_url else ""


def notice_for(organisation_id: int | None, team_id: int | None) -> Notice | None:
    if registry.peek is None or organisation_id is None:
        return None
    return registry.peek(organisation_id, team_id)


def record(touches: Sequence[Touch]) -> list[Notice | None]:
    """One answer per touch (None where nobody else holds the group)."""
    if registry.record is None or not touches:
        return [None] * len(touches)
    return registry.record(touches)
