"""The ``caredomain_hophop`` plugin: offers the ``hophop`` pickup platform through the
``caredomain_pickup_platforms`` hook, exactly as a third-party plugin would. It imports
neither Starlette nor the webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from caredomain import hookimpl
from caredomain.pickup.ports import HopHopPlatform, PickupPlatformSpec
from caredomain_hophop.client import HopHopClient

NAME = "hophop"


def create(settings: Mapping[str, str]) -> HopHopPlatform:
    """A client from ``settings`` (see :mod:`caredomain_hophop.settings`); nothing
    connects until the first request."""
    return HopHopClient.from_settings(settings)


SPEC = PickupPlatformSpec(
    name=NAME,
    create=create,
    description="HopHop over HTTP(S): url, token (or token_env), webhook_secret (or "
    "webhook_secret_env), timeout, connect_timeout, attempts, backoff, max_backoff",
)


@hookimpl
def caredomain_pickup_platforms(register: Callable[[PickupPlatformSpec], None]) -> None:
    """Offer ``hophop``."""
    register(SPEC)
