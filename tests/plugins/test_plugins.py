"""The plugin system: registration, validation, isolation of failures, and each hook."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from caredomain import (
    Actor,
    Event,
    FixedClock,
    InvalidInput,
    Organisation,
    OrganisationConfigured,
    OrganisationId,
    hookimpl,
)
from caredomain.notifications.outbound import OutboundMessage, SendStatus
from caredomain.notifications.ports import Sender, SenderSpec
from caredomain.organisation import ConfigurationId
from caredomain.plugins import PluginLoadError, Plugins, load_plugins
from caredomain.services import ServiceContext, configure_organisation

NOON = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def audit_trail_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(Path(__file__).parents[2] / "examples"))
    import audit_trail_plugin

    return audit_trail_plugin


def _event(event_id: str = "e1") -> OrganisationConfigured:
    return OrganisationConfigured(
        event_id=event_id, occurred_at=NOON, organisation_id="o", name="Org"
    )


def test_hook_caredomain_on_event_receives_committed_events(
    tmp_path: Path, audit_trail_module: ModuleType
) -> None:
    trail = audit_trail_module.AuditTrail(tmp_path / "audit.jsonl")
    plugins = load_plugins({}, extra=[("audit_trail", trail)])
    store = plugins.open_store("sqlite:///:memory:")
    context = ServiceContext(
        store=store, clock=FixedClock(NOON), new_id=lambda: "evt-1", publish=plugins.publish
    )
    configure_organisation(
        context,
        Actor.administrator(configuration=ConfigurationId("o")),
        Organisation(OrganisationId("o"), "Org"),
    )
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert '"kind": "OrganisationConfigured"' in lines[0]
    assert '"event_id": "evt-1"' in lines[0]


def test_a_failing_event_hook_does_not_stop_the_others() -> None:
    seen: list[Event] = []

    class Broken:
        @hookimpl
        def caredomain_on_event(self, event: Event) -> None:
            raise RuntimeError("webhook down")

    class Recorder:
        @hookimpl
        def caredomain_on_event(self, event: Event) -> None:
            seen.append(event)

    plugins = load_plugins({}, extra=[("broken", Broken()), ("recorder", Recorder())])
    failures = plugins.publish(_event())
    assert [f.name for f in failures] == ["broken"]
    assert "webhook down" in failures[0].error
    assert seen == [_event()]


def test_hook_caredomain_senders_offers_the_console_sender(audit_trail_module: ModuleType) -> None:
    plugins = load_plugins({}, extra=[("audit_trail", audit_trail_module.plugin)])
    spec = plugins.sender_specs()["console"]
    assert spec.channel == "mail"
    stream = io.StringIO()
    sender = audit_trail_module.ConsoleSender(stream)
    message = OutboundMessage("k1", "mail", "a@example.org", "Rendez-vous", "Bonjour")
    assert [r.status for r in sender.send([message])] == [SendStatus.SENT]
    assert "Subject: Rendez-vous" in stream.getvalue()


def _never_created(settings: object) -> Sender:
    raise AssertionError("this test never builds the sender")


def test_a_sender_name_offered_twice_keeps_the_first() -> None:
    def offering(tag: str) -> object:
        class Offers:
            @hookimpl
            def caredomain_senders(self, register: Callable[[SenderSpec], None]) -> None:
                register(SenderSpec("dup", "sms", create=_never_created, description=tag))

        return Offers()

    plugins = load_plugins({}, extra=[("first", offering("first")), ("second", offering("second"))])
    assert plugins.sender_specs()["dup"].description == "first"


def test_hook_caredomain_feed_readers_offers_a_reader(
    tmp_path: Path, audit_trail_module: ModuleType
) -> None:
    plugins = load_plugins({}, extra=[("audit_trail", audit_trail_module.plugin)])
    reader = plugins.feed_reader_specs()["semicolon-codes"].create({})
    feed = tmp_path / "codes.txt"
    feed.write_text(
        "# extracted 2026-11-22T06:00:00+01:00\nA12;2026-11-23;MAL\n\nB7;2026-11-23;J\n"
    )
    batch = reader.read(str(feed))
    assert batch.extracted_at == datetime.fromisoformat("2026-11-22T06:00:00+01:00")
    assert [(r.line, r.agent, r.day, r.code) for r in batch.rows] == [
        (2, "A12", date(2026, 11, 23), "MAL"),
        (4, "B7", date(2026, 11, 23), "J"),
    ]
    feed.write_text("# extracted 2026-11-22T06:00:00+01:00\nA12;23/11/2026;MAL\n")
    with pytest.raises(InvalidInput) as error:
        reader.read(str(feed))
    assert error.value.line == 2
    assert error.value.source == str(feed)


def test_a_misspelt_hook_is_refused_by_name() -> None:
    class Misspelt:
        @hookimpl
        def caredomain_on_evnt(self, event: Event) -> None:
            """Misspelt: check_pending must catch it."""

    plugins = Plugins()
    with pytest.raises(PluginLoadError, match="'misspelt'"):
        plugins.register(Misspelt(), "misspelt")
    assert "misspelt" not in plugins.names


def test_a_hook_with_unknown_arguments_is_refused() -> None:
    class WrongArguments:
        @hookimpl
        def caredomain_on_event(self, event: Event, colour: str) -> None:
            """Asks for an argument the specification does not have."""

    with pytest.raises(PluginLoadError, match="'wrong'"):
        Plugins().register(WrongArguments(), "wrong")


def test_no_plugin_for_a_url_names_the_scheme() -> None:
    plugins = load_plugins({})
    with pytest.raises(InvalidInput, match="mysql"):  # postgresql:// has its plugin now
        plugins.open_store("mysql://user:secret@db/care")


def test_describe_lists_each_plugin_with_its_hooks(audit_trail_module: ModuleType) -> None:
    plugins = load_plugins({}, extra=[("audit_trail", audit_trail_module.plugin)])
    described = {info.name: info for info in plugins.describe()}
    assert described["audit_trail"].hooks == (
        "caredomain_feed_readers",
        "caredomain_on_event",
        "caredomain_senders",
    )
    assert described["caredomain_sqlite"].hooks == ("caredomain_open_store",)
    assert described["caredomain_sqlite"].version is not None
