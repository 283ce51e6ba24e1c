"""Access rights: every service call asks :func:`authorize` first; deny by default.

Seed 002's tenancy comes first: an :class:`Actor` belongs to one configuration and acts on
nothing of another (:func:`in_scope`).
"""

from caredomain.access.actors import Actor, ActorId, Everywhere, Role
from caredomain.access.policy import (
    Action,
    Resource,
    authorize,
    authorize_action,
    in_scope,
    is_allowed,
    may_attempt,
)
from caredomain.access.tenancy import (
    authorize_base,
    authorize_scope,
    base_of,
    configuration_for,
    configuration_of,
)
from caredomain.organisation import ConfigurationId

__all__ = [
    "Action",
    "Actor",
    "ActorId",
    "ConfigurationId",
    "Everywhere",
    "Resource",
    "Role",
    "authorize",
    "authorize_action",
    "authorize_base",
    "authorize_scope",
    "base_of",
    "configuration_for",
    "configuration_of",
    "in_scope",
    "is_allowed",
    "may_attempt",
]
