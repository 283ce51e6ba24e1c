"""``python -m caredomain`` runs the command line."""

import sys

from caredomain.cli import main

sys.exit(main())
