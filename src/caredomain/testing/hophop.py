"""A reference HopHop, in memory, for tests, demos and integrators' own tests: a
:class:`~caredomain.pickup.ports.HopHopPlatform` that behaves as the seed describes HopHop —
an account's e-mail is unique across it, linking needs the account's password, what a sync
sends replaces what it held — and keeps what it was told, so that a test reads it back. Not a
stand-in for the real service's network behaviour: the ``caredomain_hophop`` adapter is
tested against its own reference server."""

from __future__ import annotations

from attrs import define, field

from caredomain.errors import NotFound
from caredomain.pickup.model import HopHopAccount, InstallationId, LinkProblem
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.secret import Secret
from caredomain.text import Text

__all__ = ["ReferenceHopHop"]


@define
class ReferenceHopHop:
    """HopHop's accounts by e-mail with their passwords, what each installation's account
    holds, and the parents told their child is ready or sent their activation again."""

    passwords: dict[str, str] = field(factory=dict)
    owners: dict[str, InstallationId] = field(factory=dict)
    held: dict[InstallationId, dict[str, SyncedChild]] = field(factory=dict)
    pushes: list[SyncDiff] = field(factory=list)
    told_ready: list[str] = field(factory=list)
    activation_mails: list[str] = field(factory=list)

    def link(self, account: HopHopAccount, password: Secret, *, create: bool) -> LinkProblem | None:
        email = account.email.casefold()
        if create:
            if email in self.passwords and self.owners.get(email) != account.installation:
                return LinkProblem.EMAIL_TAKEN
            self.passwords[email] = password.reveal()
        elif self.passwords.get(email) != password.reveal():
            return LinkProblem.BAD_CREDENTIALS
        self.owners[email] = account.installation
        return None

    def change_password(self, email: str, password: str) -> None:
        """What app.hophop.ca lets the daycare do — and what cuts the bridge (the seed): the
        account is no longer linked."""
        self.passwords[email.casefold()] = password
        self.owners.pop(email.casefold(), None)

    def _linked(self, account: HopHopAccount) -> None:
        if self.owners.get(account.email.casefold()) != account.installation:
            raise NotFound(Text("no linked account by this e-mail"))

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        self._linked(account)
        records = self.held.setdefault(account.installation, {})
        for record in (*diff.added, *diff.changed):
            records[record.reference] = record
        for reference in diff.removed:
            records.pop(reference, None)
        self.pushes.append(diff)

    def tell_ready(self, account: HopHopAccount, pickup: Pickup) -> None:
        self._linked(account)
        self.told_ready.append(pickup.id)

    def resend_activation(self, account: HopHopAccount, parent: SyncedParent) -> None:
        self._linked(account)
        self.activation_mails.append(parent.email)
