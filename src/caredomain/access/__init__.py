"""Access rights: every service call asks :func:`authorize` first; deny by default."""

from caredomain.access.actors import Actor, ActorId, Role
from caredomain.access.policy import Action, Resource, authorize, is_allowed

__all__ = ["Action", "Actor", "ActorId", "Resource", "Role", "authorize", "is_allowed"]
