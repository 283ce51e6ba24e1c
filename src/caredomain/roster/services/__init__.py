"""The roster's use cases: authorize, load through the unit of work, call the domain, save
what changed with its events, commit, publish.

The GTT feed runs as :data:`GTT_FEED_ACTOR`, a system actor with the administrator role named
``gtt-feed``; managers plan the posts of their units; agents see their own days.

* :mod:`~caredomain.roster.services.ward`: the ward's configuration;
* :mod:`~caredomain.roster.services.feed`: the GTT feed (a batch, a file, a folder), and
  :mod:`~caredomain.roster.services.chunked`, a file applied a chunk at a time;
* :mod:`~caredomain.roster.services.staffing`: the managers' local edits, codes, plannings,
  vacancies, candidates and swaps;
* :mod:`~caredomain.roster.services.loading`: loading the roster and committing a change.
"""

from caredomain.roster.services.feed import (
    GTT_FEED_ACTOR,
    FeedRun,
    FolderRun,
    applied_batches,
    apply_gtt_batch,
    apply_gtt_file,
    chunking,
    process_folder,
    recognising,
)
from caredomain.roster.services.loading import load_roster
from caredomain.roster.services.staffing import (
    assign,
    close,
    day_codes,
    edit_code_locally,
    find_candidates,
    pending_local_edits,
    publish,
    swap,
    vacancies,
)
from caredomain.roster.services.ward import configure_catalogue, set_up_ward

__all__ = [
    "GTT_FEED_ACTOR",
    "FeedRun",
    "FolderRun",
    "applied_batches",
    "apply_gtt_batch",
    "apply_gtt_file",
    "assign",
    "chunking",
    "close",
    "configure_catalogue",
    "day_codes",
    "edit_code_locally",
    "find_candidates",
    "load_roster",
    "pending_local_edits",
    "process_folder",
    "publish",
    "recognising",
    "set_up_ward",
    "swap",
    "vacancies",
]
