"""Parameters, undo records and pure helpers of the Docker drivers (no Docker needed)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from chaosml.contract.context import DriverContext
from chaosml.contract.records import UndoRecord
from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.drivers.docker_containers import Failure, failure_error
from chaosml.drivers.docker_faults import (
    DockerKill,
    DockerPause,
    DockerRestart,
    DockerStart,
    DockerStop,
    KillParams,
    StopParams,
    signal_name,
)
from chaosml.drivers.docker_network import Attachment
from chaosml.drivers.docker_probe import DockerProbeParams, combined
from chaosml.drivers.docker_target import DockerSelector
from chaosml.errors import DriverError, InfrastructureError


def ctx_with(*names: str) -> DriverContext:
    members = tuple(TargetMember(f"{n}-id", n) for n in names)
    return DriverContext("run", targets={"t": ResolvedTarget("t", "docker", members, len(names))})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("SIGKILL", "SIGKILL"),
        ("KILL", "SIGKILL"),
        ("term", "SIGTERM"),
        (9, "SIGKILL"),
        ("15", "SIGTERM"),
    ],
)
def test_signal_names_are_normalised(given: object, expected: str) -> None:
    assert signal_name(given) == expected


def test_unknown_signal_is_refused_with_the_accepted_form() -> None:
    with pytest.raises(ValidationError, match="unknown signal 'SIGNOPE'"):
        KillParams.model_validate({"target": "t", "signal": "SIGNOPE"})


def test_kill_defaults_to_sigkill_and_forbids_unknown_keys() -> None:
    assert KillParams.model_validate({"target": "t"}).signal == "SIGKILL"
    with pytest.raises(ValidationError):
        KillParams.model_validate({"target": "t", "signl": "SIGTERM"})


def test_stop_timeout_is_a_duration_rounded_up_for_docker() -> None:
    params = StopParams.model_validate({"target": "t", "stop_timeout": "1500ms"})
    assert params.stop_timeout == 1.5 and params.grace_s == 2
    assert StopParams.model_validate({"target": "t"}).grace_s == 10
    with pytest.raises(ValidationError, match="duration"):
        StopParams.model_validate({"target": "t", "stop_timeout": "soon"})


@pytest.mark.parametrize("driver", [DockerKill(), DockerStop(), DockerPause()])
def test_plan_records_every_member_by_id_and_name_without_docker(driver: DockerKill) -> None:
    params = driver.params_model.model_validate({"target": "t"})
    record = driver.plan(params, ctx_with("web-1", "web-2"))
    assert record is not None and record.kind == driver.kind
    assert record.data["containers"] == [
        {"id": "web-1-id", "name": "web-1"},
        {"id": "web-2-id", "name": "web-2"},
    ]
    assert "web-1, web-2" in record.description
    assert UndoRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_plan_of_an_undeclared_target_names_the_declared_ones() -> None:
    params = KillParams.model_validate({"target": "nope"})
    with pytest.raises(DriverError, match="declared targets: t"):
        DockerKill().plan(params, ctx_with("a"))


def test_restart_has_no_undo() -> None:
    params = StopParams.model_validate({"target": "t"})
    assert DockerRestart().plan(params, ctx_with("a")) is None


def test_start_and_probe_need_exactly_one_of_target_or_container() -> None:
    for model in (DockerStart.params_model, DockerProbeParams):
        with pytest.raises(ValidationError, match="exactly one"):
            model.model_validate({})
        with pytest.raises(ValidationError, match="exactly one"):
            model.model_validate({"target": "t", "container": "c"})


def test_probe_field_is_one_of_four() -> None:
    assert DockerProbeParams.model_validate({"container": "c"}).field == "state"
    with pytest.raises(ValidationError):
        DockerProbeParams.model_validate({"container": "c", "field": "cpu"})


def test_combined_value_is_the_shared_value_or_the_list() -> None:
    assert combined(["running", "running"]) == "running"
    assert combined(["running", "exited"]) == ["running", "exited"]
    assert combined([0]) == 0


def test_selector_needs_labels_or_a_valid_name_regex() -> None:
    with pytest.raises(ValidationError, match="empty selector"):
        DockerSelector.model_validate({})
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        DockerSelector.model_validate({"name": "model-("})
    assert DockerSelector.model_validate({"labels": {"app": "m"}}).name is None


def test_attachment_round_trips_through_json() -> None:
    item = Attachment("id1", "web", "backend", ("model", "m1"), "10.0.0.7")
    assert Attachment.from_json(json.loads(json.dumps(item.to_json()))) == item


def test_failure_error_names_every_container_and_keeps_infrastructure_errors() -> None:
    failures = [
        Failure("web-1", DriverError("container 'web-1' not found")),
        Failure("web-2", InfrastructureError("cannot reach the Docker daemon", hint="start it")),
    ]
    error = failure_error("docker.kill", failures, 3)
    assert isinstance(error, InfrastructureError) and error.hint == "start it"
    assert "2 of 3" in error.message and "web-1" in error.message and "web-2" in error.message
    plain = failure_error("docker.kill", failures[:1], 3)
    assert type(plain) is DriverError


def test_describe_says_what_and_where() -> None:
    kill = DockerKill()
    assert kill.describe(kill.params_model.model_validate({"target": "model"})) == (
        "docker.kill SIGKILL → target 'model'"
    )
