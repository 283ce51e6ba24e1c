"""Passwords of a configuration: argon2id hashes only (seed 002: the administrator's
password is one "que les techniciens EIG ne connaîtront pas").

* :class:`Hasher` hashes with argon2id (argon2-cffi, the maintained binding of the reference
  implementation), verifies and says when a stored hash needs rehashing because the
  parameters grew. Its parameters are injectable: tests and the demo use cheap ones, a
  deployment keeps the library's defaults (RFC 9106's second recommended profile).
* A password travels as a :class:`~caredomain.secret.Secret` and is stored as a
  :class:`PasswordHash`; neither shows itself in a repr, a log line or an error. An error
  about a password names the field, never the value.
* :func:`acceptable` is the rule for a new password: at least
  :data:`MINIMUM_LENGTH` characters (NIST SP 800-63B's floor for a password chosen by its
  holder, raised from 8 since this one opens a whole configuration).
"""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.secret import Secret
from caredomain.text import Text
from caredomain.validation import non_blank

__all__ = ["MINIMUM_LENGTH", "Hasher", "PasswordHash", "acceptable"]

MINIMUM_LENGTH = 12


@frozen
class PasswordHash:
    """An encoded argon2id hash (``$argon2id$v=19$m=…``). Its repr shows nothing of it."""

    encoded: str = field(validator=non_blank, repr=False)

    def __repr__(self) -> str:
        return "PasswordHash('***')"

    __str__ = __repr__


def acceptable(password: Secret, *, field: str = "password") -> Secret:
    """``password`` if it may become a password; :class:`InvalidInput` naming ``field``
    (and never showing the value) otherwise."""
    if not isinstance(password, Secret):
        raise InvalidInput(Text("a password is given as a Secret"), field=field)
    value = password.reveal()
    if len(value) < MINIMUM_LENGTH or not value.strip():
        raise InvalidInput(
            Text("a password has at least {n} characters", n=MINIMUM_LENGTH), field=field
        )
    return password


@frozen
class Hasher:
    """argon2id with these parameters (argon2-cffi's defaults unless told otherwise)."""

    time_cost: int = argon2.DEFAULT_TIME_COST
    memory_cost: int = argon2.DEFAULT_MEMORY_COST  # KiB
    parallelism: int = argon2.DEFAULT_PARALLELISM

    @property
    def _hasher(self) -> argon2.PasswordHasher:
        return argon2.PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
            type=argon2.Type.ID,
        )

    @classmethod
    def cheap(cls) -> Hasher:
        """The cheapest parameters argon2 accepts: for tests and demonstrations only."""
        return cls(time_cost=1, memory_cost=8, parallelism=1)

    def hash(self, password: Secret) -> PasswordHash:
        """A new salted hash of ``password``."""
        return PasswordHash(self._hasher.hash(password.reveal()))

    def verify(self, hashed: PasswordHash | None, password: Secret) -> bool:
        """Whether ``password`` is the one ``hashed`` was made from; ``False`` when there is
        no hash or it cannot be read (what was wrong with it is not shown either)."""
        if hashed is None:
            return False
        try:
            return self._hasher.verify(hashed.encoded, password.reveal())
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: PasswordHash) -> bool:
        """Whether ``hashed`` was made with other parameters than these: rehash it at the
        next successful verification."""
        try:
            return self._hasher.check_needs_rehash(hashed.encoded)
        except (InvalidHashError, ValueError):
            return True
