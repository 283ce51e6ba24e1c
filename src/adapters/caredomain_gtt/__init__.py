"""GTT export files (CSV) as feed batches, and a folder source that watches for them.

Offered through the ``caredomain_feed_readers`` hook as ``gtt-csv``; usable directly::

    from caredomain_gtt import GttCsvReader, GttSettings

    reader = GttCsvReader(GttSettings.from_mapping({"encoding": "cp1252"}))
    batch = reader.read("GTT_20261123_060000.csv")
"""

from caredomain_gtt.folder import GttFolder
from caredomain_gtt.reader import GttCsvReader
from caredomain_gtt.settings import Extraction, GttSettings

__all__ = ["Extraction", "GttCsvReader", "GttFolder", "GttSettings"]
