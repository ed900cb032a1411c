"""The JSON Schema of the experiment format, built from the model and the installed drivers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chaosml.drivers.monitoring_connection import Connection
from chaosml.drivers.registry import Registry
from chaosml.model import experiment as m
from chaosml.model.expectations import Expect


def _schema(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    out = model.model_json_schema(ref_template="#/$defs/{model}", by_alias=True)
    defs.update(out.pop("$defs", {}))
    return out


def _with_driver(head: dict[str, Any], key: str, params: dict[str, Any]) -> dict[str, Any]:
    props = dict(head.get("properties", {}))
    props[key] = params
    return {
        "type": "object",
        "properties": props,
        "required": [*head.get("required", []), key],
        "additionalProperties": False,
    }


def experiment_schema(registry: Registry) -> dict[str, Any]:
    defs: dict[str, Any] = {"Expect": _schema(Expect, {})}
    probe_head = _schema(m.ProbeHead, defs)
    probe = {
        "oneOf": [
            _with_driver(
                probe_head, k, _schema(registry.driver_class("probe", k).params_model, defs)
            )
            for k in registry.kinds("probe")
        ]
    }
    steps = [
        _fault_like(registry, "fault", m.FaultHead, defs),
        _fault_like(registry, "action", m.ActionHead, defs),
        {
            "type": "object",
            "properties": {"probe": {"$ref": "#/$defs/Probe"}},
            "required": ["probe"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"wait": {"type": ["string", "number"]}},
            "required": ["wait"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"expect_alert": _schema(m.ExpectAlert, defs)},
            "required": ["expect_alert"],
            "additionalProperties": False,
        },
    ]
    defs["Probe"] = probe
    defs["Step"] = {"oneOf": steps}
    return _document(registry, defs)


def _fault_like(
    registry: Registry, key: str, head_model: type[BaseModel], defs: dict[str, Any]
) -> dict[str, Any]:
    roles = ("fault",) if key == "fault" else ("action", "fault")
    variants = []
    head = _schema(head_model, defs)
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


def _document(registry: Registry, defs: dict[str, Any]) -> dict[str, Any]:
    targets = (
        {
            "oneOf": [
                _with_driver(
                    _schema(m.TargetLimits, defs),
                    k,
                    _schema(registry.driver_class("target", k).params_model, defs),
                )
                for k in registry.kinds("target")
            ]
        }
        if registry.kinds("target")
        else {"type": "object"}
    )
    probes = {"type": "array", "items": {"$ref": "#/$defs/Probe"}}
    defs["Connection"] = _schema(Connection, defs)  # docs/monitoring-sources.md
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "chaosml experiment, version 1",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "title", "method"],
        "properties": {
            "version": {"const": 1},
            "title": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "vars": {"type": "object"},
            "secrets": {"type": "object"},
            "sources": {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [{"type": "string"}, {"$ref": "#/$defs/Connection"}]
                },
            },
            "blast_radius": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "environments": {"type": "array", "items": {"type": "string"}},
                    "max_duration": {"type": ["string", "number"]},
                    "targets": {"type": "object", "additionalProperties": targets},
                },
            },
            "proxies": {"type": "array", "items": _schema(m.EphemeralProxy, defs)},
            "steady_state": probes,
            "guards": probes,
            "observe": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"every": {"type": ["string", "number"]}, "metrics": probes},
            },
            "method": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Step"}},
            "rollbacks": {
                "type": "array",
                "items": _fault_like(registry, "action", m.ActionHead, defs),
            },
            "recovery": {"type": "object"},
        },
        "$defs": defs,
    }
