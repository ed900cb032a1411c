"""``series.py PUSHGATEWAY METRIC``: how many series of METRIC the Pushgateway holds now."""

import sys
import urllib.request

with urllib.request.urlopen(sys.argv[1].rstrip("/") + "/metrics", timeout=5) as response:
    text = response.read().decode()
print(sum(1 for line in text.splitlines() if line.startswith(sys.argv[2] + "{")))
