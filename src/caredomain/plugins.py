"""The plugin manager behind a typed facade.

Plugins are found through the ``caredomain`` entry-point group; the built-in adapters are
registered that way too. Each entry point is loaded on its own: one that fails to import,
or whose hooks do not match the specifications, is reported by name and the others still
load. Two environment variables serve plugin authors and operators:

* ``CAREDOMAIN_PLUGINS_STRICT=1`` makes any such failure fatal (:class:`PluginLoadError`);
* ``CAREDOMAIN_DISABLE_PLUGINS=name,other`` leaves those plugins out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import pluggy
from attrs import frozen

from caredomain import hookspecs
from caredomain.errors import CareDomainError, InvalidInput
from caredomain.events import Event
from caredomain.ports import Store
from caredomain.text import Text

if TYPE_CHECKING:  # named for type checkers only: loading the plugins loads no module
    from caredomain.interventions.platform import MobilePlatformSpec
    from caredomain.notifications.ports import SenderSpec
    from caredomain.pickup.ports import PickupPlatformSpec
    from caredomain.roster.ports import FeedReaderSpec

__all__ = [
    "DISABLE_VARIABLE",
    "ENTRY_POINT_GROUP",
    "STRICT_VARIABLE",
    "PluginFailure",
    "PluginInfo",
    "PluginLoadError",
    "Plugins",
    "load_plugins",
]

ENTRY_POINT_GROUP = "caredomain"
STRICT_VARIABLE = "CAREDOMAIN_PLUGINS_STRICT"
DISABLE_VARIABLE = "CAREDOMAIN_DISABLE_PLUGINS"

log = logging.getLogger(__name__)


class PluginLoadError(CareDomainError):
    """A plugin could not be loaded (raised only in strict mode)."""


@frozen
class PluginFailure:
    """A plugin that could not be loaded or whose hook raised, and why."""

    name: str
    error: str

    def __str__(self) -> str:
        return Text("{name}: {error}", name=self.name, error=self.error)


@frozen
class PluginInfo:
    """What ``caredomain plugins`` shows for one plugin."""

    name: str
    module: str
    version: str | None
    hooks: tuple[str, ...]


class Plugins:
    """Typed calls to the hooks, over a validated :class:`pluggy.PluginManager`."""

    def __init__(self, manager: pluggy.PluginManager | None = None) -> None:
        if manager is None:
            manager = pluggy.PluginManager(hookspecs.PROJECT)
            manager.add_hookspecs(hookspecs)
        self._manager = manager
        self._versions: dict[str, str | None] = {}
        self.failures: list[PluginFailure] = []

    # -- registration -----------------------------------------------------------------

    def register(self, plugin: object, name: str, version: str | None = None) -> None:
        """Register ``plugin`` under ``name`` and validate it against the specifications.

        Raises :class:`PluginLoadError` (and leaves nothing registered) when a hook is
        unknown or its arguments do not match.
        """
        try:
            self._manager.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            raise PluginLoadError(_not_valid(name, error)) from None
        try:
            self._manager.check_pending()
        except pluggy.PluginValidationError as error:
            self._manager.unregister(plugin)
            raise PluginLoadError(_not_valid(name, error)) from None
        self._versions[name] = version

    def load_entry_point(self, entry_point: EntryPoint) -> None:
        """Import and register one entry point; failures raise :class:`PluginLoadError`."""
        try:
            plugin = entry_point.load()
        except Exception as error:
            raise PluginLoadError(
                Text(
                    "plugin {name} failed to import: {error}",
                    name=repr(entry_point.name),
                    error=_raised(error),
                )
            ) from None
        version = entry_point.dist.version if entry_point.dist is not None else None
        self.register(plugin, entry_point.name, version)

    @property
    def names(self) -> list[str]:
        return sorted(name for name, _ in self._manager.list_name_plugin())

    # -- typed hook calls -------------------------------------------------------------

    def open_store(self, url: str) -> Store:
        """The store for ``url`` from the first plugin that handles it."""
        store: Store | None = self._manager.hook.caredomain_open_store(url=url)
        if store is None:
            scheme = url.split(":", 1)[0] if ":" in url else url
            raise InvalidInput(
                Text(
                    "no plugin opens stores of scheme {scheme} (loaded: {names})",
                    scheme=repr(scheme),
                    names=", ".join(self.names),
                ),
                field="url",
                text=scheme,
            )
        return store

    def sender_specs(self) -> dict[str, SenderSpec]:
        """Every sender offered, by name; a name offered twice is logged, the first kept."""
        return _collect(self._manager.hook.caredomain_senders, "sender")

    def feed_reader_specs(self) -> dict[str, FeedReaderSpec]:
        """Every feed reader offered, by name; a name offered twice is logged, the first kept."""
        return _collect(self._manager.hook.caredomain_feed_readers, "feed reader")

    def mobile_platform_specs(self) -> dict[str, MobilePlatformSpec]:
        """Every mobile platform offered, by name; a name offered twice is logged, the first
        kept."""
        return _collect(self._manager.hook.caredomain_mobile_platforms, "mobile platform")

    def pickup_platform_specs(self) -> dict[str, PickupPlatformSpec]:
        """Every pickup platform offered, by name; a name offered twice is logged, the first
        kept."""
        return _collect(self._manager.hook.caredomain_pickup_platforms, "pickup platform")

    def publish(self, event: Event) -> list[PluginFailure]:
        """Give a committed ``event`` to every plugin; one that raises does not stop the rest.

        Returns the failures, since the event is already durable; each is also logged once,
        as a warning of this module's logger with its traceback.
        """
        failures = []
        for impl in self._manager.hook.caredomain_on_event.get_hookimpls():
            try:
                impl.function(event=event)
            except Exception as error:
                failure = PluginFailure(impl.plugin_name, _raised(error))
                log.warning(
                    "plugin %s failed on %s %s: %s",
                    impl.plugin_name,
                    event.kind,
                    event.event_id,
                    error,
                    exc_info=error,
                )
                failures.append(failure)
        return failures

    # -- introspection ----------------------------------------------------------------

    def describe(self) -> list[PluginInfo]:
        """Each registered plugin with the hooks it implements."""
        infos = []
        for name, plugin in sorted(self._manager.list_name_plugin()):
            callers = self._manager.get_hookcallers(plugin) or []
            module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
            infos.append(
                PluginInfo(
                    name=name,
                    module=module,
                    version=self._versions.get(name),
                    hooks=tuple(sorted(caller.name for caller in callers)),
                )
            )
        return infos


def _not_valid(name: str, error: Exception) -> Text:
    return Text("plugin {name} is not valid: {error}", name=repr(name), error=str(error))


def _raised(error: Exception) -> Text:
    """An exception as a failure shows it: its class, then its message (a :class:`Text`
    where caredomain wrote it)."""
    return Text("{kind}: {error}", kind=type(error).__name__, error=str(error))


Spec = TypeVar("Spec", "SenderSpec", "FeedReaderSpec", "MobilePlatformSpec", "PickupPlatformSpec")


def _collect(hook: pluggy.HookCaller, what: str) -> dict[str, Spec]:
    found: dict[str, Spec] = {}
    for impl in hook.get_hookimpls():  # in registration order
        impl.function(register=_registrar(found, impl.plugin_name, what))
    return found


def _registrar(found: dict[str, Spec], plugin: str, what: str) -> Callable[[Spec], None]:
    def register(spec: Spec) -> None:
        if spec.name in found:
            log.warning("plugin %s offers %s %r again; ignored", plugin, what, spec.name)
            return
        found[spec.name] = spec

    return register


def _disabled(environ: Mapping[str, str]) -> frozenset[str]:
    return frozenset(n.strip() for n in environ.get(DISABLE_VARIABLE, "").split(",") if n.strip())


def load_plugins(
    environ: Mapping[str, str],
    *,
    extra: Iterable[tuple[str, object]] = (),
    discovered: Iterable[EntryPoint] | None = None,
) -> Plugins:
    """Load every ``caredomain`` entry point (and ``extra`` plugins) into a :class:`Plugins`.

    ``environ`` holds the two settings above (pass ``os.environ``). A failing plugin is
    recorded in :attr:`Plugins.failures` and logged, unless strict mode makes it fatal.
    """
    plugins = Plugins()
    strict = environ.get(STRICT_VARIABLE, "").strip().lower() in {"1", "true", "yes"}
    disabled = _disabled(environ)
    if discovered is None:
        discovered = entry_points(group=ENTRY_POINT_GROUP)
    for entry_point in sorted(discovered, key=lambda ep: ep.name):
        if entry_point.name in disabled:
            continue
        try:
            plugins.load_entry_point(entry_point)
        except PluginLoadError as error:
            if strict:
                raise
            log.warning("%s", error)
            plugins.failures.append(PluginFailure(entry_point.name, str(error)))
    for name, plugin in extra:
        if name not in disabled:
            plugins.register(plugin, name)
    return plugins
