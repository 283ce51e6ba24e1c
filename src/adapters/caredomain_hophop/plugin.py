"""The ``caredomain_hophop`` plugin: offers the ``hophop`` pickup platform through the
``caredomain_pickup_platforms`` hook, exactly as a third-party plugin would. It imports
neither Starlette nor the webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from caredomain import hookimpl
from caredomain.pickup.ports import HopHopPlatform, PickupPlatformSpec
from caredomain.services.context import ServiceContext
from caredomain_hophop.client import HopHopClient
from caredomain_hophop.webhooks import PATH

NAME = "hophop"


def create(settings: Mapping[str, str]) -> HopHopPlatform:
    """A client from ``settings`` (see :mod:`caredomain_hophop.settings`); nothing
    connects until the first request."""
    return HopHopClient.from_settings(settings)


def receiver(
    context: ServiceContext, settings: Mapping[str, str], environ: Mapping[str, str]
) -> Any:
    """The webhook receiver (Starlette, the ``hophop`` extra: imported only now)."""
    from caredomain_hophop.settings import HopHopSettings
    from caredomain_hophop.webhooks import webhook_app

    return webhook_app(context, HopHopSettings.from_mapping(settings, environ))


SPEC = PickupPlatformSpec(
    name=NAME,
    create=create,
    receiver=receiver,
    receiver_path=PATH,
    description="HopHop over HTTP(S): url, token (or token_env), webhook_secret (or "
    "webhook_secret_env), timeout, connect_timeout, attempts, backoff, max_backoff",
)


@hookimpl
def caredomain_pickup_platforms(register: Callable[[PickupPlatformSpec], None]) -> None:
    """Offer ``hophop``."""
    register(SPEC)
