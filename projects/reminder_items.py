"""Reminders about records of the apps built above projects (promise checks, problems,
leads, ...): the one place where such an app tells the sweep what it watches.

The sweep (projects.reminders) knows projects, visits and missions by itself. An app
above projects registers one ItemKind per ReminderRule kind it adds, from its
AppConfig.ready(); the sweep then asks it, for each active rule of that kind:

- `parts(window, today, sent)`: the querysets of what is due in the window and not yet
  in `sent` (the rule's Reminder rows), each shaped with `projects.reminders.shape(...,
  item=F("pk"), due=F("<date column>"))`; the sweep unions them with its own parts, so
  the claim, the exactly-once key (rule, item, stage, due date) and the chunking are the
  same as for milestones;
- `load(ids)`: the items by id, with what `describe` and `recipients` read;
- `recipients(reminder, item, people)`: who is told (`people` has the managers of each
  team and department, loaded once per sweep);
- `describe(reminder, item, today)`: a title and details in the active language.

The Reminder row keeps the item's id in `item_id`; the rule's kind says which model.
This module imports nothing of projects, so projects.models can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ItemKind:
    kind: str
    parts: Callable[..., list]
    load: Callable[[Iterable[int]], dict[int, Any]]
    recipients: Callable[..., list]
    describe: Callable[..., tuple[str, str]]


ITEM_KINDS: dict[str, ItemKind] = {}


def register(item_kind: ItemKind) -> None:
    ITEM_KINDS[item_kind.kind] = item_kind


def load_item(reminder) -> Any:
    """The item a reminder row is about (None when its kind is no longer registered or
    the item was deleted)."""
    item_kind = ITEM_KINDS.get(reminder.rule.kind)
    if item_kind is None or reminder.item_id is None:
        return None
    return item_kind.load([reminder.item_id]).get(reminder.item_id)


# --- After a sweep ------------------------------------------------------------------------
# Apps above projects that pass escalations on (group robots, outbound) register a
# callable here; projects.tasks.sweep_reminders calls each with the sweep's result after
# the sweep committed. A listener must be safe to call twice and must find for itself
# what an earlier call missed (the result is a hint, not the record).
SWEEP_LISTENERS: list[Callable[[Any], None]] = []


def after_sweep(listener: Callable[[Any], None]) -> None:
    if listener not in SWEEP_LISTENERS:
        SWEEP_LISTENERS.append(listener)
