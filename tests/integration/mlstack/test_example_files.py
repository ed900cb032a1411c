"""examples/ml-stack: the compose files are consistent with the package and pass their checkers.

(The compose stack itself needs image pulls, which this test bed cannot do; see the report.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from chaosml.demo.monitoring import RULES_FILE
from chaosml.proxy.config import load_proxies
from tests.fixtures.mlstack_env import REPO_ROOT
from tests.fixtures.services import require

EXAMPLE = REPO_ROOT / "examples" / "ml-stack"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text()))


def test_prometheus_config_passes_promtool_with_the_package_rules(tmp_path: Path) -> None:
    require(shutil.which("promtool") is not None, "promtool")
    config = yaml.safe_load((EXAMPLE / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules/ml-stack.rules.yml"]
    config["rule_files"] = [str(RULES_FILE)]
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    done = subprocess.run(
        ["promtool", "check", "config", str(local)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_publishes_on_loopback_only_and_mounts_existing_files() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (EXAMPLE / source).exists() or source == "./data", f"{name}: {source}"


def test_compose_scrape_targets_and_proxies_match() -> None:
    proxies = {p["name"]: p for p in load_proxies(str(EXAMPLE / "proxies.yaml"))}
    assert proxies["features"]["upstream"] == "feature-service:8081"
    assert proxies["model-metrics"]["upstream"] == "model-server:8080"
    assert all(p["protocol"] == "http" for p in proxies.values())
    services = compose()["services"]
    model_cmd = " ".join(services["model-server"]["command"])
    assert "--features http://features-proxy:8666" in model_cmd
    jobs = yaml.safe_load((EXAMPLE / "prometheus.yml").read_text())["scrape_configs"]
    targets = {j["job_name"]: j["static_configs"][0]["targets"][0] for j in jobs}
    assert targets["model-server"] == "features-proxy:8667"


def test_targetable_containers_opt_in() -> None:
    services = compose()["services"]
    for name in ("model-server", "feature-service"):
        assert services[name]["labels"]["chaosml.io/allow"] == "true"
