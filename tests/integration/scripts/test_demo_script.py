"""``./scripts/demo`` as root while another process holds the apt lock.

The script runs in a sandbox copy of ``scripts/`` with a PATH of its own: a fake ``apt-get``
that behaves like Debian's while the dpkg lock is held (exit 100 "Could not get lock" unless
told to wait with ``-o DPkg::Lock::Timeout=N``), and a fake ``.venv`` whose ``chaosml`` prints
what it was asked to run, and an ``id`` that says root. Nothing is installed and no real apt is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ("bash", "dirname", "head", "cat", "touch", "chmod")

APT_GET = """\
#!/bin/bash
# A fake apt-get: the dpkg lock is held by another process until $LOCK_RELEASED exists.
echo "apt-get $*" >> "$APT_LOG"
case "$*" in
  *DPkg::Lock::Timeout=*) [ -e "$LOCK_RELEASED" ] || touch "$LOCK_RELEASED.waited" ;;
esac
if [ ! -e "$LOCK_RELEASED" ] && [ ! -e "$LOCK_RELEASED.waited" ] || [ -n "$LOCK_FOREVER" ]; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
  exit 100
fi
case "$*" in
  *install*)
    for bin in prometheus promtool prometheus-alertmanager prometheus-pushgateway; do
      printf '#!/bin/bash\\necho "$0 2.42"\\n' > "$FAKE_BIN/$bin"; chmod +x "$FAKE_BIN/$bin"
    done ;;
esac
"""


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(0o755)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    _executable(repo / ".venv/bin/python", "#!/bin/bash\nexit 0\n")  # pip install: nothing
    _executable(repo / ".venv/bin/chaosml", '#!/bin/bash\necho "chaosml $*"\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    _executable(bin_dir / "apt-get", APT_GET)
    _executable(bin_dir / "id", "#!/bin/bash\necho 0\n")  # the script installs only as root
    return tmp_path


def _run_demo(sandbox: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": str(sandbox / "bin"),
        "APT_LOG": str(sandbox / "apt.log"),
        "LOCK_RELEASED": str(sandbox / "released"),
        "FAKE_BIN": str(sandbox / "bin"),
        "HOME": str(sandbox),
    }
    return subprocess.run(
        [str(sandbox / "bin/bash"), str(sandbox / "repo/scripts/demo"), "--out", "x"],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_waits_for_the_apt_lock_and_then_installs_monitoring(sandbox: Path) -> None:
    done = _run_demo(sandbox)
    assert done.returncode == 0, done.stderr
    assert "chaosml demo --out x" in done.stdout
    assert all(
        "DPkg::Lock::Timeout=" in line for line in (sandbox / "apt.log").read_text().splitlines()
    )
    assert (sandbox / "bin/prometheus").exists()


def test_demo_falls_back_to_metrics_only_when_the_lock_is_never_released(sandbox: Path) -> None:
    done = _run_demo(sandbox, LOCK_FOREVER="1")
    assert done.returncode == 0, done.stderr
    assert "running the metrics-only demo instead" in done.stderr
    assert "chaosml demo --out x" in done.stdout
    assert not (sandbox / "bin/prometheus").exists()


def test_every_apt_get_in_the_scripts_waits_for_the_lock() -> None:
    lines = [
        f"{path.name}: {line.strip()}"
        for path in sorted((ROOT / "scripts").rglob("*"))
        if path.is_file()
        for line in path.read_text().splitlines()
        if "apt-get " in line and not line.lstrip().startswith("#")
    ]
    assert lines
    assert [line for line in lines if "DPkg::Lock::Timeout=" not in line] == []
