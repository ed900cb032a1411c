"""A tiny failover HTTP front for the replicas of experiments/replica-lost.yaml.

    python3 replica-lost-lb.py PORT http://replica-a:8000 http://replica-b:8000

Every GET is answered by the first replica that answers it (0.5 s each), 502 when none does.
The ``X-Replica`` header says which one answered. Standard library only.
"""

import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLICAS = sys.argv[2:]


class Front(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        for replica in REPLICAS:
            try:
                with urllib.request.urlopen(replica + self.path, timeout=0.5) as resp:
                    body = resp.read()
            except OSError:
                continue
            self.send_response(200)
            self.send_header("X-Replica", replica)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_error(502, "no replica answers")

    def log_message(self, *args: object) -> None:
        pass


ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), Front).serve_forever()
