"""Fault ``feed.corrupt``: corrupt feature records on the wire (proxy) or in a file.

- ``proxy: {api, name}`` adds a ``feed_corrupt`` toxic to a chaosml proxy declared
  ``protocol: http``; undo removes it.
- ``file: PATH`` corrupts a CSV or JSONL feature file in place. apply() first copies the file
  to a snapshot (under the run's state dir) whose path and sha256 are in the undo record; undo
  checks the snapshot's sha256 and refuses to restore a snapshot that does not match, so
  ``chaosml rollback JOURNAL`` restores the file from the record alone, in a new process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.drivers.proxy_driver import ProxyRef, ToxicFault
from chaosml.errors import DriverError
from chaosml.feed import CorruptionSpec, FeedCorruptor
from chaosml.feed.files import corrupt_text
from chaosml.feed.spec import Mode

FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson")


class FeedCorruptParams(Params):
    proxy: ProxyRef | None = None
    file: str | None = None
    mode: Mode
    fields: list[str] = Field(min_length=1)
    percent: float = Field(default=100.0, ge=0, le=100, description="share of records changed")
    seed: int | None = None
    factor: float = 1000.0
    sigma: float = 1.0
    value: float | int | str | None = 1e9
    to: str | None = None
    path: str = Field(default="", description="proxy mode: regex on the request path")

    @field_validator("mode", mode="before")
    @classmethod
    def _yaml_null_is_the_null_mode(cls, value: Any) -> Any:
        return "null" if value is None else value  # `mode: null` in YAML reads as None

    @model_validator(mode="after")
    def _one_target(self) -> FeedCorruptParams:
        if (self.proxy is None) == (self.file is None):
            raise ValueError("give exactly one of proxy: {api, name} or file: PATH")
        if self.file is not None and not self.file.endswith(FILE_SUFFIXES):
            raise ValueError(f"file must end with one of {', '.join(FILE_SUFFIXES)}")
        return self

    def spec(self, default_seed: int) -> CorruptionSpec:
        knobs = self.model_dump(
            include={"mode", "fields", "percent", "factor", "sigma", "value", "to"}
        )
        return CorruptionSpec(seed=default_seed if self.seed is None else self.seed, **knobs)


class FeedCorrupt(ToxicFault[FeedCorruptParams]):
    """Corrupts ``percent`` of the feature records ``fields`` reach, in one of ten modes."""

    kind = "feed.corrupt"
    params_model = FeedCorruptParams
    summary = "corrupt feature values through the proxy or in a CSV/JSONL file; undo: restore"

    def proxy_of(self, params: FeedCorruptParams) -> ProxyRef:
        assert params.proxy is not None
        return params.proxy

    def toxics(self, params: FeedCorruptParams, ctx: DriverContext) -> list[dict[str, Any]]:
        attributes = params.spec(ctx.seed).model_dump(mode="json")
        return [{"type": "feed_corrupt", "attributes": {**attributes, "path": params.path}}]

    def describe(self, params: FeedCorruptParams) -> str:
        where = params.file or f"proxy {params.proxy.name if params.proxy else '?'}"
        return f"corrupt {params.percent:g}% of records ({params.mode}) of {where}"

    def plan(self, params: FeedCorruptParams, ctx: DriverContext) -> UndoRecord:
        if params.file is None:
            return super().plan(params, ctx)
        data = {
            "file": str(Path(params.file).resolve()),
            "snapshot": _snapshot_path(params.file, ctx),
        }
        data["sha256"] = sha256_of(Path(data["file"]))
        return UndoRecord(self.kind, data, f"restore {params.file} from {data['snapshot']}")

    def apply(self, params: FeedCorruptParams, ctx: DriverContext) -> None:
        if params.file is None:
            super().apply(params, ctx)
            return
        target = Path(params.file).resolve()
        original = _read(target)
        _write_atomic(Path(_snapshot_path(params.file, ctx)), original)
        text, _ = corrupt_text(
            original.decode(), target.suffix, FeedCorruptor(params.spec(ctx.seed))
        )
        _write_atomic(target, text.encode())

    def applied_evidence(
        self, params: FeedCorruptParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """File mode: the records (lines) and bytes that differ from the snapshot."""
        if record is None or "file" not in record.data:
            return None
        skip = 1 if record.data["file"].endswith(".csv") else 0  # the CSV header
        before = _read(Path(record.data["snapshot"])).splitlines()[skip:]
        after = _read(Path(record.data["file"])).splitlines()[skip:]
        changed = [b for a, b in zip(before, after, strict=False) if a != b]
        written = sum(map(len, changed))
        summary = f"{len(changed)} of {len(before)} records changed ({written} bytes rewritten)"
        counters = {"records": len(before), "records_changed": len(changed), "bytes": written}
        return Evidence(bool(changed), summary, counters)

    def undo_evidence(self, record: UndoRecord, ctx: DriverContext) -> Evidence | None:
        """Proxy mode: the toxic's counters; file mode said it all after apply."""
        return None if "file" in record.data else super().undo_evidence(record, ctx)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        if "file" not in record.data:
            super().undo(record, ctx)
            return
        restore_snapshot(
            Path(record.data["file"]), Path(record.data["snapshot"]), record.data["sha256"]
        )


def restore_snapshot(target: Path, snapshot: Path, sha256: str) -> None:
    """Put the snapshot back; a no-op when it is already back; refuse a mismatching snapshot."""
    if not snapshot.exists():
        if target.exists() and sha256_of(target) == sha256:
            return
        raise DriverError(f"cannot restore {target}: snapshot {snapshot} is missing")
    content = _read(snapshot)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise DriverError(
            f"refusing to restore {target}: snapshot {snapshot} does not match its recorded sha256",
            hint="the snapshot was changed after it was taken; restore the file by hand",
        )
    _write_atomic(target, content)
    snapshot.unlink()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(_read(path)).hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DriverError(f"cannot read {path}: {exc.strerror or exc}") from None


def _write_atomic(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise DriverError(f"cannot write {path}: {exc.strerror or exc}") from None


def _snapshot_path(file: str, ctx: DriverContext) -> str:
    base = Path(ctx.state_dir) if ctx.state_dir else Path(tempfile.gettempdir()) / "chaosml-state"
    name = f"{ctx.run_id}-{ctx.fault_id or 'x'}-{Path(file).name}.snapshot"
    return str((base / "feed-snapshots" / name).resolve())
