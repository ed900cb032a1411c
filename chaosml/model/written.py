"""The written form of the format: how a YAML document's keys become the typed model.

The model's validators call these when they validate a document — that is, when the context
names the installed drivers (``Experiment.model_validate(doc, context={"registry": …})``).
Built in Python, without that context, the models take their typed form (``kind`` and
``params``) and none of this runs.

A probe or target is written with its driver's key (``http: {url: …}``), a fault or action step
with its driver's parameters beside the step's own keys; each is split here into the keys the
engine owns and the driver's parameters, validated by the driver's ``params_model``. Every
problem is worded here or by ``problems.problems_of`` and carried up inside pydantic's error
(``problems.Gather``), so a misspelled key anywhere is an error with a "did you mean".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationInfo, ValidatorFunctionWrapHandler, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from chaosml import redaction
from chaosml.contract.catalogue import DriverCatalogue, Role
from chaosml.contract.params import Params
from chaosml.model.problems import Gather, suggest
from chaosml.yaml_source import Loc

M = TypeVar("M", bound=BaseModel)
Handler = ValidatorFunctionWrapHandler  # a field's next validator
ModelHandler = ModelWrapValidatorHandler  # a model's own validation
PLACEHOLDER = Params()  # stands for parameters not validated (yet), while the rest is checked


def catalogue(info: ValidationInfo) -> DriverCatalogue | None:
    """The installed drivers, when a written document is being validated."""
    context = info.context
    return context.get("registry") if isinstance(context, dict) else None


def not_mapping(what: str, data: Any) -> str:
    shown = redaction.clip(repr(data), 40, "")
    return f"{what} must be a mapping, got {type(data).__name__} {shown}"


def fail(message: str, suggestion: str | None = None, loc: Loc = ()) -> Exception:
    gather = Gather("written")
    gather.add(loc, message, suggestion)
    return gather.error(gather.found)


# -- sections as containers ---------------------------------------------------------------------
def listed(value: Any, handler: Handler, info: ValidationInfo) -> Any:
    """A list section (``steady_state``, ``method``, ``metrics``…): absent when null."""
    if value is None:
        value = []
    if not isinstance(value, list):
        raise fail(f"'{info.field_name}' must be a list, got {type(value).__name__}")
    return handler(value)


def mapping(what: str, empty: dict[str, Any] | None = None, *, falsy: bool = False) -> Any:
    """A mapping section (``blast_radius``, ``recovery``…), worded ``what`` when it is not one;
    validated from ``empty`` when null (or, with ``falsy``, any false value)."""

    def check(value: Any, handler: Handler, info: ValidationInfo) -> Any:
        if value is None or (falsy and not value):
            return handler(None if empty is None else dict(empty))
        if not isinstance(value, dict) and catalogue(info) is not None:
            raise fail(not_mapping(what, value))
        return handler(value)

    return check


# -- the models that have a written form ---------------------------------------------------------
Reader = Callable[..., Any]  # (cls, data, handler, info) -> the model


class Written(BaseModel):
    """A model whose written form differs from its typed one: ``form`` reads it (when a
    document is validated, see the module docstring)."""

    form: ClassVar[Reader]

    @model_validator(mode="wrap")
    @classmethod
    def _written(cls, data: Any, handler: ModelHandler[Any], info: ValidationInfo) -> Any:
        if catalogue(info) is None:
            return handler(data)
        return cls.form(cls, data, handler, info)


def driver_spec_of(role: Role, what: str) -> Reader:
    return partial(driver_spec, role=role, what=what)


def _step_key(cls: type[BaseModel]) -> str:
    """A step's key is its kind: the default of its ``type`` (``fault``, ``wait``…)."""
    return str(cls.model_fields["type"].default)


def _driver_step(cls: type[M], data: Any, handler: ModelHandler[M], info: ValidationInfo) -> M:
    return driver_step(cls, data, handler, info, _step_key(cls))


def _single_key(cls: type[M], data: Any, handler: ModelHandler[M], info: ValidationInfo) -> M:
    return single_key(cls, data, handler, info, _step_key(cls))


class DriverStep(Written):
    """A step written as ``KEY: KIND`` beside the driver's parameters (fault, action)."""

    form = _driver_step


class SingleKeyStep(Written):
    """A step written as its one key (``wait: 5s``, ``probe: {…}``)."""

    form = _single_key


# -- a probe or a target: head keys plus one driver key ------------------------------------------
def driver_spec(
    cls: type[M], data: Any, handler: ModelHandler[M], info: ValidationInfo, role: Role, what: str
) -> M:
    """``{name: …, http: {url: …}}`` → ``kind="http"`` and the http driver's parameters (the
    field ``params``, or ``selector`` for a target); ``cls``'s other fields are its head keys."""
    registry = catalogue(info)
    if registry is None:
        return handler(data)
    if not isinstance(data, dict):
        raise fail(not_mapping(what, data))
    params_field = "selector" if role == "target" else "params"
    head_keys = [f for f in cls.model_fields if f not in ("kind", params_field)]
    found = Gather(cls.__name__)
    kind = _driver_key(found, registry, data, role, head_keys)
    later = Gather(cls.__name__)
    params = _params(later, registry, role, kind, data[kind], (kind,)) if kind else None
    head = {k: v for k, v in data.items() if k in head_keys}
    typed = {**head, "kind": kind or "", params_field: params or PLACEHOLDER}
    return _typed(cls, handler, head, typed, found, later)


