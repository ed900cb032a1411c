"""The JSON Schema of the experiment format, built from the model and the installed drivers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chaosml.contract.catalogue import DriverCatalogue
from chaosml.model import experiment as m
from chaosml.model.expectations import Expect
from chaosml.model.sensitivity import Sensitivity


def _schema(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    out = model.model_json_schema(ref_template="#/$defs/{model}", by_alias=True)
    defs.update(out.pop("$defs", {}))
    return out


def _head(model: type[BaseModel], defs: dict[str, Any], *typed: str) -> dict[str, Any]:
    """The keys written beside a driver's key or parameters: ``model``'s but the ``typed`` ones
    (the kind and the parameters, which are written as the driver's key and its keys)."""
    schema = _schema(model, defs)
    props = {k: v for k, v in schema["properties"].items() if k not in typed}
    required = [k for k in schema.get("required", []) if k not in typed]
    head = {**schema, "properties": props, "required": required}
    return head if required else {k: v for k, v in head.items() if k != "required"}


def _with_driver(head: dict[str, Any], key: str, params: dict[str, Any]) -> dict[str, Any]:
    props = dict(head.get("properties", {}))
    props[key] = params
    return {
        "type": "object",
        "properties": props,
        "required": [*head.get("required", []), key],
        "additionalProperties": False,
    }


def experiment_schema(registry: DriverCatalogue) -> dict[str, Any]:
    defs: dict[str, Any] = {"Expect": _schema(Expect, {})}
    probe_head = _head(m.ProbeSpec, defs, "kind", "params")
    probe = {
        "oneOf": [
            _with_driver(
                probe_head, k, _schema(registry.driver_class("probe", k).params_model, defs)
            )
            for k in registry.kinds("probe")
        ]
    }
    steps = [
        _fault_like(registry, "fault", m.FaultStep, defs),
        _fault_like(registry, "action", m.ActionStep, defs),
        {
            "type": "object",
            "properties": {"probe": {"$ref": "#/$defs/Probe"}},
            "required": ["probe"],
            "additionalProperties": False,
        },
        _step_schema(m.WaitStep, defs),
        {
            "type": "object",
            "properties": {"expect_alert": _schema(m.ExpectAlert, defs)},
            "required": ["expect_alert"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"expect_notification": _schema(m.ExpectNotification, defs)},
            "required": ["expect_notification"],
            "additionalProperties": False,
        },
    ]
    defs["Probe"] = probe
    defs["Step"] = {"oneOf": steps}
    return _document(registry, defs)


def _step_schema(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    """A step model as written: without the ``type`` tag the loader adds."""
    schema = _schema(model, defs)
    props = {k: v for k, v in schema["properties"].items() if k != "type"}
    required = [k for k in schema.get("required", []) if k != "type"]
    return {**schema, "properties": props, "required": required, "additionalProperties": False}


def _fault_like(
    registry: DriverCatalogue, key: str, step: type[BaseModel], defs: dict[str, Any]
) -> dict[str, Any]:
    roles = ("fault",) if key == "fault" else ("action", "fault")
    variants = []
    head = _head(step, defs, "type", key, "params")
    for role in roles:
        for kind in registry.kinds(role):  # type: ignore[arg-type]
            params = _schema(registry.driver_class(role, kind).params_model, defs)  # type: ignore[arg-type]
            props = {
                **head.get("properties", {}),
                **params.get("properties", {}),
                key: {"const": kind},
            }
            variants.append(
                {
                    "type": "object",
                    "properties": props,
                    "required": [key, *params.get("required", [])],
                    "additionalProperties": False,
                }
            )
    return {"oneOf": variants}


def _document(registry: DriverCatalogue, defs: dict[str, Any]) -> dict[str, Any]:
    """The top level, from ``Experiment``'s own fields: only the keys whose written form differs
    from the typed one (a probe is written with its driver key, a target with its driver's
    selector, an alert to resolve may be a bare name) are given here."""
    probes = {"type": "array", "items": {"$ref": "#/$defs/Probe"}}
    doc = _schema(m.Experiment, defs)
    props = dict(doc["properties"])
    props["blast_radius"] = _blast_radius(registry, defs)
    props["steady_state"] = probes
    props["guards"] = probes
    props["observe"] = _with_fields(_schema(m.Observe, defs), metrics=probes)
    props["method"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Step"}}
    props["rollbacks"] = {
        "type": "array",
        "items": _fault_like(registry, "action", m.ActionStep, defs),
    }
    props["recovery"] = _recovery(defs)
    props["impact"] = probes  # issue 14: what harm looks like (docs/silent-failures.md)
    props["sensitivity"] = _schema(Sensitivity, defs)  # issue 14 (docs/sensitivity.md)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "chaosml experiment, version 1",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "title", "method"],
        "properties": props,
        "$defs": defs,
    }


def _with_fields(schema: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """``schema`` (an object) with some properties replaced; no other keys allowed."""
    return {
        **schema,
        "properties": {**schema.get("properties", {}), **fields},
        "additionalProperties": False,
    }


def _blast_radius(registry: DriverCatalogue, defs: dict[str, Any]) -> dict[str, Any]:
    targets: dict[str, Any] = (
        {
            "oneOf": [
                _with_driver(
                    _head(m.TargetSpec, defs, "kind", "selector"),
                    k,
                    _schema(registry.driver_class("target", k).params_model, defs),
                )
                for k in registry.kinds("target")
            ]
        }
        if registry.kinds("target")
        else {"type": "object"}
    )
    radius = _schema(m.BlastRadius, defs)
    return _with_fields(radius, targets={"type": "object", "additionalProperties": targets})


def _recovery(defs: dict[str, Any]) -> dict[str, Any]:
    resolve = {"anyOf": [{"type": "string", "minLength": 1}, _schema(m.ResolveAlert, defs)]}
    return _with_fields(
        _schema(m.Recovery, defs), alerts_resolve={"type": "array", "items": resolve}
    )
