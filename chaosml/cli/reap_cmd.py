"""``chaosml reap [--proxy API]… [--k8s (--namespace NS… | --all-namespaces)] [--dry-run]``:
remove what gone runs left (see ``chaosml.watchdog.reap``). Exit 0 when nothing is left (or,
with ``--dry-run``, always unless a backend is unreachable), 6 when something could not be
undone, 5 when a proxy API or the Kubernetes API server did not answer, 2 for bad flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode
from chaosml.watchdog.reap import ReapOptions, ReapReport, reap


@dataclass(frozen=True)
class KubeSweep:
    """What ``--k8s``, ``--namespace`` and ``--all-namespaces`` asked for."""

    enabled: bool = False
    namespaces: list[str] | None = None
    all_namespaces: bool = False

    def checked(self) -> list[str]:
        """The namespaces to sweep (empty: all); bad combinations are input errors (exit 2)."""
        namespaces = list(self.namespaces or [])
        if not self.enabled:
            if namespaces or self.all_namespaces:
                raise InputError("--namespace and --all-namespaces need --k8s")
            return []
        if bool(namespaces) == self.all_namespaces:
            raise InputError("--k8s needs either --namespace NS (repeatable) or --all-namespaces")
        if any(not n.strip() for n in namespaces):
            raise InputError("--namespace needs a name")
        return namespaces


def reap_command(
    proxies: list[str],
    dry_run: bool,
    runs_dir: Path | None,
    debug: bool,
    sweep: KubeSweep | None = None,
) -> int:
    kube = sweep or KubeSweep()

    def body() -> int:
        options = ReapOptions(dry_run=dry_run, proxies=proxies, runs_dir=runs_dir)
        options.namespaces = kube.checked()
        options.k8s = kube.enabled
        report = reap(options)
        _print(report, dry_run)
        if report.failed:
            return int(ExitCode.ROLLBACK_INCOMPLETE)
        return int(ExitCode.TOOL_ERROR if report.unreachable else ExitCode.OK)

    return guarded(body, debug)


def _print(report: ReapReport, dry_run: bool) -> None:
    for line in report.done:
        print(line)
    for line in report.would:
        print(f"would {line}")
    for line in report.left:
        print(f"left alone: {line}")
    for line in report.unreachable:
        print(f"UNREACHABLE {line}", file=sys.stderr)
    for line in report.failed:
        print(f"FAILED {line}", file=sys.stderr)
    if not (report.done or report.would or report.failed or report.unreachable):
        print("nothing to reap" + (" (dry run)" if dry_run else ""))
