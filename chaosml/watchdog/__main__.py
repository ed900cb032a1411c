"""``python -m chaosml.watchdog …``: see ``chaosml.watchdog.watch``."""

import sys

from chaosml.watchdog.watch import main

sys.exit(main(sys.argv[1:]))
