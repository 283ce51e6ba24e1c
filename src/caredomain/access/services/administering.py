"""The administrator's side: entering a mode, creating users in the configurator, and her
password."""

from __future__ import annotations

from typing import NoReturn

from attrs import evolve

from caredomain.access.actors import Actor
from caredomain.access.audit import AuditKind
from caredomain.access.breakglass import BreakGlassId, State
from caredomain.access.configurations import User
from caredomain.access.modes import Mode
from caredomain.access.policy import Action, authorize, authorize_action
from caredomain.access.ports import AccessUnitOfWork, access_unit_of_work
from caredomain.access.services.common import (
    AccessSettings,
    configuration_resource,
    journal,
    mode_resource,
    scoped,
    session_of,
)
from caredomain.access.sessions import Session, SessionId, Via, enter_mode, password_change
from caredomain.arguments import checked
from caredomain.errors import Conflict, Forbidden, NotFound
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["add_user", "change_administrator_password", "enter", "users"]


@checked
def enter(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    mode: Mode,
    password: Secret,
    *,
    window: BreakGlassId | None = None,
    settings: AccessSettings | None = None,
) -> Session:
    """Enter ``mode`` of the configuration (:mod:`caredomain.access.sessions` says with which
    password when); after the transition, console mode through the break-glass
    intervention ``window``, by its technician. A refusal is journaled, counted when the
    password was wrong, and raised as :class:`Forbidden` with its reason."""
    authorize_action(actor, Action.ACCESS_ENTER)
    scoped(actor, configuration_id)
    settings = settings or AccessSettings()
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        configuration = uow.access.configuration(configuration_id)
        authorize(actor, Action.ACCESS_ENTER, mode_resource(configuration, mode))
        record = uow.access.breakglass(configuration_id, window) if window is not None else None
        attempts = uow.access.attempts(configuration_id, mode)
        if record is not None and record.technician not in {None, actor.id}:
            reason = Text(
                "break-glass intervention {id} is {technician}'s",
                id=record.id,
                technician=str(record.technician),
            )
            _refuse(
                context,
                uow,
                actor=actor,
                configuration_id=configuration_id,
                mode=mode,
                code="access.other_technician",
                reason=reason,
            )
        entry = enter_mode(
            configuration,
            mode,
            password,
            actor=actor.id,
            session_id=SessionId(context.new_id()),
            now=now,
            transition=settings.transition,
            hasher=settings.hasher,
            attempts=attempts,
            window=record,
        )
        uow.access.save_attempts(configuration_id, mode, entry.attempts)
        if entry.session is None:
            reason = entry.reason or Text("refused")
            _refuse(
                context,
                uow,
                actor=actor,
                configuration_id=configuration_id,
                mode=mode,
                code=entry.code,
                reason=reason,
            )
        session = entry.session
        if record is not None and session.window is not None:
            if record.state is not State.OPEN:
                journal(
                    uow,
                    configuration_id,
                    AuditKind.WINDOW_OPENED,
                    at=now,
                    actor=actor.id,
                    details={"breakglass": record.id, "present": record.customer_present or ""},
                )
            uow.access.save_breakglass(record.opened(now))
        uow.access.save_session(session)
        details = {
            "mode": mode.value,
            "via": session.via.value,
            "session": session.id,
            "expires_at": session.expires_at.isoformat(),
            "breakglass": session.window or "",
        }
        journal(
            uow, configuration_id, AuditKind.MODE_ENTERED, at=now, actor=actor.id, details=details
        )
        held = configuration.administrator_password
        if (
            session.via is Via.ADMINISTRATOR_PASSWORD
            and held is not None
            and settings.hasher.needs_rehash(held)
        ):
            rehashed = configuration.with_administrator_password(settings.hasher.hash(password))
            uow.access.save_configuration(rehashed)
        context.commit(uow, [])
    return session


def _refuse(
    context: ServiceContext,
    uow: AccessUnitOfWork,
    *,
    actor: Actor,
    configuration_id: ConfigurationId,
    mode: Mode,
    code: str,
    reason: Text,
) -> NoReturn:
    """Journal a refused attempt, commit it with the attempts count, and raise it."""
    details = {"mode": mode.value, "code": code, "reason": str(reason)}
    now = context.clock.now()
    journal(
        uow, configuration_id, AuditKind.ATTEMPT_REFUSED, at=now, actor=actor.id, details=details
    )
    context.commit(uow, [])
    raise Forbidden(reason)


