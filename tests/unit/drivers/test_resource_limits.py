"""Sizes, rates and the host-share bounds of the resource faults."""

from __future__ import annotations

import pytest

from chaosml.drivers.resource_driver import CpuParams, MemoryParams
from chaosml.drivers.resource_limits import host_cpus, host_memory_bytes, parse_rate, parse_size


def test_sizes_and_rates() -> None:
    assert parse_size("256MiB") == 256 * 1024**2
    assert parse_size("1.5GB") == 1_500_000_000
    assert parse_size(4096) == 4096
    assert parse_rate("64MiB/s") == 64 * 1024**2
    with pytest.raises(ValueError, match="is not a size"):
        parse_size("lots")


def test_the_host_share_bounds_memory_and_cpus() -> None:
    assert MemoryParams.model_validate({"rate": "1MiB/s", "ceiling": "16MiB"}).ceiling == 16 * 2**20
    half = host_memory_bytes() // 2
    with pytest.raises(ValueError, match="above 25% of this host's memory"):
        MemoryParams.model_validate({"rate": "1MiB/s", "ceiling": half})
    assert MemoryParams.model_validate({"rate": 1, "ceiling": half, "max_host_share": 60})
    with pytest.raises(ValueError, match="CPUs"):
        CpuParams.model_validate({"cores": host_cpus() + 1})
