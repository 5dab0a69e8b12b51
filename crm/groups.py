"""Organisation groups (集团): a subsidiary names its parent (Organisation.parent), and
the group is the whole tree under the top parent. 村田（中国）投资有限公司 and
株式会社村田製作所 are one group: a claim on either covers both.

Groups are shallow (a parent, its subsidiaries, theirs): the walks below read one
level per query and stop at MAX_DEPTH, so a damaged tree cannot loop forever."""

from __future__ import annotations

from crm.models import Organisation

MAX_DEPTH = 12


def ancestor_ids(organisation_id: int) -> list[int]:
    """The parents of an organisation, nearest first (without itself)."""
    found: list[int] = []
    current = organisation_id
    for _level in range(MAX_DEPTH):
        parent_id = Organisation.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        if parent_id is None or parent_id in found or parent_id == organisation_id:
            break
        found.append(parent_id)
        current = parent_id
    return found


def group_root_id(organisation_id: int) -> int:
    """The top parent of the organisation's group (itself when it has no parent)."""
    ancestors = ancestor_ids(organisation_id)
    return ancestors[-1] if ancestors else organisation_id


def descendant_ids(organisation_id: int) -> set[int]:
    """The subsidiaries of an organisation, theirs, and so on (without itself)."""
    found: set[int] = set()
    level = {organisation_id}
    for _level in range(MAX_DEPTH):
        level = set(Organisation.objects.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        level.discard(organisation_id)
        if not level:
            break
        found |= level
    return found


def group_ids(organisation_id: int) -> set[int]:
    """Every organisation of the group the organisation belongs to, itself included."""
    root = group_root_id(organisation_id)
    return {root, *descendant_ids(root)}


def group_root(organisation: Organisation) -> Organisation:
    root_id = group_root_id(organisation.pk)
    return organisation if root_id == organisation.pk else Organisation.objects.get(pk=root_id)


def group_members(organisation: Organisation) -> list[Organisation]:
    """The organisations of the group, the top parent first, then by name."""
    ids = group_ids(organisation.pk)
    root = group_root_id(organisation.pk)
    members = list(Organisation.objects.filter(pk__in=ids).only("pk", "name", "name_en", "parent_id"))
    return sorted(members, key=lambda member: (member.pk != root, member.name))


# --- Many organisations at once (imports): one query per level, not per organisation ----


def roots_of(organisation_ids: set[int]) -> dict[int, int]:
    """The top parent of each organisation."""
    parent_of: dict[int, int | None] = {}
    frontier = set(organisation_ids)
    for _level in range(MAX_DEPTH):
        rows = dict(Organisation.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent_of.update(rows)
        frontier = {parent for parent in rows.values() if parent is not None and parent not in parent_of}
        if not frontier:
            break

    def root(organisation_id: int) -> int:
        seen = {organisation_id}
        while parent_of.get(organisation_id) is not None and parent_of[organisation_id] not in seen:
            organisation_id = parent_of[organisation_id]
            seen.add(organisation_id)
        return organisation_id

    return {organisation_id: root(organisation_id) for organisation_id in organisation_ids}


def members_of(root_ids: set[int]) -> dict[int, int]:
    """Every organisation of these groups, with its group's top parent."""
    root_of = {root: root for root in root_ids}
    frontier = set(root_ids)
    for _level in range(MAX_DEPTH):
        rows = Organisation.objects.filter(parent_id__in=frontier).values_list("pk", "parent_id")
        found = {pk: root_of[parent] for pk, parent in rows if pk not in root_of}
        if not found:
            break
        root_of.update(found)
        frontier = set(found)
    return root_of
