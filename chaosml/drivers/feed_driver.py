"""Fault ``feed.corrupt``: corrupt feature records on the wire (proxy) or in a file.

- ``proxy: {api, name}`` adds a ``feed_corrupt`` toxic to a chaosml proxy declared
  ``protocol: http``; undo removes it.
- ``where:`` limits the corruption to a slice of the records; a ``where`` field that no record
  of a file has is an input error located at the step's ``where`` (the file is read when the
  experiment is loaded, when it exists then).
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

from pydantic import Field, ValidationInfo, field_validator, model_validator

from chaosml.contract.checks import ExactlyOne
from chaosml.contract.context import DriverContext
from chaosml.contract.records import Counter, Evidence, UndoRecord
from chaosml.drivers.proxy_driver import ProxyRef, ToxicFault
from chaosml.errors import DriverError
from chaosml.feed import CorruptionSpec, FeedCorruptor
from chaosml.feed.encoding import BYTES_ERRORS
from chaosml.feed.files import absent_fields, corrupt_text, slice_flags
from chaosml.feed.shares import share_counters, slice_summary
from chaosml.feed.slices import Predicate
from chaosml.feed.spec import Encoding, Mechanism, Mode

FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
HEAD_BYTES = 1 << 20  # how much of a file the load-time where: check reads
SPEC_KNOBS = {"mode", "fields", "percent", "factor", "sigma", "value", "to", "percent_otherwise"}
SPEC_KNOBS |= {"mechanism", "mapping", "encoding", "low", "high"}


def _one_or_many(schema: dict[str, Any]) -> None:
    """In the JSON Schema: one item or a list of them (as the field validator accepts)."""
    items = schema.pop("items")
    schema.pop("type", None)
    schema["anyOf"] = [{"type": "array", "items": items}, items]


class FeedCorruptParams(ExactlyOne):
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
    where: list[Predicate] = Field(
        default_factory=list,
        description="the slice it may touch: one predicate or a list",
        json_schema_extra=_one_or_many,
    )
    mechanism: Mechanism = "mcar"
    depends_on: Predicate | None = None
    percent_otherwise: float = Field(default=0.0, ge=0, le=100)
    mapping: dict[str, Any] | None = None
    encoding: Encoding = "mojibake"
    low: float | None = None
    high: float | None = None

    one_of = ("proxy", "file")
    one_of_error = "give exactly one of proxy: {api, name} or file: PATH"

    @field_validator("where", mode="before")
    @classmethod
    def _one_or_many_predicates(cls, raw: Any) -> Any:
        return [raw] if isinstance(raw, dict) else raw

    @field_validator("mode", mode="before")
    @classmethod
    def _yaml_null_is_the_null_mode(cls, value: Any) -> Any:
        return "null" if value is None else value  # `mode: null` in YAML reads as None

    @model_validator(mode="after")
    def _file_and_spec_fit(self) -> FeedCorruptParams:
        if self.file is not None and not self.file.endswith(FILE_SUFFIXES):
            raise ValueError(f"file must end with one of {', '.join(FILE_SUFFIXES)}")
        self.spec(0)  # the mode's knobs, the mechanism and the where: paths fit together
        return self

    @field_validator("where")
    @classmethod
    def _where_fields_exist(cls, where: list[Predicate], info: ValidationInfo) -> list[Predicate]:
        """File mode: every ``where`` field is in some record of the file (when it exists)."""
        file = info.data.get("file")
        if not isinstance(file, str) or not where or not Path(file).is_file():
            return where
        paths = [str(p.field) for p in where]
        absent = set(absent_fields(_head(Path(file)), Path(file).suffix, paths))
        for index, path in enumerate(paths):
            if path in absent:
                raise ValueError(f"where[{index}].field {path!r}: no record of {file} has it")
        return where

    def spec(self, default_seed: int) -> CorruptionSpec:
        knobs = self.model_dump(include=SPEC_KNOBS)
        return CorruptionSpec(
            seed=default_seed if self.seed is None else self.seed,
            where=tuple(self.where),
            depends_on=self.depends_on,
            **knobs,
        )


class FeedCorrupt(ToxicFault[FeedCorruptParams]):
    """Corrupts ``percent`` of the records ``fields`` reach (in a slice), in one of 14 modes."""

    kind = "feed.corrupt"
    summary = "corrupt feature values through the proxy or in a CSV/JSONL file; undo: restore"

    def proxy_of(self, params: FeedCorruptParams) -> ProxyRef:
        assert params.proxy is not None
        return params.proxy

    def toxics(self, params: FeedCorruptParams, ctx: DriverContext) -> list[dict[str, Any]]:
        spec = params.spec(ctx.seed)
        attributes = spec.model_dump(mode="json", by_alias=True, exclude={"where", "depends_on"})
        attributes |= _predicates_json(spec)
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
        original = read_bytes(target)
        write_atomic(Path(_snapshot_path(params.file, ctx)), original)
        text, _ = corrupt_text(
            original.decode("utf-8", BYTES_ERRORS),
            target.suffix,
            FeedCorruptor(params.spec(ctx.seed)),
        )
        write_atomic(target, text.encode("utf-8", BYTES_ERRORS))

    def applied_evidence(
        self, params: FeedCorruptParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """File mode: the records (lines) and bytes that differ from the snapshot."""
        if record is None or "file" not in record.data:
            return None
        skip = 1 if record.data["file"].endswith(".csv") else 0  # the CSV header
        snapshot = read_bytes(Path(record.data["snapshot"]))
        before = [line for line in snapshot.splitlines()[skip:] if line.strip()]
        after = [
            line
            for line in read_bytes(Path(record.data["file"])).splitlines()[skip:]
            if line.strip()
        ]
        changed = [a != b for a, b in zip(before, after, strict=False)]
        written = sum(len(b) for a, b in zip(before, after, strict=False) if a != b)
        summary = f"{sum(changed)} of {len(before)} records changed ({written} bytes rewritten)"
        counters: dict[str, Counter] = {
            "records": len(before),
            "records_changed": sum(changed),
            "bytes": written,
        }
        if params.where:
            summary, slice_counters = _slice_shares(params, ctx, snapshot, changed)
            counters |= slice_counters
        return Evidence(any(changed), summary, counters)

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
    content = read_bytes(snapshot)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise DriverError(
            f"refusing to restore {target}: snapshot {snapshot} does not match its recorded sha256",
            hint="the snapshot was changed after it was taken; restore the file by hand",
        )
    write_atomic(target, content)
    snapshot.unlink()


def _predicates_json(spec: CorruptionSpec) -> dict[str, Any]:
    """The predicates as the proxy reads them: only the tests given (``equals: null`` is one)."""
    dumped: dict[str, Any] = {
        "where": [p.model_dump(mode="json", by_alias=True, exclude_unset=True) for p in spec.where]
    }
    if spec.depends_on is not None:
        dumped["depends_on"] = spec.depends_on.model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
    return dumped


def _slice_shares(
    params: FeedCorruptParams, ctx: DriverContext, snapshot: bytes, changed: list[bool]
) -> tuple[str, dict[str, Counter]]:
    """Which records were in the slice (read from the snapshot), and the shares changed."""
    text = snapshot.decode("utf-8", BYTES_ERRORS)
    flags = slice_flags(text, Path(str(params.file)).suffix, FeedCorruptor(params.spec(ctx.seed)))
    in_slice = sum(flags)
    changed_in_slice = sum(c for c, f in zip(changed, flags, strict=False) if f)
    shares = (len(flags), sum(changed), in_slice, changed_in_slice)
    return slice_summary(*shares), dict(share_counters(*shares))


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
    except OSError:
        return ""
    text = data.decode("utf-8", BYTES_ERRORS)
    return text if len(data) < HEAD_BYTES else text[: text.rfind("\n") + 1]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(read_bytes(path)).hexdigest()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DriverError(f"cannot read {path}: {exc.strerror or exc}") from None


def write_atomic(path: Path, content: bytes) -> None:
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
    return ctx.snapshot_path("feed-snapshots", f"{Path(file).name}.snapshot")
