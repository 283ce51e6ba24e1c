"""The daycare pickups chapter of ``caredomain demo`` (seed 001): an afternoon at the
service de garde.

The sample daycare (two installations, run here for the sample town hall) is linked to a
reference HopHop on loopback and synced. Marie announces at 14:30 that she will be there at
15:45; Léa moves to Les Papillons at 15:00, and at 15:40 — the preparation time before —
the alert rings there, not in her former group. Sophie, the educator, taps Appeler, Prêt
(HopHop tells Marie) and Départ. Jean-François shares his GPS: twenty positions, one alert.
Geneviève asks for 18:10 and is refused, with the reason her app shows. Mathieu changes his
photo: Florence's file waits for the centre's approval, and he cannot announce until then.

Parents' messages go through the use cases as HopHop's webhooks apply them
(``HOPHOP_ACTOR``, each with its own id). The demo's clock is fixed and its ids are too: a
second run recognises what exists and changes nothing.
"""

from __future__ import annotations

import importlib.resources
from datetime import date, datetime, time, timedelta

from attrs import evolve

from caredomain.access import Actor, ActorId, Role
from caredomain.cli.demo_run import DemoRun
from caredomain.cli.i18n import _, ngettext, shown, weekday
from caredomain.cli.pickup import daycare_counts, show_sync
from caredomain.cli.pickup_tablet import show_activation
from caredomain.clock import FixedClock
from caredomain.errors import RuleViolation
from caredomain.events import Event
from caredomain.geo import GeoPoint
from caredomain.organisation import ConfigurationId, Organisation
from caredomain.pickup import PickupAlertDue, PickupStatus, View
from caredomain.pickup.daycare import Daycare, load_daycare
from caredomain.pickup.model import Child, ChildId, GroupId, InstallationId
from caredomain.pickup.ports import HopHopPlatform, pickup_unit_of_work
from caredomain.pickup.services import (
    HOPHOP_ACTOR,
    AnnouncedChild,
    activations,
    announce_pickup,
    call_child,
    hophop_parent,
    link_account,
    move_child,
    parent_photo_changed,
    pickup_alerts,
    ready_child,
    release_child,
    report_position,
    set_up_daycare,
    sync_hophop,
    tick_pickups,
)
from caredomain.secret import Secret
from caredomain.services import ServiceContext, configure_organisation
from caredomain.testing.hophop import ReferenceHopHop

__all__ = ["SAMPLE_DAYCARE", "pickup_chapter", "sample_daycare"]

SAMPLE_DAYCARE = "sample_daycare.toml"
DAY = date(2026, 3, 3)
PASSWORD = "demo-mot-de-passe"
ROSEMONT = InstallationId("rosemont")
PAPILLONS = GroupId("papillons")
POUSSINS = GroupId("poussins")
LEA = AnnouncedChild("lea-tremblay", "Léa", "Tremblay")
FELIX = AnnouncedChild("felix-gagnon", "Félix", "Gagnon")
FLORENCE = AnnouncedChild("florence-roy-cote", "Florence", "Roy-Côté")
MARIE_PICKUP = "demo-evt-marie:lea-tremblay"
CPE_SOLEIL = ConfigurationId("cpe-soleil")  # the daycare is a configuration of its own
DIRECTION = Actor.administrator("cpe-direction", "Direction du CPE Soleil", CPE_SOLEIL)
SOPHIE = Actor(
    ActorId("educ-sophie"),
    {Role.AGENT},
    services={ROSEMONT},
    name="Sophie Lavoie",
    configuration=CPE_SOLEIL,
)


def sample_daycare() -> Daycare:
    """The sample daycare shipped in the package."""
    text = importlib.resources.files("caredomain.data").joinpath(SAMPLE_DAYCARE).read_text("utf-8")
    return load_daycare(text, source=SAMPLE_DAYCARE)


class _Story:
    """The chapter's context, clock, daycare and printer."""

    def __init__(self, demo: DemoRun, organisation: Organisation) -> None:
        self.demo = demo
        self.organisation = organisation
        self.clock = FixedClock(self.at(time(14, 0)))
        self.context: ServiceContext = evolve(demo.context, clock=self.clock)
        self.id = organisation.id

    def at(self, moment: time) -> datetime:
        return datetime.combine(DAY, moment, tzinfo=self.organisation.zone)

    def now(self, moment: time) -> datetime:
        self.clock.set(self.at(moment))
        return self.clock.now()

    def say(self, moment: time | None, text: str) -> None:
        prefix = f"  {moment.strftime('%H:%M')} " if moment else "        "
        self.demo.console.print(prefix + text)

    def earlier(self) -> None:
        self.say(None, _("(done in an earlier run of the demo: each message is applied once)"))


