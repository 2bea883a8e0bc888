"""``python -m mlcore``: the same as the ``mlcore`` script."""

import sys

from .cli import main

sys.exit(main())
