"""The corruption modes, each a function that changes the slots of one chosen record.

A mode returns True when it changed something. Numbers are ints and floats, never booleans.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from chaosml.feed.encoding import mojibake, truncated_utf8
from chaosml.feed.paths import Slot
from chaosml.feed.spec import CorruptionSpec

Memory = dict[tuple[str, str], Any]
ModeFn = Callable[[list[Slot], CorruptionSpec, random.Random, Memory], bool]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same(old: Any, new: Any) -> bool:
    """Equal values of the same type (NaN is the same as NaN)."""
    both_nan = is_number(old) and is_number(new) and math.isnan(old) and math.isnan(new)
    return both_nan or (type(old) is type(new) and old == new)


def _set(slot: Slot, new: Any) -> bool:
    old = slot.value
    if same(old, new):
        return False
    slot.container[slot.key] = new
    return True


def _each(slots: list[Slot], change: Callable[[Slot], bool]) -> bool:
    results = [change(slot) for slot in slots]
    return any(results)


def nan(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    return _each(slots, lambda s: (is_number(s.value) or s.value is None) and _set(s, math.nan))


def null(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    return _each(slots, lambda s: _set(s, None))


def drop_field(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    dropped = False
    for slot in slots:
        if isinstance(slot.container, dict) and slot.key in slot.container:
            del slot.container[slot.key]
            dropped = True
    return dropped


def rename_field(
    slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory
) -> bool:
    renamed = False
    for slot in slots:
        if isinstance(slot.container, dict) and slot.key in slot.container:
            _rename_key(slot.container, str(slot.key), spec.to or f"{slot.key}_renamed")
            renamed = True
    return renamed


def _rename_key(obj: dict[str, Any], old: str, new: str) -> None:
    items = [(new if key == old else key, value) for key, value in obj.items()]
    obj.clear()
    obj.update(items)


def scale(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    return _each(slots, lambda s: is_number(s.value) and _set(s, s.value * spec.factor))


def noise(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    return _each(
        slots, lambda s: is_number(s.value) and _set(s, s.value + rng.gauss(0, spec.sigma))
    )


def shuffle(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    """Swap values between the record's fields: a random order, rotated so none stays put."""
    if len(slots) < 2:
        return False
    values = [slot.value for slot in slots]
    order = list(range(len(values)))
    rng.shuffle(order)
    count = len(order)
    moved = {order[i]: values[order[(i + 1) % count]] for i in range(count)}
    return any([_set(slots[i], moved[i]) for i in range(count)])


def stale(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    """Serve the frozen value first seen for each field (the corruptor remembers it)."""
    return _each(slots, lambda s: memory_key(s) in memory and _set(s, memory[memory_key(s)]))


def memory_key(slot: Slot) -> tuple[str, str]:
    field = str(slot.key) if isinstance(slot.container, dict) else "*"
    return slot.template, field


def type_flip(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    return _each(slots, lambda s: _set(s, _flipped(s.value)))


def _flipped(value: Any) -> Any:
    if is_number(value) or isinstance(value, bool):
        return str(value).lower() if isinstance(value, bool) else repr(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def out_of_range(
    slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory
) -> bool:
    return _each(slots, lambda s: (is_number(s.value) or s.value is None) and _set(s, spec.value))


def category_shift(
    slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory
) -> bool:
    """Remap category values by ``mapping`` (values it does not name stay)."""
    mapping = spec.mapping or {}
    return _each(
        slots, lambda s: _category(s.value) in mapping and _set(s, mapping[_category(s.value)])
    )


def _category(value: Any) -> str:
    """The mapping key of a value: its text (a CSV cell ``7`` reads as the number 7)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def swap_fields(
    slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory
) -> bool:
    """The two fields trade values (a column mix-up upstream)."""
    first = [s for s in slots if s.template == spec.fields[0]]
    second = [s for s in slots if s.template == spec.fields[1]]
    if len(first) != 1 or len(second) != 1:
        return False
    a, b = first[0], second[0]
    old_a, old_b = a.value, b.value
    return any([_set(a, old_b), _set(b, old_a)])


def broken_encoding(
    slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory
) -> bool:
    garble = mojibake if spec.encoding == "mojibake" else truncated_utf8
    return _each(slots, lambda s: isinstance(s.value, str) and _set(s, garble(s.value)))


def clip(slots: list[Slot], spec: CorruptionSpec, rng: random.Random, memory: Memory) -> bool:
    """Numbers saturate at ``low``/``high`` (a sensor or an int cast at its limit)."""
    return _each(slots, lambda s: is_number(s.value) and _set(s, _clipped(s.value, spec)))


def _clipped(value: float, spec: CorruptionSpec) -> float:
    if spec.high is not None and value > spec.high:
        return _like(value, spec.high)
    if spec.low is not None and value < spec.low:
        return _like(value, spec.low)
    return value


def _like(value: float, bound: float) -> float:
    """The bound as an int when the value was one and the bound is whole (CSV ``100``)."""
    return int(bound) if isinstance(value, int) and float(bound).is_integer() else bound


MODE_FUNCTIONS: dict[str, ModeFn] = {
    "nan": nan,
    "null": null,
    "drop_field": drop_field,
    "rename_field": rename_field,
    "scale": scale,
    "noise": noise,
    "shuffle": shuffle,
    "stale": stale,
    "type_flip": type_flip,
    "out_of_range": out_of_range,
    "category_shift": category_shift,
    "swap_fields": swap_fields,
    "broken_encoding": broken_encoding,
    "clip": clip,
}
