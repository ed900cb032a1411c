"""``chaosml k8s rbac EXPERIMENT_OR_PLAN``: print the Role and RoleBinding the drills need."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from chaosml.cli.errors import guarded
from chaosml.cli.validate_cmd import _is_plan
from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode
from chaosml.model.experiment import Experiment


def rbac(paths: list[Path], account: str, account_namespace: str | None, debug: bool) -> int:
    def body() -> int:
        from chaosml.drivers.k8s_rbac import RbacCollector, manifests

        collector = RbacCollector()
        for path in paths:
            for exp in _experiments(path):
                collector.experiment(exp)
        if not collector.rules:
            shown = ", ".join(map(str, paths))
            raise InputError(f"no Kubernetes target, fault or probe in {shown}")
        home = account_namespace or sorted(collector.rules)[0]
        docs = manifests(collector.rules, account, home)
        sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False))
        return int(ExitCode.OK)

    return guarded(body, debug)


def _experiments(path: Path) -> list[Experiment]:
    from chaosml.gameday.plan import load_plan
    from chaosml.loader import load_file

    if not _is_plan(path):
        return [load_file(path).experiment]
    plan = load_plan(path)
    return [
        load_file(plan.experiment_path(e), {k: str(v) for k, v in e.vars.items()}).experiment
        for e in plan.plan.experiments
    ]
