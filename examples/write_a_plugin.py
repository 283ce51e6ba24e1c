"""Story: an integrator plugs an audit trail, a console mailer and a feed reader into caredomain.

Run it:  python examples/write_a_plugin.py

It registers the example plugin (examples/audit_trail_plugin.py) beside the built-in ones,
opens an embedded SQLite store through the store hook, configures an organisation (the
committed event lands in the audit trail), prints a mail through the plugin's sender, and
reads a small feed file through its reader.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from audit_trail_plugin import AuditTrail

from caredomain import Actor, FixedClock, Organisation, OrganisationId
from caredomain.notifications.outbound import OutboundMessage
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext, configure_organisation


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="caredomain-plugin-"))
    trail = AuditTrail(workdir / "audit.jsonl")
    plugins = load_plugins(os.environ, extra=[("audit_trail", trail)])
    for info in plugins.describe():
        print(f"plugin {info.name}: {', '.join(info.hooks)}")

    store = plugins.open_store(f"sqlite:///{workdir / 'care.db'}")
    context = ServiceContext(
        store=store,
        clock=FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        publish=plugins.publish,
    )
    configure_organisation(
        context,
        Actor.administrator(configuration=ConfigurationId("ehpad-1")),
        Organisation(OrganisationId("ehpad-1"), "EHPAD Les Tilleuls"),
    )
    store.close()
    print(f"audit trail: {trail.path.read_text(encoding='utf-8').strip()}")

    mailer = plugins.sender_specs()["console"].create({})
    message = OutboundMessage(
        key="demo-1",
        channel="mail",
        recipient="direction@tilleuls.example",
        subject="Plugin installed",
        body="The audit trail plugin is recording events.",
    )
    print(f"sent: {[result.status.value for result in mailer.send([message])]}")

    feed = workdir / "codes.txt"
    feed.write_text("# extracted 2026-11-23T06:00:00+01:00\nA12;2026-11-24;MAL\n", encoding="utf-8")
    batch = plugins.feed_reader_specs()["semicolon-codes"].create({}).read(str(feed))
    for row in batch.rows:
        print(f"feed line {row.line}: agent {row.agent} on {row.day} has code {row.code}")


if __name__ == "__main__":
    main()
