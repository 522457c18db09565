"""The layout workers are sized to the cores and to the memory left: on an office laptop with a
browser open, a build starts fewer WeasyPrint workers rather than push the machine into swap."""

from __future__ import annotations

from generator.pdf.pool import BUILD_MEMORY, WORKER_MEMORY, worker_count

GIB = 2**30


def test_one_worker_per_core_when_memory_is_plenty() -> None:
    assert worker_count(2, 24 * GIB) == 2
    assert worker_count(8, 24 * GIB) == 8


def test_fewer_workers_than_cores_when_memory_is_short() -> None:
    # Room for the rest of the build and two workers, on a machine with eight cores.
    assert worker_count(8, BUILD_MEMORY + 2 * WORKER_MEMORY) == 2
    assert worker_count(8, BUILD_MEMORY + 2 * WORKER_MEMORY - 1) == 1


def test_always_at_least_one_worker() -> None:
    assert worker_count(4, 0) == 1
    assert worker_count(4, BUILD_MEMORY) == 1


def test_the_cores_decide_when_the_memory_is_unknown() -> None:
    assert worker_count(4, None) == 4