@checked
def change_administrator_password(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    *,
    current: Secret,
    new: Secret,
    settings: AccessSettings | None = None,
) -> None:
    """The designated administrator sets or changes her password: with her current one, or
    while none is set, with the console password during the transition (after it, inside
    an open break-glass window only). Wrong current passwords count towards Administrator
    mode's lock-out; each attempt is journaled, never a password or a hash."""
    authorize_action(actor, Action.ACCESS_ADMINISTER)
    scoped(actor, configuration_id)
    settings = settings or AccessSettings()
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        configuration = uow.access.configuration(configuration_id)
        authorize(
            actor, Action.ACCESS_ADMINISTER, configuration_resource(configuration_id, configuration)
        )
        mode = Mode.ADMINISTRATOR
        attempts = uow.access.attempts(configuration_id, mode)
        if attempts.locked_at(now):
            until = attempts.locked_until.isoformat() if attempts.locked_until else ""
            reason = Text(
                "too many wrong passwords: {mode} mode is locked until {until}",
                mode=mode.value,
                until=until,
            )
            _refuse(
                context,
                uow,
                actor=actor,
                configuration_id=configuration_id,
                mode=mode,
                code="access.locked",
                reason=reason,
            )
        window_open = any(
            r.state is State.OPEN and r.window is not None and now in r.window
            for r in uow.access.breakglasses(configuration_id)
        )
        via, refusal = password_change(
            configuration,
            current=current,
            new=new,
            now=now,
            transition=settings.transition,
            hasher=settings.hasher,
            window_open=window_open,
        )
        if via is None:
            uow.access.save_attempts(configuration_id, mode, attempts.failed(now))
            _refuse(
                context,
                uow,
                actor=actor,
                configuration_id=configuration_id,
                mode=mode,
                code="access.password_refused",
                reason=refusal or Text("refused"),
            )
        first = configuration.administrator_password is None
        hashed = settings.hasher.hash(new)
        uow.access.save_configuration(configuration.with_administrator_password(hashed))
        uow.access.save_attempts(configuration_id, mode, attempts.succeeded())
        kind = AuditKind.PASSWORD_SET if first else AuditKind.PASSWORD_CHANGED
        details = {"password": "administrator", "with": via.value if via else ""}
        journal(uow, configuration_id, kind, at=now, actor=actor.id, details=details)
        context.commit(uow, [])


@checked
def add_user(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    user: User,
    *,
    session: SessionId,
) -> User:
    """The administrator creates a user of her configuration, in an open Administrator-mode
    session of hers. A user id already taken is :class:`Conflict`."""
    authorize_action(actor, Action.ACCESS_ADMINISTER)
    scoped(actor, configuration_id)
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        configuration = uow.access.configuration(configuration_id)
        authorize(
            actor, Action.ACCESS_ADMINISTER, configuration_resource(configuration_id, configuration)
        )
        session_of(uow, configuration_id, session, mode=Mode.ADMINISTRATOR, actor=actor.id, now=now)
        if user.configuration != configuration_id:
            user = evolve(user, configuration=configuration_id)
        try:
            uow.access.user(configuration_id, user.id)
        except NotFound:
            pass
        else:
            raise Conflict(Text("user {id} already exists", id=user.id))
        uow.access.save_user(user)
        details = {
            "user": user.id,
            "name": user.full_name,
            "roles": ", ".join(sorted(r.value for r in user.roles)),
        }
        journal(
            uow, configuration_id, AuditKind.USER_CREATED, at=now, actor=actor.id, details=details
        )
        context.commit(uow, [])
    return user


@checked
def users(context: ServiceContext, actor: Actor, configuration_id: ConfigurationId) -> list[User]:
    """The configuration's users, by id: for its administrator, or the vendor."""
    authorize_action(actor, Action.ACCESS_ADMINISTER, Action.ACCESS_CONFIGURE)
    scoped(actor, configuration_id)
    with access_unit_of_work(context.store, write=False) as uow:
        configuration = uow.access.configuration(configuration_id)
        resource = configuration_resource(configuration_id, configuration)
        try:
            authorize(actor, Action.ACCESS_ADMINISTER, resource)
        except Forbidden:
            authorize(actor, Action.ACCESS_CONFIGURE, resource)
        return uow.access.users(configuration_id)