def _driver_key(
    found: Gather, registry: DriverCatalogue, data: dict[str, Any], role: Role, head: list[str]
) -> str | None:
    kinds = registry.kinds(role)
    rest = [k for k in data if k not in head]
    given = [k for k in rest if k in kinds]
    for key in rest:
        if key not in kinds:
            found.unknown_key((), key, head + kinds)
    if len(given) > 1:
        found.add((), f"a {role} has exactly one kind, found {' and '.join(given)}")
    if not rest:
        found.add((), f"missing the {role} kind: one of {', '.join(kinds)}")
    return given[0] if len(given) == 1 else None


def _params(
    found: Gather, registry: DriverCatalogue, role: Role, kind: str, data: Any, loc: Loc
) -> Params | None:
    model = registry.driver_class(role, kind).params_model
    if data is None:
        data = {}
    if not isinstance(data, dict):
        found.add(loc, f"'{kind}' takes a mapping of parameters, got {type(data).__name__}")
        return None
    return found.validate(model, data, loc, None)


# -- method steps --------------------------------------------------------------------------------
STEP_KINDS = ("fault", "action", "probe", "wait", "expect_alert", "expect_notification")


def step_kind(data: Any, what: str = "a method step") -> str:
    """Which kind of step ``data`` is written as (the one step key it has)."""
    if not isinstance(data, dict):
        raise fail(not_mapping(what, data))
    kinds = [k for k in STEP_KINDS if k in data]
    if len(kinds) != 1:
        shown = " and ".join(kinds) if kinds else "none"
        guess = next((s for k in data if (s := suggest(str(k), list(STEP_KINDS)))), None)
        raise fail(f"a step needs exactly one of {', '.join(STEP_KINDS)} (found {shown})", guess)
    return kinds[0]


def rollback_step(data: Any) -> None:
    """A rollback is an action step."""
    if not isinstance(data, dict):
        raise fail(not_mapping("a rollback step", data))
    if "action" not in data:
        raise fail("rollbacks take only 'action' steps (faults undo themselves)", "action")


def driver_step(
    cls: type[M], data: Any, handler: ModelHandler[M], info: ValidationInfo, key: str
) -> M:
    """A fault or action step: its own keys, ``key: KIND``, and the driver's parameters."""
    registry = catalogue(info)
    if registry is None or not isinstance(data, dict):
        return handler(data)
    kind = data[key]
    roles: tuple[Role, ...] = ("fault",) if key == "fault" else ("action", "fault")
    role = next((r for r in roles if isinstance(kind, str) and kind in registry.kinds(r)), None)
    head_keys = [f for f in cls.model_fields if f not in ("type", key, "params")]
    later = Gather(cls.__name__)
    params = None
    if role is None:
        known = sorted({k for r in roles for k in registry.kinds(r)})
        shown = f"unknown {key} '{kind}' (installed: {', '.join(known)})"
        later.add((key,), shown, suggest(str(kind), known))
    else:
        rest = {k: v for k, v in data.items() if k not in (*head_keys, key)}
        fields = list(registry.driver_class(role, kind).params_model.model_fields)
        rest = _drop_misspelled_heads(later, rest, head_keys, fields)
        params = _params(later, registry, role, kind, rest, ())
    head = {k: v for k, v in data.items() if k in head_keys}
    found = Gather(cls.__name__)
    typed = {**head, key: kind if role else "", "params": params or PLACEHOLDER}
    return _typed(cls, handler, head, typed, found, later)


def _drop_misspelled_heads(
    found: Gather, rest: dict[str, Any], head_keys: list[str], fields: list[str]
) -> dict[str, Any]:
    """Report keys close to a step key (``durration``) with a suggestion, not as params."""
    out = {}
    for key, value in rest.items():
        close = suggest(key, head_keys) if key not in fields else None
        if close and not suggest(key, fields):
            found.add((key,), f"unknown key '{key}'", close)
        else:
            out[key] = value
    return out


def single_key(
    cls: type[M], data: Any, handler: ModelHandler[M], info: ValidationInfo, key: str
) -> M:
    """A step written as one key (``wait: 5s``, ``probe: {…}``): nothing beside it."""
    if catalogue(info) is None or not isinstance(data, dict):
        return handler(data)
    found = Gather(cls.__name__)
    for extra in data:
        if extra != key:
            found.unknown_key((), extra, [key])
    return _typed(cls, handler, data, {key: data[key]}, found, Gather(cls.__name__))


def _typed(
    cls: type[M],
    handler: ModelHandler[M],
    written: dict[str, Any],
    typed: dict[str, Any],
    found: Gather,
    later: Gather,
) -> M:
    """``handler(typed)`` — the model's own validation of what was ``written`` — raising what
    ``found`` holds, its problems, then ``later``'s (the driver's parameters')."""
    result = found.run(cls, written, (), lambda: handler(typed))
    found.found += later.found
    found.raise_if_any()
    assert result is not None  # else raised above
    return result
