"""Containers as the Docker drivers hold them: references, and one operation over many at once.

A fault acts on every member of its blast-radius target concurrently (a thread pool), so 20
containers take about as long as one. Failures are collected, not raised one by one: the caller
gets every container that failed, named, in one chaosml error.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from chaosml.contract.checks import ExactlyOne
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import UndoRecord
from chaosml.drivers.docker_driver import MAX_CONNECTIONS, DockerEngine
from chaosml.errors import ChaosMLError, DriverError, InfrastructureError

Item = TypeVar("Item")

# Container states in which there is nothing for "start" to do.
ALIVE_STATES = frozenset({"running", "paused", "restarting"})


class TargetParams(Params):
    """Parameters of every Docker fault: the blast-radius target whose containers it hits."""

    target: str

    @property
    def plan_detail(self) -> str:
        """What a plan says between the kind and the target (`` SIGTERM``); nothing here."""
        return ""


def on_target(kind: str, target: str | None, detail: str = "") -> str:
    """How a Docker step on a target reads in plans: ``docker.stop (grace 10s) → target 'm'``."""
    return f"{kind}{detail} → target '{target}'"


class TargetOrContainer(ExactlyOne):
    target: str | None = None
    container: str | None = None

    one_of = ("target", "container")
    one_of_error = "give exactly one of 'target' (a blast-radius target) or 'container'"

    def described(self, head: str, before_target: str) -> str:
        """``<head> container 'c'``, or ``<head><before_target> target 't'`` for plans."""
        if self.container is not None:
            return f"{head} container '{self.container}'"
        return f"{head}{before_target} target '{self.target}'"


@dataclass(frozen=True)
class ContainerRef:
    """A container as an undo record names it: its full id, and its name for people."""

    id: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ContainerRef:
        return cls(id=str(raw["id"]), name=str(raw.get("name", "")))


@dataclass(frozen=True)
class Failure:
    """One container an operation failed on."""

    name: str
    error: ChaosMLError


def target_refs(ctx: DriverContext, target: str) -> list[ContainerRef]:
    """The containers of a resolved blast-radius target."""
    return [ContainerRef(m.id, m.name) for m in ctx.target(target).members]


def containers_record(kind: str, refs: Sequence[ContainerRef], description: str) -> UndoRecord:
    return UndoRecord(kind, {"containers": [r.to_json() for r in refs]}, description)


def record_entries(record: UndoRecord) -> list[dict[str, Any]]:
    return [dict(raw) for raw in record.data.get("containers", [])]


def names(refs: Sequence[ContainerRef]) -> str:
    return ", ".join(ref.name or ref.id[:12] for ref in refs)


def for_each(
    items: Sequence[Item], operation: Callable[[Item], None], label: Callable[[Item], str]
) -> tuple[list[Item], list[Failure]]:
    """Run ``operation`` on every item concurrently; the items done and the failures."""
    if not items:
        return [], []
    workers = min(MAX_CONNECTIONS, len(items))
    # each item in a copy of this call's context: its deadline bounds the Docker client's timeout
    contexts = [contextvars.copy_context() for _ in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chaosml-docker") as pool:
        outcomes = list(pool.map(lambda c, item: c.run(_attempt, operation, item), contexts, items))
    done = [item for item, error in zip(items, outcomes, strict=True) if error is None]
    failed = [
        Failure(label(item), error)
        for item, error in zip(items, outcomes, strict=True)
        if error is not None
    ]
    return done, failed


def _attempt(operation: Callable[[Item], None], item: Item) -> ChaosMLError | None:
    try:
        operation(item)
    except ChaosMLError as exc:
        return exc
    return None


def on_all(
    items: Sequence[Item],
    operation: Callable[[Item], None],
    label: Callable[[Item], str],
    what: str,
    revert: Callable[[Item], None] | None = None,
) -> list[Item]:
    """Run ``operation`` on every item at once; the items done. When any fails, ``revert`` the
    ones done (best effort: the error says what failed), then raise one error naming the failures
    (``what``: the operation, as the error says it)."""
    done, failed = for_each(items, operation, label)
    if failed:
        if revert is not None:
            for_each(done, revert, label)
        raise failure_error(what, failed, len(items))
    return done


def failure_error(what: str, failures: Sequence[Failure], total: int) -> DriverError:
    """One error naming every container that failed; InfrastructureError if the daemon was.

    The daemon's error is said once, not once per container.
    """
    head = f"{what} failed on {len(failures)} of {total} container(s)"
    infra = [f.error for f in failures if isinstance(f.error, InfrastructureError)]
    if infra:
        shown = ", ".join(f.name for f in failures)
        return InfrastructureError(f"{head} ({shown}): {infra[0].message}", hint=infra[0].hint)
    listed = "; ".join(f"{f.name}: {f.error.message}" for f in failures)
    return DriverError(f"{head}: {listed}")


def start_unless_alive(engine: DockerEngine, ref: ContainerRef) -> None:
    """Start a container that is not running; a running (or paused) one is left alone."""
    if engine.inspect(ref.id).state not in ALIVE_STATES:
        engine.start(ref.id)


def unpause_if_paused(engine: DockerEngine, ref: ContainerRef) -> None:
    """Unpause a paused container; any other state, or a container gone, needs nothing."""
    found = engine.find(ref.id)
    if found is not None and found.state == "paused":
        engine.unpause(ref.id)
