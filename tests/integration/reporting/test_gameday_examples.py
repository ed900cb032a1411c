"""The files of examples/gameday/ work: the plan runs, the schedules call it correctly."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from chaosml.gameday.engine_adapter import keys_of
from chaosml.gameday.plan import load_plan
from tests.fixtures.safety_env import SAFETY_ENV

ROOT = Path(__file__).parents[3]
EXAMPLES = ROOT / "examples" / "gameday"
PLAN = "examples/gameday/drill.yaml"


def test_the_plan_and_its_experiments_load() -> None:
    loaded = load_plan(EXAMPLES / "drill.yaml")
    titles = [keys_of(loaded.experiment_path(e), {})[0] for e in loaded.plan.experiments]
    assert len(titles) == 2 and all(titles)


def test_the_example_drill_runs_and_holds(tmp_path: Path) -> None:
    plan = yaml.safe_load((EXAMPLES / "drill.yaml").read_text())
    for item in plan["experiments"]:  # private scratch files, absolute experiment paths
        item["path"] = str(EXAMPLES / item["path"])
        item["vars"] = {k: str(tmp_path / Path(v).name) for k, v in item["vars"].items()}
    (tmp_path / "drill.yaml").write_text(yaml.safe_dump(plan))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAOSML_")}
    env.update({k: os.environ[k] for k in SAFETY_ENV if k in os.environ})  # never the real halt
    env.update(CHAOSML_HALT_FILE=str(tmp_path / "HALT"), CHAOSML_LOCK_DIR=str(tmp_path / "l"))
    argv = [sys.executable, "-m", "chaosml", "gameday", str(tmp_path / "drill.yaml")]
    argv += ["--env", "dev", "--journal-dir", str(tmp_path / "j")]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Drill result: exit 0 (ok)" in done.stdout
    assert len(list((tmp_path / "j").glob("gameday-*/*.jsonl"))) == 2
    assert not any(tmp_path.glob("chaosml-example-*"))  # every fault undone


def test_crontab_line_runs_the_plan() -> None:
    lines = [
        line
        for line in (EXAMPLES / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    (entry,) = lines
    fields = entry.split(None, 5)
    assert len(fields) == 6 and fields[:5] == ["0", "9", "*", "*", "2"]
    assert f"chaosml gameday {PLAN}" in fields[5] and (ROOT / PLAN).is_file()


def test_systemd_units_name_each_other_and_the_plan() -> None:
    service, timer = configparser.ConfigParser(strict=False), configparser.ConfigParser()
    service.read(EXAMPLES / "chaosml-gameday.service")
    timer.read(EXAMPLES / "chaosml-gameday.timer")
    argv = shlex.split(service["Service"]["ExecStart"])
    assert argv[1:3] == ["gameday", PLAN] and service["Service"]["Type"] == "oneshot"
    assert timer["Timer"]["Unit"] == "chaosml-gameday.service"
    analyze = shutil.which("systemd-analyze")
    if analyze:
        calendar = [analyze, "calendar", timer["Timer"]["OnCalendar"]]
        assert subprocess.run(calendar, capture_output=True, check=False).returncode == 0


def test_kubernetes_cronjob_copies_files_that_exist() -> None:
    job = yaml.safe_load((EXAMPLES / "cronjob.yaml").read_text())
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "CronJob")
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    script = container["args"][0]
    assert "chaosml gameday /work/drill.yaml" in script
    for name in ("flag-file.yaml", "stale-snapshot.yaml"):
        assert f"/drill/{name}" in script and (EXAMPLES / "experiments" / name).is_file()


def test_ci_workflow_runs_the_plan_and_keeps_reports() -> None:
    flow = yaml.safe_load((EXAMPLES / "github-workflow.yml").read_text())
    steps = flow["jobs"]["drill"]["steps"]
    runs = " ".join(str(s.get("run", "")) for s in steps)
    assert f"chaosml gameday {PLAN} --report-dir reports" in runs
    assert any("junit" in str(s.get("with", {})) for s in steps)
    assert flow[True]["schedule"][0]["cron"] == "0 9 * * 2"  # YAML 1.1 reads `on` as True
