"""Hypothesis profiles: ``dev`` (quick, the default) and ``ci`` (more examples, no deadline).

Choose with HYPOTHESIS_PROFILE; ``.ci/run`` sets ``ci``.

The command line runs in English in the tests (its default is French): the tests assert its
English source texts, and the tests of the French texts choose French themselves.
"""

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings

from caredomain.cli import i18n

os.environ["CAREDOMAIN_LANG"] = "en"  # for this process and the commands it starts


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Each test starts in English, whatever language a test before it ran the command in."""
    i18n.use("en")
    yield
    i18n.use("en")


settings.register_profile("dev", max_examples=50, deadline=timedelta(seconds=2))
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
