"""``chaosml run --report-dir`` writes the three reports of a real run, named by its run id."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.fixtures.safety_env import SAFETY_ENV

EXAMPLE = Path(__file__).parents[3] / "examples" / "gameday" / "experiments" / "flag-file.yaml"


def test_run_writes_html_junit_and_markdown(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAOSML_")}
    env.update({k: os.environ[k] for k in SAFETY_ENV if k in os.environ})  # never the real halt
    env.update(CHAOSML_HALT_FILE=str(tmp_path / "HALT"), CHAOSML_LOCK_DIR=str(tmp_path / "l"))
    argv = [sys.executable, "-m", "chaosml", "run", str(EXAMPLE), "--env", "dev"]
    argv += ["--var", f"flag={tmp_path / 'flag'}", "--journal", str(tmp_path / "run.jsonl")]
    argv += ["--report-dir", str(tmp_path / "reports")]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    (stem,) = {name.split(".", 1)[0] for name in written}
    assert written == [f"{stem}.html", f"{stem}.junit.xml", f"{stem}.md"]
    cases = ET.parse(tmp_path / "reports" / f"{stem}.junit.xml").getroot().iter("testcase")
    phases = [c.get("classname", "").rsplit(".", 1)[1] for c in cases]
    assert phases == ["steady-state-before", "method", "recovery"]
    assert "completed · exit 0" in (tmp_path / "reports" / f"{stem}.html").read_text()
