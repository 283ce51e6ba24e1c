"""The ``caredomain_penbase`` plugin: offers the ``penbase`` mobile platform through the
``caredomain_mobile_platforms`` hook, exactly as a third-party plugin would."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from caredomain import hookimpl
from caredomain.interventions.platform import MobilePlatform, MobilePlatformSpec
from caredomain_penbase.client import PenbaseClient

NAME = "penbase"


def create(settings: Mapping[str, str]) -> MobilePlatform:
    """A client from ``settings`` (see :mod:`caredomain_penbase.settings`); nothing
    connects until the first request."""
    return PenbaseClient.from_settings(settings)


SPEC = MobilePlatformSpec(
    name=NAME,
    create=create,
    description="Penbase over HTTP(S): url, token (or token_env), timeout, connect_timeout, "
    "attempts, backoff, max_backoff, page_size, max_pages",
)


@hookimpl
def caredomain_mobile_platforms(register: Callable[[MobilePlatformSpec], None]) -> None:
    """Offer ``penbase``."""
    register(SPEC)
