"""What the access use cases share: their settings, the resources the policy sees, the
journal, and the session a change in Administrator mode or in a window needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import field, frozen

from caredomain.access.actors import Actor
from caredomain.access.audit import AuditEntry, AuditKind, chained
from caredomain.access.configurations import Configuration
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.policy import Resource
from caredomain.access.ports import AccessUnitOfWork
from caredomain.access.sessions import Session, SessionId
from caredomain.access.tenancy import authorize_scope
from caredomain.access.transition import Transition
from caredomain.errors import Forbidden, NotFound
from caredomain.organisation import ConfigurationId
from caredomain.text import Text

__all__ = [
    "AccessSettings",
    "configuration_resource",
    "journal",
    "mode_resource",
    "scoped",
    "session_of",
]


@frozen
class AccessSettings:
    """The deployment's transition dates and the password hasher (argon2id with the
    library's parameters unless told otherwise)."""

    transition: Transition = field(factory=Transition)
    hasher: Hasher = field(factory=Hasher)


def configuration_resource(
    configuration_id: ConfigurationId, configuration: Configuration | None = None
) -> Resource:
    """A configuration, as the policy sees it: its own tenancy, owned by its administrator."""
    owner = configuration.administrator if configuration is not None else None
    return Resource("configuration", configuration_id, owner=owner, configuration=configuration_id)


def scoped(actor: Actor, configuration_id: ConfigurationId) -> None:
    """Refuse an actor of another configuration before anything of this one is looked up
    (whether it exists included); the action's own rule is asked once the configuration is
    known."""
    authorize_scope(actor, configuration_resource(configuration_id))


def mode_resource(configuration: Configuration, mode: Mode) -> Resource:
    return Resource(
        "mode", mode.value, owner=configuration.administrator, configuration=configuration.id
    )


def journal(
    uow: AccessUnitOfWork,
    configuration_id: ConfigurationId,
    kind: AuditKind,
    *,
    at: datetime,
    actor: str,
    details: Mapping[str, str] | None = None,
) -> AuditEntry:
    """Append an entry to the configuration's audit journal, in ``uow``."""
    entry = chained(
        uow.access.last_audit(configuration_id),
        configuration_id,
        at=at,
        kind=kind,
        actor=actor,
        details=details,
    )
    uow.access.append_audit(entry)
    return entry


def session_of(
    uow: AccessUnitOfWork,
    configuration_id: ConfigurationId,
    session_id: SessionId,
    *,
    mode: Mode,
    actor: str,
    now: datetime,
) -> Session:
    """The actor's session ``session_id`` in ``mode``, if it is still open; else Forbidden
    saying to enter the mode."""
    try:
        session = uow.access.session(configuration_id, session_id)
    except NotFound:
        session = None
    if session is None or session.actor != actor or session.mode is not mode:
        raise Forbidden(
            Text(
                "{who} has no session {id} in {mode} mode",
                who=actor,
                id=session_id,
                mode=mode.value,
            )
        )
    if not session.active_at(now):
        raise Forbidden(
            Text(
                "session {id} ended at {end}: enter {mode} mode again",
                id=session_id,
                end=session.expires_at.isoformat(),
                mode=mode.value,
            )
        )
    return session
