"""Stand-in for a dependency the drill breaks: ``dependency.py STATE VALUE [PUSHGATEWAY]``.

Writes VALUE (its error count) to the STATE file and, when a Pushgateway URL is given, pushes
``drill_dependency_errors VALUE`` there, where Prometheus scrapes it and the DependencyBroken
alert watches it. Used as the command and undo of ``process.run`` faults in the drill tests.
"""

import sys
import urllib.request
from pathlib import Path

state, value = Path(sys.argv[1]), sys.argv[2]
state.write_text(value + "\n")
if len(sys.argv) > 3:
    body = f"drill_dependency_errors {value}\n".encode()
    url = sys.argv[3].rstrip("/") + "/metrics/job/drill_dependency"
    request = urllib.request.Request(url, data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status < 300, response.status
