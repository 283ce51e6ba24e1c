"""Approvals and activations (seed 001, "Acceptation des changements" and "dossiers de
parents actifs").

When a parent changes her photo or adds her child's in HopHop, the child's file waits in
"Approbation en attente" until the centre approves it; meanwhile that parent cannot use
HopHop for the child (her app says "Attente d'approbation par le centre"). A child's file is
white when every parent the daycare knows for her activated her HopHop account, orange while
one has not, and the activation e-mail can be sent again to those.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import evolve, frozen

from caredomain.errors import RuleViolation
from caredomain.pickup.model import Child, Parent, ParentId
from caredomain.text import Text

__all__ = ["Activation", "activation", "approved", "check_may_announce", "photo_changed"]


def photo_changed(child: Child, by: ParentId) -> Child:
    """``by`` changed her photo, or added the child's: the file waits for the centre."""
    return evolve(child, awaiting_approval=child.awaiting_approval | {by})


def approved(child: Child) -> Child:
    """The centre approved the file ("Oui"): every waiting change is accepted."""
    return evolve(child, awaiting_approval=frozenset())


def check_may_announce(child: Child, parent: ParentId) -> None:
    """Refuse an announcement that ``parent`` may not make for ``child``, with the reason."""
    if parent not in child.parents:
        raise RuleViolation(
            "pickup.not_a_parent",
            Text("{parent} is not a parent of {child}", parent=parent, child=child.id),
        )
    if not child.hophop_enabled:
        raise RuleViolation(
            "pickup.not_enabled", Text("HopHop is not activated for {child}", child=child.id)
        )
    if parent in child.awaiting_approval:
        raise RuleViolation("pickup.awaiting_approval", Text("awaiting approval by the centre"))


@frozen
class Activation:
    """Whether every parent of a child activated her HopHop account, and who has not."""

    child: Child
    not_activated: tuple[Parent, ...]

    @property
    def complete(self) -> bool:
        return not self.not_activated

    @property
    def colour(self) -> str:
        """As HopHop's list of pupils shows the file: white when complete, orange if not."""
        return "white" if self.complete else "orange"


def activation(child: Child, parents: Mapping[ParentId, Parent]) -> Activation:
    """The child's activation, from the parents the daycare knows for her."""
    missing = sorted(
        (parents[p] for p in child.parents if p in parents and not parents[p].activated),
        key=lambda parent: (parent.last_name, parent.first_name),
    )
    return Activation(child, tuple(missing))
