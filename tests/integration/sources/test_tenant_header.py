"""A tenant header and a path prefix reach the backend, checked on the server side: a loopback
server mounted like Mimir (``/prometheus/api/v1/...``) records what each request carried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fixtures.http_servers import QuietHandler, serving
from tests.integration.prometheus.runner import run_chaosml, write_experiment

PREFIX = "/prometheus"


class MimirLike(QuietHandler):
    """Answers the query and alerts APIs under /prometheus; 404 elsewhere; records headers."""

    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.seen.append((path, dict(self.headers.items())))
        if path == PREFIX + "/api/v1/query":
            result = [{"metric": {}, "value": [time.time(), "1"]}]
            self.reply_json(
                200, {"status": "success", "data": {"resultType": "vector", "result": result}}
            )
        elif path == PREFIX + "/api/v1/alerts":
            self.reply_json(200, {"status": "success", "data": {"alerts": []}})
        else:
            self.reply_json(404, {"status": "error", "error": "not found"})


@pytest.fixture
def mimir_like() -> Iterator[str]:
    MimirLike.seen = []
    with serving(MimirLike) as url:
        yield url


def headers_at(path: str) -> list[dict[str, Any]]:
    return [h for p, h in MimirLike.seen if p == path]


def test_the_tenant_header_and_path_prefix_of_a_named_source_reach_the_backend(
    mimir_like: str, tmp_path: Path
) -> None:
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: tenant header
blast_radius: {{environments: [test]}}
sources:
  mimir:
    url: "{mimir_like}"
    headers: {{X-Scope-OrgID: ml-team}}
    path_prefix: {PREFIX}
steady_state:
  - name: query as ml-team
    prometheus: {{url: mimir, query: vector(1)}}
    expect: {{equals: 1}}
  - name: query as another tenant
    prometheus: {{url: mimir, query: vector(1), headers: {{X-Scope-OrgID: other-team}}}}
    expect: {{equals: 1}}
method:
  - probe:
      name: no alert
      alert: {{name: Nothing, source: {{prometheus: mimir}}}}
      expect: {{equals: inactive}}
""",
    )
    result = run_chaosml(experiment, tmp_path)
    assert result.exit_code == 0, result.output
    tenants = {h.get("X-Scope-OrgID") for h in headers_at(PREFIX + "/api/v1/query")}
    assert tenants == {"ml-team", "other-team"}
    alerts = headers_at(PREFIX + "/api/v1/alerts")
    assert alerts and all(h.get("X-Scope-OrgID") == "ml-team" for h in alerts)
    assert [p for p, _ in MimirLike.seen if not p.startswith(PREFIX)] == []
