"""The search journal (``search.jsonl``): ``sensitivity.start``, one ``sensitivity.trial`` per
counted trial, and the one ``sensitivity.result`` the drill history ingests
(docs/sensitivity.md lists their fields). Written with the run journals' writer: JSON lines,
redacted, fsync'd as the search goes; its ``run_id`` is the search id."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaosml.exit_codes import ExitCode
from chaosml.journal.events import SensitivityResult, SensitivityStarted, SensitivityTrial
from chaosml.journal.writer import JournalWriter
from chaosml.model.loaded import Loaded
from chaosml.model.sensitivity import Sensitivity
from chaosml.redaction import Redactor
from chaosml.sensitivity.bisection import Boundary
from chaosml.sensitivity.trial import TrialRecord

SEARCH_JOURNAL = "search.jsonl"


@dataclass
class SearchJournal:
    loaded: Loaded
    spec: Sensitivity
    search_id: str
    directory: Path
    progress: Callable[[TrialRecord], None] | None = None
    started_at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        redactor = Redactor(self.loaded.secret_values)
        self.writer = JournalWriter(self.directory / SEARCH_JOURNAL, self.search_id, redactor)

    @property
    def path(self) -> Path:
        return self.writer.path

    def start(self) -> None:
        self.writer.write(
            SensitivityStarted(
                search_id=self.search_id,
                title=self.loaded.experiment.title,
                experiment_path=self.loaded.path,
                tags=self.loaded.experiment.tags,
                **self.spec.model_dump(),
            )
        )

    def trial(self, record: TrialRecord) -> None:
        fields = record.to_json()
        fields["trial_run_id"] = fields.pop("run_id")  # the header's run_id is the search's
        self.writer.write(SensitivityTrial(search_id=self.search_id, **fields))
        if self.progress is not None:
            self.progress(record)

    def result(self, boundary: Boundary, code: ExitCode, message: str) -> dict[str, Any]:
        """Write ``sensitivity.result`` and close the journal."""
        spec = self.spec
        event = self.writer.write(
            SensitivityResult(
                search_id=self.search_id,
                title=self.loaded.experiment.title,
                alert=spec.alert,
                param=spec.param,
                scale=spec.scale,
                low_fires=boundary.low_fires,
                high_silent=boundary.high_silent,
                estimate=boundary.estimate,
                uncertainty=boundary.uncertainty,
                trials=boundary.trials,
                outcome=boundary.how,
                exit_code=int(code),
                message=message,
                duration_s=self.duration_s,
                started_at=self.started_at,
                ml_test_score=self.loaded.experiment.ml_test_score,
            )
        )
        self.writer.close()
        return event.model_dump()

    @property
    def duration_s(self) -> float:
        return round(time.monotonic() - self.started, 3)
