"""``chaosml reap [--proxy API]… [--dry-run]``: remove what gone runs left (see
``chaosml.watchdog.reap``). Exit 0 when nothing is left (or, with ``--dry-run``, always unless
a backend is unreachable), 6 when something could not be undone, 5 when a proxy API did not
answer."""

from __future__ import annotations

import sys
from pathlib import Path

from chaosml.cli.errors import guarded
from chaosml.exit_codes import ExitCode
from chaosml.watchdog.reap import ReapOptions, ReapReport, reap


def reap_command(proxies: list[str], dry_run: bool, runs_dir: Path | None, debug: bool) -> int:
    def body() -> int:
        report = reap(ReapOptions(dry_run=dry_run, proxies=proxies, runs_dir=runs_dir))
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