def pickup_chapter(demo: DemoRun) -> None:
    """Set up and link the sample daycare, then play its afternoon."""
    console = demo.console
    daycare = sample_daycare()  # CPE Soleil, a Québec daycare beside the town hall
    organisation = daycare.organisation
    with pickup_unit_of_work(demo.context.store, write=False) as uow:
        known = organisation.id in uow.organisations.ids()
    if not known:
        configure_organisation(demo.context, DIRECTION, organisation)
    with pickup_unit_of_work(demo.context.store, write=False) as uow:
        known = bool(uow.pickup.installations(organisation.id))
    story = _Story(demo, organisation)
    day = f"{weekday(DAY)} {DAY.isoformat()}"
    console.print(
        "== " + _("Daycare pickups with HopHop: {name}, {day}").format(name="CPE Soleil", day=day)
    )
    if not known:  # set up once: a second run keeps what the afternoon changed
        set_up_daycare(
            story.context,
            DIRECTION,
            story.id,
            installations=daycare.installations,
            groups=daycare.groups,
            children=daycare.children,
            parents=daycare.parents,
        )
    console.print(daycare_counts(daycare))
    hophop = ReferenceHopHop()
    console.print(_("HopHop: the reference HopHop, in memory"))
    _link_and_sync(story, daycare, hophop)
    console.print()
    _marie(story, hophop)
    console.print()
    _gps(story, hophop)
    console.print()
    _refused(story)
    console.print()
    _photo(story)


