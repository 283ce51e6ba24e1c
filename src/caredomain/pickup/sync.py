"""What is sent to HopHop, and what it must match (seed 001, "Synchroniser les données").

The seed lists exactly what HopHop receives: the parents' last name, first name and e-mail;
the child's last name, first name, daycare ("service de garde"), installation, and whether
the child's service agreement is active. Nothing more — no birth date, no group, no photo —
and only for the children whose file has "HopHop est activé" on. Each record also carries an
opaque reference (the child's id in caredomain) so that a later sync updates it rather than
adding a second: it says nothing of the child.

A sync is the difference between what would be sent now and what was sent last: new
children, changed records (an e-mail corrected, an agreement ended), and children no longer
sent. Sending nothing twice, it is idempotent. An announcement from HopHop names the child
as HopHop holds her; when a parent changed the synced fields there, it no longer matches
what was sent, and :func:`differences` says how, so that the alert is reported rather than
lost.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from attrs import frozen

from caredomain.pickup.model import Child, Installation, InstallationId, Parent, ParentId

__all__ = ["SyncDiff", "SyncedChild", "SyncedParent", "diff", "differences", "payload"]


@frozen
class SyncedParent:
    """A parent as HopHop receives her: exactly the seed's fields."""

    last_name: str
    first_name: str
    email: str


@frozen
class SyncedChild:
    """A child as HopHop receives her: exactly the seed's fields, and her reference."""

    reference: str
    last_name: str
    first_name: str
    daycare: str
    installation: str
    agreement_active: bool
    parents: tuple[SyncedParent, ...]


@frozen
class SyncDiff:
    """What a sync sends: records to add, to replace, and references to withdraw."""

    added: tuple[SyncedChild, ...] = ()
    changed: tuple[SyncedChild, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    @property
    def references(self) -> frozenset[str]:
        """Every reference it adds, replaces or withdraws."""
        return frozenset([*(r.reference for r in (*self.added, *self.changed)), *self.removed])


def payload(
    daycare: str,
    installations: Mapping[InstallationId, Installation],
    children: Iterable[Child],
    parents: Mapping[ParentId, Parent],
) -> dict[str, SyncedChild]:
    """Every record to hold at HopHop now, by reference: the children whose flag is on, with
    their parents known to the daycare (sorted by name, so that the same data gives the same
    record)."""
    records: dict[str, SyncedChild] = {}
    for child in children:
        if not child.hophop_enabled:
            continue
        known = sorted(
            (parents[parent] for parent in child.parents if parent in parents),
            key=lambda parent: (parent.last_name, parent.first_name, parent.email),
        )
        records[child.id] = SyncedChild(
            reference=child.id,
            last_name=child.last_name,
            first_name=child.first_name,
            daycare=daycare,
            installation=installations[child.installation].display_name,
            agreement_active=child.agreement_active,
            parents=tuple(SyncedParent(p.last_name, p.first_name, p.email) for p in known),
        )
    return records


def diff(
    sent: Mapping[str, SyncedChild],
    now: Mapping[str, SyncedChild],
    uncertain: Collection[str] = frozenset(),
) -> SyncDiff:
    """What to send so that HopHop holds ``now``, given that it holds ``sent`` — except,
    perhaps, for the ``uncertain`` references, which HopHop may hold in any other way
    (another sync's push may have landed over them): those are sent again, replaced if in
    ``now``, withdrawn if not. Adding, replacing and withdrawing are idempotent at HopHop,
    so that sending one again is harmless."""
    doubt = frozenset(uncertain)
    return SyncDiff(
        added=tuple(now[ref] for ref in sorted(now.keys() - sent.keys())),
        changed=tuple(
            now[ref]
            for ref in sorted(now.keys() & sent.keys())
            if now[ref] != sent[ref] or ref in doubt
        ),
        removed=tuple(sorted((sent.keys() | doubt) - now.keys())),
    )


def differences(sent: SyncedChild | None, seen_first: str, seen_last: str) -> tuple[str, ...]:
    """How the child HopHop announced (``seen_first`` ``seen_last``, under ``sent``'s
    reference) differs from what was sent: empty when she matches."""
    if sent is None:
        return ("reference",)
    found = []
    if seen_first.strip().casefold() != sent.first_name.strip().casefold():
        found.append("first_name")
    if seen_last.strip().casefold() != sent.last_name.strip().casefold():
        found.append("last_name")
    return tuple(found)
