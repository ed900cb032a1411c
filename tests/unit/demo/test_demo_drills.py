"""The demo's packaged drills, their metrics-only and Docker forms, and the verdict table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chaosml.demo.docker_stack import DockerEnvironment, DockerStack, host_mounts
from chaosml.demo.drill import (
    DRILL_FILES,
    DRILLS_DIR,
    DemoResult,
    DrillVerdict,
    check_drills_installed,
    drill_paths,
    expected_alerts,
    load_drill,
)
from chaosml.demo.metrics_only import SUBSTITUTE_NAMES, without_alerts
from chaosml.demo.verdicts import render_verdicts
from chaosml.errors import ChaosMLError
from chaosml.exit_codes import ExitCode
from chaosml.reporting.journal_reader import AlertRecord
from chaosml.yaml_source import read_source

REPO = Path(__file__).resolve().parents[3]
VARIABLES = {
    "MODEL_URL": "http://127.0.0.1:1001",
    "FEATURE_URL": "http://127.0.0.1:1002",
    "TRAFFIC_URL": "http://127.0.0.1:1003",
    "MODEL_METRICS_ADDRESS": "127.0.0.1:1004",
    "CHAOSML_PROXY_API": "http://127.0.0.1:1005",
    "PROMETHEUS_URL": "http://127.0.0.1:1006",
    "ALERTMANAGER_URL": "http://127.0.0.1:1007",
}


def test_the_packaged_drills_are_links_to_the_catalogue() -> None:
    for name in DRILL_FILES:
        packaged = DRILLS_DIR / name
        assert packaged.is_symlink(), name
        assert os.readlink(packaged) == f"../../../experiments/ml-stack/{name}"
        assert packaged.resolve() == (REPO / "experiments" / "ml-stack" / name).resolve()


@pytest.mark.parametrize("with_alerts", [True, False], ids=["alerts", "metrics-only"])
@pytest.mark.parametrize("path", drill_paths(), ids=lambda p: p.stem)
def test_every_drill_loads_in_both_forms(path: Path, with_alerts: bool) -> None:
    drill = load_drill(path, VARIABLES, with_alerts)
    assert drill.expected_alerts  # every demo drill proves at least one alert
    kinds = {probe.kind for probe in drill.loaded.experiment.steady_state}
    assert ("prometheus" in kinds) is with_alerts


def test_the_metrics_only_form_replaces_each_known_alert_by_its_signal() -> None:
    doc = read_source(DRILLS_DIR / "feed-nan.yaml").data
    out = without_alerts(doc, VARIABLES)
    assert not any("expect_alert" in step for step in out["method"])
    assert not any("expect_notification" in step for step in out["method"])  # no Alertmanager
    assert any("expect_notification" in step for step in doc["method"])
    probes = [s["probe"]["name"] for s in out["method"] if "probe" in s]
    assert SUBSTITUTE_NAMES["NaNFeatures"] in probes
    assert {"wait": "2500ms"} in out["method"]
    assert "alerts_resolve" not in out["recovery"]
    assert all("prometheus" not in p for p in out["steady_state"])
    assert "expect_alert" in doc["method"][1]  # the input is left alone


def test_every_demo_alert_but_the_rate_one_has_a_metrics_substitute() -> None:
    alerts = {a for p in drill_paths() for a in expected_alerts(read_source(p).data)}
    assert alerts - set(SUBSTITUTE_NAMES) == {"InvalidFeatureRateHigh"}


def test_under_docker_the_killed_server_drill_kills_its_container() -> None:
    env = DockerEnvironment(Path("/nowhere"), proxy=None, stack=DockerStack(Path("/w"), "abc"))  # type: ignore[arg-type]
    doc = read_source(DRILLS_DIR / "model-server-killed.yaml").data
    out = env.adapt_drill(doc)
    assert out["method"][0] == {
        "fault": "docker.kill",
        "target": "model-server",
        "signal": "SIGKILL",
    }
    selector = out["blast_radius"]["targets"]["model-server"]["docker"]
    assert selector == {"labels": {"chaosml.demo.run": "abc", "app": "model-server"}}
    untouched = read_source(DRILLS_DIR / "feature-latency.yaml").data
    assert env.adapt_drill(untouched) is untouched


def test_host_mounts_are_read_only_and_include_the_runtime() -> None:
    mounts = host_mounts()
    assert all(m.endswith(":ro") for m in mounts)
    assert "/usr:/usr:ro" in mounts


def verdict(
    drill: str, code: ExitCode, alerts: tuple[AlertRecord, ...], **kw: object
) -> DrillVerdict:
    return DrillVerdict(
        drill=drill,
        title=drill,
        status=str(kw.get("status", "completed")),
        exit_code=code,
        expected_alerts=tuple(a.name for a in alerts),
        alerts=alerts,
        checks=dict(kw.get("checks", {})),  # type: ignore[call-overload]
        journal=None,
        duration_s=1.0,
        reason=str(kw.get("reason", "")),
    )


def test_the_verdict_table_shows_times_to_detect_and_the_worst_exit_code() -> None:
    fired = AlertRecord("ModelServerDown", fired_at=1.0, time_to_detect_s=2.46)
    silent = AlertRecord("TelemetryAbsent")
    result = DemoResult(Path("/out"), with_alerts=True)
    result.verdicts = [
        verdict("model-server-killed", ExitCode.OK, (fired,)),
        verdict("telemetry-silenced", ExitCode.DEVIATED, (silent,), status="deviated", reason="r"),
    ]
    text = render_verdicts(result)
    assert "ModelServerDown" in text and "2.5s" in text
    assert "did not fire" in text
    assert "Demo result: exit 1 (deviated)" in text
    assert "/out" in text


def test_the_metrics_only_table_says_no_alert_was_checked() -> None:
    result = DemoResult(Path("/out"), with_alerts=False)
    alert = AlertRecord("ModelServerDown")
    checks = {SUBSTITUTE_NAMES["ModelServerDown"]: True}
    result.verdicts = [verdict("model-server-killed", ExitCode.OK, (alert,), checks=checks)]
    text = render_verdicts(result)
    assert "metric seen" in text
    assert "no alert was checked" in text


def test_missing_packaged_drills_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import chaosml.demo.drill as drill_module

    check_drills_installed()  # this checkout has them
    monkeypatch.setattr(drill_module, "DRILLS_DIR", tmp_path)
    with pytest.raises(ChaosMLError, match=r"feature-latency\.yaml") as caught:
        check_drills_installed()
    assert "package-data" in caught.value.hint
