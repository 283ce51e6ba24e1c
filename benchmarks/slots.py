"""Slot planning benchmark (seed 003): a thousand counters over a two-month window.

Measured in the same run, so that a noisy machine does not matter:

* ``slots_per_s`` — plan every counter from scratch (:func:`caredomain.slots.plan_slots`),
  against ``naive_slots_per_s``: a naive loop over the same counters, days and ranges that
  builds each slot as a pair of aware datetimes with ``timedelta`` steps; ``speedup`` is
  the ratio of the two (target: 10 or more);
* ``query_ms`` — the free slots of one type at one place for the next 14 days, once
  planned, with a fifth of the slots booked (target: under 1 ms);
* ``refresh_one_ratio`` — the nightly refresh after one counter's reference week changed,
  over a full plan (target: under 1%).

Each ratio's two sides are timed in turns, ``--repeat`` rounds, the other side first every
other round, so that the machine's load falls on both alike; each timing is the median of
its rounds (the query: of 200 runs; a refresh round runs several refreshes). The load
average before and after is printed with the figures.
``--counters N`` runs a smaller town; ``--json`` prints the figures as one JSON object on
the last line.

    python benchmarks/slots.py [--counters 1000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from caredomain import (
    Actor,
    ActorId,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    Weekday,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.slots import (
    Agenda,
    AppointmentType,
    Beneficiary,
    Channel,
    Counter,
    CounterId,
    Place,
    PlaceId,
    Plan,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
    plan_slots,
    refresh_plan,
)
from caredomain.slots.opening import last_day, week_text
from caredomain.slots.wallclock import day_clock

sys.path.insert(0, str(Path(__file__).parent))
from machine import Load

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 23)  # a Monday; its two-month window has no change of offset
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=PARIS)
DURATIONS = (15, 20, 30)
TYPES = 8
COUNTERS_PER_PLACE = 10
WEEK_VARIANTS = 20
ORGANISATION = Organisation(
    OrganisationId("ville"), "Ville", PARIS, OpeningCalendar(WORKING_WEEK | {Weekday.SATURDAY})
)


def weeks() -> list[ReferenceWeek]:
    """Twenty reference weeks: mornings and afternoons shifted by ten minutes, a short
    Wednesday in some, Saturday mornings in others."""
    found = []
    for n in range(WEEK_VARIANTS):
        morning = f"08h{(n % 4) * 10:02d}-12h00"
        day = f"{morning}\n13h30-17h{(n % 3) * 10:02d}"
        texts = dict.fromkeys(("lundi", "mardi", "jeudi", "vendredi"), day)
        texts["mercredi"] = morning if n % 2 else day
        if n % 3:
            texts["samedi"] = "09h00-12h00"
        found.append(ReferenceWeek.parse(f"semaine-{n:02d}", texts))
    return found


def town(counters: int) -> SlotSettings:
    """``counters`` counters over a few types, ten to a place, each with a reference week."""
    kinds = [
        AppointmentType(
            TypeId(f"type-{n}"),
            f"Type {n}",
            DURATIONS[n % len(DURATIONS)],
            "2m",
            "60m",
            options=("A", "B") if n % 2 else (),
            on_portal=True,
        )
        for n in range(TYPES)
    ]
    places = [
        Place(PlaceId(f"place-{n:03d}"), f"Lieu {n}", f"{n} rue de la Mairie", on_portal=True)
        for n in range(max(1, -(-counters // COUNTERS_PER_PLACE)))
    ]
    all_weeks = weeks()
    found = [
        Counter(
            CounterId(f"c{n:05d}"),
            f"Guichet {n}",
            kinds[n % TYPES].id,
            places[n // COUNTERS_PER_PLACE].id,
            seats=1 + n % 2,
        )
        for n in range(counters)
    ]
    applications = [
        WeekApplication(
            counter.id,
            WeekName(all_weeks[n % WEEK_VARIANTS].name),
            date(2026, 1, 1),
            date(2027, 12, 31),
        )
        for n, counter in enumerate(found)
    ]
    return SlotSettings(kinds, places, found, all_weeks, applications)


def fresh(settings: SlotSettings) -> SlotSettings:
    """The same settings as a new value, with nothing computed yet; caches emptied."""
    day_clock.cache_clear()
    last_day.cache_clear()
    week_text.cache_clear()
    return SlotSettings(
        settings.types, settings.places, settings.counters, settings.weeks, settings.applications
    )


def naive(settings: SlotSettings, organisation: Organisation, today: date) -> int:
    """Every slot as an aware (start, end) pair, stepping through each range with timedelta.

    Open days are computed once for all counters, as the planner does: the baseline is the
    cutting of slots, not the calendar.
    """
    zone = organisation.zone
    last = settings.horizon(today)
    days = [today + timedelta(days=n) for n in range((last - today).days + 1)]
    open_days = {day for day in days if organisation.calendar.is_open(day)}
    slots: list[tuple[datetime, datetime]] = []
    for counter in settings.counters:
        kind = settings.type(counter.type_id)
        step = timedelta(minutes=kind.duration_minutes)
        applications = settings.applications_of(counter.id)
        day, last = today, kind.window.last_day(today)
        while day <= last:
            if day in open_days:
                week = None
                for application in applications:  # the latest application wins
                    if application.first <= day <= application.last:
                        week = settings.week(application.week)
                if week is not None:
                    for opening in week.ranges_on(Weekday.of(day)):
                        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
                        start = midnight + timedelta(minutes=opening.start_minute)
                        end = midnight + timedelta(minutes=opening.end_minute)
                        while start + step <= end:
                            slots.append((start, start + step))
                            start += step
            day += timedelta(days=1)
    return len(slots)


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median duration of ``repeat`` runs, in seconds, and the last result."""
    durations, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def interleaved(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[float, float, Any, Any]:
    """``first`` and ``second`` in turns (the other first every other round), so that the
    machine's load falls on both alike: the median duration of each and their last
    results."""
    durations: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    for number in range(repeat):
        order = (0, 1) if number % 2 == 0 else (1, 0)
        for which in order:
            action = (first, second)[which]
            started = time.perf_counter()
            results[which] = action()
            durations[which].append(time.perf_counter() - started)
    return (
        statistics.median(durations[0]),
        statistics.median(durations[1]),
        results[0],
        results[1],
    )


def book_a_fifth(agenda: Agenda, settings: SlotSettings, plan: Plan) -> int:
    """Book one seat of every fifth slot of the first 14 days, as the back office would."""
    agent = Actor(ActorId("agent"), {Role.ADMINISTRATOR}, configuration=ORGANISATION.configuration)
    ids = count()
    booked = 0
    first, last = TODAY.toordinal(), TODAY.toordinal() + 13
    for counter in settings.counters[: min(len(settings.counters), 200)]:
        counter_plan = plan.counters[counter.id]
        options = settings.options_of(counter)
        starts = [s for o in range(first, last + 1) for s in counter_plan.starts_on(o)]
        for start in starts[::5]:
            moment = datetime.fromtimestamp(start, PARIS)
            if moment < NOW + timedelta(hours=2):
                continue
            agenda.book(
                agent,
                counter_id=counter.id,
                start=moment,
                beneficiary=Beneficiary(f"b{booked}", "Bénéficiaire"),
                channel=Channel.BACK_OFFICE,
                now=NOW,
                new_id=lambda: f"id-{next(ids)}",
                option=options[0] if options else None,
            )
            booked += 1
    return booked


def measure(counters: int, repeat: int) -> dict[str, Any]:
    settings = town(counters)

    plan_s, naive_s, plan, naive_slots = interleaved(
        lambda: plan_slots(ORGANISATION, fresh(settings), TODAY),
        lambda: naive(settings, ORGANISATION, TODAY),
        repeat,
    )
    slots = plan.count()

    agenda = Agenda(ORGANISATION, settings, plan=plan)
    booked = book_a_fifth(agenda, settings, plan)
    asked = settings.counters[0]
    last = TODAY + timedelta(days=13)

    def query() -> int:
        found = agenda.free_slots(asked.type_id, TODAY, last, now=NOW, place_id=asked.place_id)
        return len(found)

    query_s, query_slots = timed(query, 200)

    base = fresh(settings)
    planned = plan_slots(ORGANISATION, base, TODAY)
    # One counter's reference week changes (a new application); each run refreshes a new
    # settings value, so that nothing of the change is computed in advance.
    change = WeekApplication(
        settings.counters[len(settings.counters) // 2].id,
        WeekName(settings.weeks[1].name),
        TODAY,
        date(2027, 12, 31),
    )
    runs = max(21, repeat) + repeat  # enough settings values for every refresh below
    change_s, changed = timed(lambda: [base.with_application(change) for _ in range(runs)], 1)
    pending = iter(changed)
    per_round = max(1, runs // repeat)

    def refresh_some() -> None:
        for _ in range(per_round):
            update = refresh_plan(planned, ORGANISATION, next(pending), TODAY)
            assert list(update.changed) == [change.counter_id]

    # The full plan and the refresh in turns, each the median of its runs.
    full_s, refresh_s, _, _ = interleaved(
        lambda: plan_slots(ORGANISATION, fresh(settings), TODAY),
        refresh_some,
        repeat,
    )
    refresh_s /= per_round
    return {
        "counters": counters,
        "slots": slots,
        "naive_slots": naive_slots,
        "plan_ms": round(plan_s * 1000, 2),
        "naive_ms": round(naive_s * 1000, 2),
        "slots_per_s": round(slots / plan_s),
        "naive_slots_per_s": round(naive_slots / naive_s),
        "speedup": round((slots / plan_s) / (naive_slots / naive_s), 2),
        "booked": booked,
        "query_slots": query_slots,
        "query_ms": round(query_s * 1000, 4),
        "full_plan_ms": round(full_s * 1000, 2),
        "refresh_one_ms": round(refresh_s * 1000, 4),
        "refresh_one_ratio": round(refresh_s / full_s, 5),
        "change_one_ms": round(change_s / runs * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counters", type=int, default=1000, help="counters (1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each plan (3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON last")
    args = parser.parse_args()
    if args.counters < 1 or args.repeat < 1:
        parser.error("--counters and --repeat must be at least 1")
    load = Load.now()
    figures = measure(args.counters, args.repeat)
    load = load.until_now()
    figures["load"] = load.figures()
    window = f"{TODAY.isoformat()} + 2m"
    print(f"{figures['counters']} counters, window {window}: {figures['slots']} slots")
    print(
        f"plan     {figures['plan_ms']:>10.1f} ms  {figures['slots_per_s']:>12,} slots/s"
        f"   naive {figures['naive_ms']:.1f} ms, {figures['naive_slots_per_s']:,} slots/s"
        f"   speedup {figures['speedup']}x (target >= 10)"
    )
    print(
        f"query    {figures['query_ms']:>10.4f} ms  free slots of one type at one place, 14 days:"
        f" {figures['query_slots']} ({figures['booked']} seats booked; target < 1 ms)"
    )
    print(
        f"refresh  {figures['refresh_one_ms']:>10.4f} ms  one counter's week changed, "
        f"{figures['refresh_one_ratio']:.3%} of a full plan ({figures['full_plan_ms']} ms;"
        f" target < 1%); saving the change itself: {figures['change_one_ms']} ms"
    )
    print(load.line())
    if args.json:
        print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
