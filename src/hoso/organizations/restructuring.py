"""Restructuring the organization tree: merge, dissolve and split, with the
records handed over to the successor (SPEC A1).

A restructuring ends one or more organizations (the sources) on an effective
date and names their successor (the target). In one audited transaction per
call, for each source:

- its current child organizations move under the target (the ordinary
  subtree move, so every copied path follows);
- its members on the list, its documents still in hand (incoming not closed,
  drafts not issued), its open tasks and its open case files go to the
  target, each with a line on its own timeline and an audit entry;
- its current positions end on the effective date (people are re-appointed
  by a separate decision);
- the source itself is **kept, not deleted**: `valid_to` becomes the
  effective date, `successor` the target, and it moves under the target as
  an ended node.

Why the ended source moves under its successor: permissions are path
prefixes (`restrict()` is one prefix filter per grant). Once the source's
path lies inside the target's subtree, the target's secretary and clerks see
the source's closed documents, finished tasks and former members through the
same `restrict()` as everything else, with no special case in the permission
code and no change to the rows of history themselves (their register numbers
and dates stay as they were). The tree rules about levels are for the living
tree, so `Organization.clean()` exempts a node kept under its successor.

A split (`split_organization`) creates the new organizations next to the
source, shares its children and members out among them, and makes the first
one the successor that takes the open records.

Who may restructure: a user who may change (`restrict(user, "change")`) every
source and the target; ending the positions also needs
`accounts.change_position` there, as `accounts.services.end_position` checks.
Organizations outside the user's scope raise `Organization.DoesNotExist`
(404 to callers), as `update_organization` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit
from hoso.organizations.choices import LEVEL_ORDER
from hoso.organizations.models import Organization
from hoso.organizations.services import (
    EDITABLE_FIELDS,
    create_organization,
    move_subtree,
)

MERGE = "merge"
DISSOLVE = "dissolve"
SPLIT = "split"
# Which field of the callers' input names the sources and the target, so a
# refusal points at the field the user filled in.
FIELDS = {MERGE: ("sources", "target"), DISSOLVE: ("source", "successor")}
COUNTED = (
    "children",
    "members",
    "transfers",
    "documents",
    "tasks",
    "case_files",
    "positions",
)


@dataclass
class Handover:
    """What one source hands over to the target (or would, in a preview)."""

    source: Organization
    # Who receives it (for a split, one of the new organizations).
    target: Organization | None = None
    children: int = 0
    members: int = 0
    # Transfers under way into the source, now into the target.
    transfers: int = 0
    documents: int = 0
    tasks: int = 0
    case_files: int = 0
    # The positions that end (accounts.Position rows).
    ended_positions: list = field(default_factory=list)

    @property
    def positions(self) -> int:
        return len(self.ended_positions)

    def counts(self) -> dict[str, int]:
        """The numbers the audit entry, the page and the API show."""
        return {name: getattr(self, name) for name in COUNTED}


@dataclass
class RestructuringResult:
    """The outcome of a merge, dissolution or split, or of a preview; for a
    split, `target` is the first part (the successor) and there is one
    handover per part."""

    action: str
    target: Organization
    effective_date: date
    handovers: list[Handover]
    preview: bool = False

    def totals(self) -> dict[str, int]:
        """The counts summed over every source."""
        return {name: sum(getattr(h, name) for h in self.handovers) for name in COUNTED}

    @property
    def ended_positions(self) -> list:
        return [p for h in self.handovers for p in h.ended_positions]


# Checks -----------------------------------------------------------------------


def _resolve(
    action: str,
    sources: Iterable[Organization],
    target: Organization,
    acting_user,
    *,
    effective_date: date,
    lock: bool,
) -> tuple[list[Organization], Organization]:
    """Re-read the sources and the target within the user's scope for
    "change" (DoesNotExist outside it) and refuse every bad input before
    anything is written."""
    sources_field, target_field = FIELDS[action]
    scope = Organization.objects.restrict(acting_user, "change")
    if lock:
        scope = scope.select_for_update()
    ids = list(dict.fromkeys(source.pk for source in sources))
    if not ids:
        raise ValidationError(
            {sources_field: _("Choose at least one organization to merge.")}
        )
    target = scope.get(pk=target.pk)
    resolved = [scope.get(pk=pk) for pk in ids]
    if target.has_ended:
        raise ValidationError({target_field: _("The successor has itself ended.")})
    for source in resolved:
        names = {"name": source.name}
        if source.pk == target.pk:
            raise ValidationError(
                {target_field: _("An organization cannot be its own successor.")}
            )
        if target.path.startswith(source.path):
            raise ValidationError(
                {
                    target_field: _(
                        "The successor cannot lie inside %(name)s, which ends."
                    )
                    % names
                }
            )
        _check_source(source, effective_date, sources_field)
        if any(
            other.pk != source.pk and source.path.startswith(other.path)
            for other in resolved
        ):
            raise ValidationError(
                {
                    sources_field: _(
                        "%(name)s lies inside another organization being "
                        "merged: merge only the upper one."
                    )
                    % names
                }
            )
        _check_levels(action, source, target, target_field)
        _check_records_can_move(source, target, target_field)
    _check_case_file_codes_among(resolved, sources_field)
    return resolved, target


def _check_source(source: Organization, on: date, field_name: str) -> None:
    """The organization that ends must still be current, and the effective
    date neither in the future nor before it began."""
    if on > timezone.localdate():
        raise ValidationError(
            {
                "effective_date": _(
                    "The effective date cannot be in the future: record the "
                    "restructuring on or after the day it takes effect."
                )
            }
        )
    if source.has_ended or source.valid_to is not None:
        raise ValidationError(
            {field_name: _("%(name)s has already ended.") % {"name": source.name}}
        )
    if source.valid_from and on < source.valid_from:
        raise ValidationError(
            {
                "effective_date": _(
                    "The effective date is before %(name)s came into being."
                )
                % {"name": source.name}
            }
        )


def _check_case_file_codes_among(sources: list[Organization], field_name: str) -> None:
    """Two sources merged together must not bring open case files with the
    same year and code (the target's own are checked per source)."""
    from hoso.documents.casefiles import case_files_to_hand_over

    seen: set[tuple[int, str]] = set()
    clashes: set[str] = set()
    for source in sources:
        for year, code in case_files_to_hand_over(source).values_list("year", "code"):
            if (year, code) in seen:
                clashes.add(f"{year}/{code}")
            seen.add((year, code))
    if clashes:
        raise ValidationError(
            {
                field_name: _(
                    "These organizations have open case files with the same "
                    "codes: %(codes)s. Rename them first."
                )
                % {"codes": ", ".join(sorted(clashes))}
            }
        )


def _check_levels(
    action: str, source: Organization, target: Organization, target_field: str
) -> None:
    """A merge joins peers (two communes, two cells); a dissolved organization
    may hand over to a peer or to a higher level (a cell to its grassroots
    organization), never to a lower one, which could not hold its children."""
    if action == MERGE and source.level != target.level:
        raise ValidationError(
            {
                target_field: _(
                    "Only organizations of the same level can be merged: "
                    "%(name)s is at the level “%(level)s”."
                )
                % {"name": source.name, "level": source.get_level_display()}
            }
        )
    if LEVEL_ORDER[target.level] > LEVEL_ORDER[source.level]:
        raise ValidationError(
            {
                target_field: _(
                    "The successor must be at the level of %(name)s or above."
                )
                % {"name": source.name}
            }
        )


def _check_records_can_move(
    source: Organization, target: Organization, target_field: str
) -> None:
    """The other apps' rules on where their records may go (members only in
    a cell or a grassroots organization without cells; one case file code
    per year), checked before anything moves."""
    from hoso.documents.casefiles import check_case_files_can_move
    from hoso.members.services import check_members_can_move

    try:
        check_members_can_move(source, target)
        check_case_files_can_move(source, target)
    except ValidationError as error:
        raise ValidationError({target_field: error.message_dict["target"]}) from None


def _active_children(source: Organization, on: date):
    """Children still valid on the effective date; already ended ones stay
    under the source as its history."""
    return source.children.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def _positions_to_end(source: Organization, on: date):
    from hoso.accounts.models import Position

    return (
        Position.objects.current(on)
        .filter(organization=source)
        .select_related("person", "role", "organization")
        .order_by("role__rank", "pk")
    )


def _count(source: Organization, target: Organization, on: date) -> Handover:
    """What `source` would hand over on `on` (no writes)."""
    from hoso.documents.casefiles import case_files_to_hand_over
    from hoso.documents.models import Document
    from hoso.members.services import members_to_hand_over, transfers_to_hand_over
    from hoso.operations.services import tasks_to_hand_over

    return Handover(
        source=source,
        target=target,
        children=_active_children(source, on).count(),
        members=members_to_hand_over(source).count(),
        transfers=transfers_to_hand_over(source).count(),
        documents=Document.objects.filter(organization=source).in_hand().count(),
        tasks=tasks_to_hand_over(source).count(),
        case_files=case_files_to_hand_over(source).count(),
        ended_positions=list(_positions_to_end(source, on)),
    )


# Services ---------------------------------------------------------------------


def preview_merge(
    sources: Iterable[Organization],
    target: Organization,
    *,
    acting_user,
    effective_date: date | None = None,
    action: str = MERGE,
) -> RestructuringResult:
    """What a merge (or, with `action=DISSOLVE`, a dissolution) would hand
    over: the same checks as the real thing, and nothing written.

    GIVEN a user who may change the sources and the target
    WHEN they preview the merge
    THEN they get the counts the merge would report, or its refusal.
    """
    effective_date = effective_date or timezone.localdate()
    resolved, target = _resolve(
        action,
        sources,
        target,
        acting_user,
        effective_date=effective_date,
        lock=False,
    )
    return RestructuringResult(
        action=action,
        target=target,
        effective_date=effective_date,
        handovers=[_count(source, target, effective_date) for source in resolved],
        preview=True,
    )


def merge_organizations(
    sources: Iterable[Organization],
    target: Organization,
    *,
    acting_user,
    effective_date: date | None = None,
) -> RestructuringResult:
    """Merge `sources` into `target`: each source ends, the target succeeds it
    and receives its records.

    GIVEN a user who may change two communes and their province
    WHEN they merge commune B into commune A
    THEN B's cells, members, open documents, open tasks and open case files
    are A's, B's positions end, B ends with A as successor and sits under A
    with its closed records, and one audit entry per source counts it all;
    or, on any refusal or failure, nothing changed.
    """
    return _restructure(MERGE, sources, target, acting_user, effective_date)


def dissolve_organization(
    source: Organization,
    successor: Organization,
    *,
    acting_user,
    effective_date: date | None = None,
) -> RestructuringResult:
    """Dissolve `source`, handing its records over to `successor`.

    The same operation as a merge of one source, audited as a dissolution,
    and the successor may be at a higher level (a cell dissolved into its
    grassroots organization).

    GIVEN a user who may change a cell and the grassroots organization above
    WHEN they dissolve the cell into it
    THEN the cell's members and open records are the successor's and the cell
    ends, kept in the tree as history.
    """
    return _restructure(DISSOLVE, [source], successor, acting_user, effective_date)


@transaction.atomic
def _restructure(
    action: str,
    sources: Iterable[Organization],
    target: Organization,
    acting_user,
    effective_date: date | None,
) -> RestructuringResult:
    effective_date = effective_date or timezone.localdate()
    resolved, target = _resolve(
        action,
        sources,
        target,
        acting_user,
        effective_date=effective_date,
        lock=True,
    )
    handovers = [
        _hand_over(action, source, target, acting_user, effective_date)
        for source in resolved
    ]
    return RestructuringResult(
        action=action,
        target=target,
        effective_date=effective_date,
        handovers=handovers,
    )


def _reason(action: str, source: Organization, targets: list, on: date) -> str:
    """The line each handed-over record's timeline shows."""
    if action == MERGE:
        reason = _("%(source)s merged into %(target)s on %(date)s.")
    elif action == DISSOLVE:
        reason = _("%(source)s dissolved; successor %(target)s, on %(date)s.")
    else:
        reason = _("%(source)s split into %(target)s on %(date)s.")
    return reason % {
        "source": source.name,
        "target": ", ".join(target.name for target in targets),
        "date": on.strftime("%d/%m/%Y"),
    }


def _move_children(children, target: Organization, acting_user) -> int:
    """Move child organizations (with their subtrees) under `target`, each
    audited as the edit form's parent change is."""
    moved = 0
    for child in children:
        before = audit.snapshot(child, EDITABLE_FIELDS)
        move_subtree(child, target)
        child.full_clean(exclude=["path"])
        child.save(update_fields=["parent", "path", "depth", "updated"])
        audit.record(
            "organizations.updated",
            obj=child,
            actor=acting_user,
            changes=audit.diff(before, audit.snapshot(child, EDITABLE_FIELDS)),
        )
        moved += 1
    return moved


def _hand_over_open_records(
    handover: Handover,
    source: Organization,
    target: Organization,
    acting_user,
    reason: str,
    on: date,
) -> None:
    """The transfers under way into the source, its documents in hand, open
    tasks and open case files go to the target, through each app's own
    service."""
    from hoso.documents.casefiles import hand_over_case_files
    from hoso.documents.services import hand_over_documents
    from hoso.members.services import hand_over_transfers
    from hoso.operations.services import hand_over_tasks

    handover.transfers = hand_over_transfers(
        source, target, on=on, acting_user=acting_user, reason=reason
    )
    handover.documents = hand_over_documents(
        source, target, acting_user=acting_user, reason=reason
    )
    handover.tasks = hand_over_tasks(
        source, target, acting_user=acting_user, reason=reason
    )
    handover.case_files = hand_over_case_files(
        source, target, acting_user=acting_user, reason=reason
    )


def _end_positions(source: Organization, acting_user, on: date) -> list:
    from hoso.accounts.services import end_position

    return [
        end_position(position, acting_user=acting_user, end_date=on)
        for position in _positions_to_end(source, on)
    ]


def _end_source(
    action: str,
    source: Organization,
    successor: Organization,
    acting_user,
    on: date,
    handed_over: dict,
    ended_positions: list,
) -> None:
    """End the source on `on`, name its successor, keep it (and its closed
    records) under the successor, and write the one audit entry of the
    operation on it."""
    before = audit.snapshot(source, EDITABLE_FIELDS)
    source.valid_to = on
    source.successor = successor
    if source.parent_id != successor.pk:
        # Kept under its successor: see the module docstring.
        move_subtree(source, successor)
    source.full_clean(exclude=["path"])
    source.save()
    changes = audit.diff(before, audit.snapshot(source, EDITABLE_FIELDS))
    changes["handed_over"] = [None, handed_over]
    changes["positions_ended"] = [None, [p.pk for p in ended_positions]]
    audit.record(
        {MERGE: "organizations.merged", DISSOLVE: "organizations.dissolved"}.get(
            action, "organizations.split"
        ),
        obj=source,
        actor=acting_user,
        changes=changes,
    )


def _hand_over(
    action: str,
    source: Organization,
    target: Organization,
    acting_user,
    on: date,
) -> Handover:
    """Hand one source's records over to the target and end it (inside the
    caller's transaction; the checks have passed)."""
    from hoso.members.services import hand_over_members

    reason = _reason(action, source, [target], on)
    handover = Handover(source=source, target=target)
    children = _active_children(source, on).select_for_update().order_by("path")
    handover.children = _move_children(children, target, acting_user)
    handover.members = hand_over_members(
        source, target, on=on, acting_user=acting_user, reason=reason
    )
    _hand_over_open_records(handover, source, target, acting_user, reason, on)
    handover.ended_positions = _end_positions(source, acting_user, on)
    _end_source(
        action,
        source,
        target,
        acting_user,
        on,
        handover.counts(),
        handover.ended_positions,
    )
    return handover


# Split ------------------------------------------------------------------------

# Set by the split itself on each new part, so the caller may not pass them.
SPLIT_OWN_FIELDS = {"parent", "successor", "valid_from", "valid_to"}


def split_organization(
    source: Organization,
    parts: list[dict],
    *,
    acting_user,
    effective_date: date | None = None,
) -> RestructuringResult:
    """Split `source` into new organizations, one per part, and end it.

    Each part is a dict of the new organization's fields (`name`, `code`,
    `abbreviation`…; `level`, `kind` and `document_style` default to the
    source's) plus `children` (current child organizations of the source)
    and `members` (members on the source's list) it takes. The new
    organizations are created next to the source (same parent, valid from
    the effective date). The first part is the successor: it takes whatever
    no part names, and the source's documents in hand, open tasks and open
    case files, so nothing stays with an organization that has ended. The
    source's positions end; it is kept under the first part.

    GIVEN a user who may change the commune and add under its parent
    WHEN they split it into two communes, each with some cells and members
    THEN the two communes exist, each holds what it was given, the first
    holds the open records, and the commune ends with the first as
    successor; or, on any refusal, nothing changed.
    """
    return _split(source, parts, acting_user, effective_date)


def preview_split(
    source: Organization,
    parts: list[dict],
    *,
    acting_user,
    effective_date: date | None = None,
) -> RestructuringResult:
    """What `split_organization` would do: the same checks, nothing written.

    There is one handover per part, its `target` an unsaved organization
    with the part's fields; the first part's also counts the open records
    and the positions that end. A code already taken is only refused by the
    split itself, when the organization is created.

    GIVEN a user who may change the commune
    WHEN they preview its split into two parts
    THEN they get the children and members each part takes, the open
    records and positions of the first, or the split's refusal.
    """
    on = effective_date or timezone.localdate()
    source = Organization.objects.restrict(acting_user, "change").get(pk=source.pk)
    _check_source(source, on, "source")
    part_children, part_members = _check_split(source, parts, on)
    handovers = []
    for index, part in enumerate(parts):
        target = Organization(
            parent=source.parent, valid_from=on, **_part_fields(source, part)
        )
        if index == 0:
            # The successor: the source's open records and positions too.
            handover = _count(source, target, on)
        else:
            handover = Handover(source=source, target=target)
        handover.children = len(part_children[index])
        handover.members = len(part_members[index])
        handovers.append(handover)
    return RestructuringResult(
        action=SPLIT,
        target=handovers[0].target,
        effective_date=on,
        handovers=handovers,
        preview=True,
    )


def split_choices(source: Organization, on: date) -> tuple:
    """The child organizations and the members a split of `source` shares
    out among its parts (the querysets `_check_split` accepts), for a form
    to offer."""
    from hoso.members.services import members_to_hand_over

    return _active_children(source, on), members_to_hand_over(source)


def _part_fields(source: Organization, part: dict) -> dict:
    """The new organization's fields: the part's own, the rest the source's."""
    return {
        "level": source.level,
        "kind": source.kind,
        "abbreviation": source.abbreviation,
        "document_style": source.document_style,
        **{k: v for k, v in part.items() if k not in ("children", "members")},
    }


class _Share:
    """Hands out the source's items (children or members) to the parts of a
    split: each item to one part at most, and only the source's own."""

    def __init__(self, available: dict, field: str, refusal: str):
        self.available, self.field, self.refusal = available, field, refusal
        self.taken: set[int] = set()

    def take(self, chosen: list) -> list:
        ids = list(dict.fromkeys(item.pk for item in chosen))  # once each
        if not set(ids) <= set(self.available) or self.taken & set(ids):
            raise ValidationError({self.field: self.refusal})
        self.taken |= set(ids)
        return [self.available[pk] for pk in ids]


def _check_split(
    source: Organization, parts: list[dict], on: date
) -> tuple[list, list]:
    """Refuse a split that makes no sense; return the children and members
    each part takes, as model instances of the source."""
    if len(parts) < 2:
        raise ValidationError({"parts": _("A split needs at least two parts.")})
    available_children, available_members = split_choices(source, on)
    children = {c.pk: c for c in available_children}
    members = {m.pk: m for m in available_members}
    names = {"name": source.name}
    children_share = _Share(
        children,
        "children",
        _("Each organization below %(name)s goes to one part only.") % names,
    )
    members_share = _Share(
        members,
        "members",
        _("Each member on the list of %(name)s goes to one part only.") % names,
    )
    part_children, part_members = [], []
    for part in parts:
        if SPLIT_OWN_FIELDS & set(part):
            raise ValidationError(
                {
                    "parts": _(
                        "The split sets the parent and the dates of the new "
                        "organizations itself."
                    )
                }
            )
        part_children.append(children_share.take(part.get("children", [])))
        part_members.append(members_share.take(part.get("members", [])))
    taken_children, taken_members = children_share.taken, members_share.taken
    # What no part names goes to the first part, the successor.
    part_children[0] += [c for pk, c in children.items() if pk not in taken_children]
    part_members[0] += [m for pk, m in members.items() if pk not in taken_members]
    return part_children, part_members


@transaction.atomic
def _split(
    source: Organization,
    parts: list[dict],
    acting_user,
    effective_date: date | None,
) -> RestructuringResult:
    from hoso.members.services import hand_over_members

    on = effective_date or timezone.localdate()
    source = (
        Organization.objects.restrict(acting_user, "change")
        .select_for_update()
        .get(pk=source.pk)
    )
    _check_source(source, on, "source")
    part_children, part_members = _check_split(source, parts, on)
    created = []
    for part in parts:
        created.append(
            create_organization(
                acting_user=acting_user,
                parent=source.parent,
                valid_from=on,
                **_part_fields(source, part),
            )
        )
    reason = _reason(SPLIT, source, created, on)
    handovers = []
    for index, new in enumerate(created):
        handover = Handover(source=source, target=new)
        handover.children = _move_children(part_children[index], new, acting_user)
        try:
            handover.members = hand_over_members(
                source,
                new,
                on=on,
                acting_user=acting_user,
                reason=reason,
                members=part_members[index],
            )
        except ValidationError as error:
            raise ValidationError({"members": error.message_dict["target"]}) from None
        if index == 0:
            # A new organization has no case files yet: no code can clash.
            _hand_over_open_records(handover, source, new, acting_user, reason, on)
        handovers.append(handover)
    handovers[0].ended_positions = _end_positions(source, acting_user, on)
    _end_source(
        SPLIT,
        source,
        created[0],
        acting_user,
        on,
        {str(h.target.pk): h.counts() for h in handovers},
        handovers[0].ended_positions,
    )
    return RestructuringResult(
        action=SPLIT,
        target=created[0],
        effective_date=on,
        handovers=handovers,
    )
