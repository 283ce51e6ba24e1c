"""A place on Earth: a WGS 84 position, what a caregiver's phone (seed 004) and a parent's
(seed 001) report."""

from __future__ import annotations

import math

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["EARTH_RADIUS_M", "GeoPoint"]

EARTH_RADIUS_M = 6_371_000.0


@frozen
class GeoPoint:
    """A WGS 84 position in decimal degrees."""

    latitude: float = field(converter=float)
    longitude: float = field(converter=float)

    def __attrs_post_init__(self) -> None:
        if not -90.0 <= self.latitude <= 90.0:
            raise InvalidInput(Text("latitude is from -90 to 90"), field="latitude", text=str(self))
        if not -180.0 <= self.longitude <= 180.0:
            raise InvalidInput(
                Text("longitude is from -180 to 180"), field="longitude", text=str(self)
            )

    def distance_to(self, other: GeoPoint) -> float:
        """Great-circle distance in metres (haversine): metres matter, not millimetres."""
        phi1, phi2 = math.radians(self.latitude), math.radians(other.latitude)
        dphi = phi2 - phi1
        dlam = math.radians(other.longitude - self.longitude)
        a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))

    def __str__(self) -> str:
        return f"{self.latitude:.6f},{self.longitude:.6f}"
