"""Access rights: every service call asks :func:`authorize` first; deny by default."""

from caredomain.access.actors import Actor, ActorId, Role
from caredomain.access.policy import (
    Action,
    Resource,
    authorize,
    authorize_action,
    is_allowed,
    may_attempt,
)

__all__ = [
    "Action",
    "Actor",
    "ActorId",
    "Resource",
    "Role",
    "authorize",
    "authorize_action",
    "is_allowed",
    "may_attempt",
]
