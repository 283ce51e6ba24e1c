"""What the machine was doing while a benchmark ran: printed with every benchmark's figures,
so that a ratio measured on a loaded shared machine is read as such.

    from machine import Load
    load = Load.now()
    ...  # the measurements
    load = load.until_now()
    print(load.line())  # "load average 1.52 1.40 1.33 -> 1.80 1.47 1.35 on 2 CPUs"
    figures["load"] = load.figures()
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    """The 1, 5 and 15-minute load averages before (and after) the measurements."""

    before: tuple[float, float, float]
    after: tuple[float, float, float] | None = None

    @classmethod
    def now(cls) -> Load:
        return cls(_average())

    def until_now(self) -> Load:
        return Load(self.before, _average())

    def figures(self) -> dict[str, object]:
        return {
            "before": list(self.before),
            "after": list(self.after or self.before),
            "cpus": os.cpu_count(),
        }

    def line(self) -> str:
        after = self.after or self.before
        return (
            f"load average {' '.join(f'{x:.2f}' for x in self.before)} -> "
            f"{' '.join(f'{x:.2f}' for x in after)} on {os.cpu_count()} CPUs"
        )


def _average() -> tuple[float, float, float]:
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)
