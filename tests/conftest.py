"""Hypothesis profiles: ``dev`` (quick, the default) and ``ci`` (more examples, no deadline).

Choose with HYPOTHESIS_PROFILE; ``.ci/run`` sets ``ci``.
"""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=timedelta(seconds=2))
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