def _link_and_sync(story: _Story, daycare: Daycare, platform: HopHopPlatform) -> None:
    demo = story.demo
    for account in daycare.accounts:
        linked = link_account(
            story.context,
            DIRECTION,
            story.id,
            account.installation,
            email=account.email,
            password=Secret(PASSWORD),
            platform=platform,
            create=True,
            settings=account.settings,
        )
        state = _("linked (green)") if linked.problem is None else linked.problem.value
        minutes = int(linked.settings.preparation.total_seconds() // 60)
        demo.console.print(
            "  "
            + _(
                "{installation}: {email} {state}, preparation {minutes} min, calls {window}"
            ).format(
                installation=linked.installation,
                email=linked.email,
                state=state,
                minutes=minutes,
                window=shown(str(linked.settings.call_window)),
            )
        )
    report = sync_hophop(story.context, DIRECTION, story.id, platform)
    demo.console.print(_("Sync with HopHop (what was already sent is not sent again):"))
    for line in show_sync(report):
        demo.console.print("  " + line)


def _alerting(story: _Story, group: GroupId) -> str:
    alerts = pickup_alerts(story.context, SOPHIE, story.id, View(ROSEMONT, group))
    names = {c.id: c.full_name for c in _children(story)}
    return ", ".join(names.get(p.child, p.child) for p in alerts) or _("none")


def _children(story: _Story) -> list[Child]:
    with pickup_unit_of_work(story.context.store, write=False) as uow:
        return uow.pickup.children(story.id)


def _marie(story: _Story, platform: ReferenceHopHop) -> None:
    """The seed's story: an announced time, the alert in the child's group, the three taps."""
    demo, context = story.demo, story.context
    demo.console.print(_("Marie Tremblay comes for Léa (an estimated time):"))
    at = story.now(time(14, 30))
    marie = hophop_parent(context, HOPHOP_ACTOR, story.id, "marie.tremblay@example.ca")
    done = announce_pickup(
        context,
        HOPHOP_ACTOR,
        story.id,
        inbound_id="demo-evt-marie",
        parent=marie,
        children=[LEA],
        at=at,
        arrival=story.at(time(15, 45)),
    )
    story.say(time(14, 30), _("Marie announces she will be there at 15:45"))
    if not done.pickups:
        story.earlier()
    story.now(time(15, 0))
    move_child(context, SOPHIE, story.id, ChildId(LEA.reference), PAPILLONS)
    story.say(time(15, 0), _("Léa moves from Les Poussins to Les Papillons"))
    for moment in (time(15, 39), time(15, 40)):
        story.now(moment)
        rang = [
            e
            for e in tick_pickups(context, HOPHOP_ACTOR, story.id)
            if isinstance(e, PickupAlertDue)
        ]
        what = _("the alert rings") if rang else _("nothing yet")
        story.say(moment, _("tick: {what}").format(what=what))
    story.say(
        None,
        _("alerts at Les Papillons: {papillons}; at Les Poussins: {poussins}").format(
            papillons=_alerting(story, PAPILLONS), poussins=_alerting(story, POUSSINS)
        ),
    )
    with pickup_unit_of_work(context.store, write=False) as uow:
        pickup = uow.pickup.pickup(story.id, MARIE_PICKUP)
    if pickup.status is PickupStatus.DEPARTED:
        story.earlier()
    else:
        story.now(time(15, 41))
        call_child(context, SOPHIE, story.id, MARIE_PICKUP)
        story.say(time(15, 41), _("Sophie taps Appeler: Léa gets ready"))
        story.now(time(15, 44))
        ready_child(context, SOPHIE, story.id, MARIE_PICKUP, platform)
        told = platform.told_ready == [MARIE_PICKUP]
        story.say(
            time(15, 44),
            _("Sophie taps Prêt: HopHop tells Marie")
            if told
            else _("Sophie taps Prêt: HopHop was not told"),
        )
        story.now(time(15, 47))
        pickup = release_child(context, SOPHIE, story.id, MARIE_PICKUP)
        story.say(time(15, 47), _("Sophie taps Départ"))
    story.say(
        None,
        _("pickup {id}: {status}, released by {actor} at {time}").format(
            id=pickup.id,
            status=pickup.status.value,
            actor=pickup.released_by,
            time=story.organisation.local(pickup.ended_at).strftime("%H:%M")
            if pickup.ended_at
            else "--:--",
        ),
    )


def _gps(story: _Story, platform: HopHopPlatform) -> None:
    """A parent on GPS: many reports, one alert."""
    demo, context = story.demo, story.context
    demo.console.print(_("Jean-François Gagnon comes for Félix (GPS):"))
    parent = hophop_parent(context, HOPHOP_ACTOR, story.id, "jf.gagnon@example.ca")
    start = story.now(time(16, 0))
    here = GeoPoint(45.5437, -73.5988)
    done = announce_pickup(
        context,
        HOPHOP_ACTOR,
        story.id,
        inbound_id="demo-gps-felix",
        parent=parent,
        children=[FELIX],
        at=start,
        travel=timedelta(minutes=25),
        position=here,
    )
    story.say(time(16, 0), _("he sets off, 25 minutes away"))
    events: list[Event] = []
    for minute in range(1, 21):
        at = story.now(time(16, minute))
        events += report_position(
            context,
            HOPHOP_ACTOR,
            story.id,
            inbound_id=f"demo-gps-felix-{minute}",
            parent=parent,
            at=at,
            position=GeoPoint(here.latitude - minute * 0.001, here.longitude),
            travel=timedelta(minutes=25 - minute),
        )
    alerts = sum(1 for event in events if isinstance(event, PickupAlertDue))
    reports = ngettext("{n} position", "{n} positions", 20).format(n=20)
    story.say(
        time(16, 20),
        ngettext("{reports} reported: {n} alert", "{reports} reported: {n} alerts", alerts).format(
            reports=reports, n=alerts
        ),
    )
    if not done.pickups:
        story.earlier()
        return
    (pickup,) = done.pickups
    story.now(time(16, 21))
    call_child(context, SOPHIE, story.id, pickup.id)
    story.now(time(16, 24))
    ready_child(context, SOPHIE, story.id, pickup.id, platform)
    story.now(time(16, 26))
    release_child(context, SOPHIE, story.id, pickup.id)
    story.say(time(16, 26), _("Sophie calls Félix, readies him, and releases him to his father"))


def _refused(story: _Story) -> None:
    """An arrival outside the call window."""
    demo, context = story.demo, story.context
    demo.console.print(_("Geneviève Roy asks to come for Florence at 18:10:"))
    parent = hophop_parent(context, HOPHOP_ACTOR, story.id, "genevieve.roy@example.ca")
    at = story.now(time(17, 0))
    try:
        announce_pickup(
            context,
            HOPHOP_ACTOR,
            story.id,
            inbound_id="demo-evt-genevieve",
            parent=parent,
            children=[FLORENCE],
            at=at,
            arrival=story.at(time(18, 10)),
        )
    except RuleViolation as refused:
        story.say(
            time(17, 0),
            _("refused [{code}] {message}").format(
                code=refused.code, message=shown(refused.message)
            ),
        )
    else:  # pragma: no cover - the sample's window ends at 18:00
        story.say(time(17, 0), _("accepted"))


def _photo(story: _Story) -> None:
    """A photo change waiting for the centre's approval."""
    demo, context = story.demo, story.context
    demo.console.print(_("Mathieu Côté changes his photo in HopHop:"))
    parent = hophop_parent(context, HOPHOP_ACTOR, story.id, "mathieu.cote@example.ca")
    at = story.now(time(17, 5))
    parent_photo_changed(
        context,
        HOPHOP_ACTOR,
        story.id,
        inbound_id="demo-photo-mathieu",
        parent=parent,
        children=[ChildId(FLORENCE.reference)],
    )
    try:
        announce_pickup(
            context,
            HOPHOP_ACTOR,
            story.id,
            inbound_id="demo-evt-mathieu",
            parent=parent,
            children=[FLORENCE],
            at=at,
            arrival=story.at(time(17, 30)),
        )
        story.say(time(17, 5), _("his announcement is accepted"))
    except RuleViolation as refused:
        story.say(
            time(17, 5),
            _("his announcement is refused [{code}] {message}").format(
                code=refused.code, message=shown(refused.message)
            ),
        )
    listed = activations(context, SOPHIE, story.id, ROSEMONT)
    story.say(None, _("Rosemont's list of pupils:"))
    for activation in listed:
        story.say(None, "  " + show_activation(activation))
