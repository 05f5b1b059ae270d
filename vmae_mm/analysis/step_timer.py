"""Timing training steps on a device."""
import time
from dataclasses import dataclass, field
from typing import Callable, List

import torch


@dataclass
class StepTiming:
    """Wall-clock timing of repeated steps after a warm-up.

    Attributes:
        batch_size (int): Clips per step.
        step_seconds (list[float]): Each timed step (device-synchronized).
        peak_memory_bytes (int): Peak device memory allocated during the
            timed steps (0 on the CPU).
        host_seconds (list[float]): For each timed step, the time until the
            step returned to the host, before the device finished: close to
            the step time, the step is bound by the host's launching, not
            by the device.
    """

    batch_size: int
    step_seconds: List[float]
    peak_memory_bytes: int
    host_seconds: List[float] = field(default_factory=list)

    @property
    def median_step(self) -> float:
        ordered = sorted(self.step_seconds)
        return ordered[len(ordered) // 2]

    @property
    def median_host(self) -> float:
        ordered = sorted(self.host_seconds)
        return ordered[len(ordered) // 2] if ordered else 0.0

    @property
    def clips_per_second(self) -> float:
        """Clips over the summed step time (steady state)."""
        return self.batch_size * len(self.step_seconds) / sum(
            self.step_seconds)


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _warm_up(step: Callable[[], None], warmup: int,
             device: torch.device) -> None:
    """Untimed steps, then a clean slate: the device idle and its peak
    memory counter reset."""
    for _ in range(warmup):
        step()
    _sync(device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory(device: torch.device) -> int:
    """Peak device memory allocated since the last reset (0 on the CPU)."""
    return (torch.cuda.max_memory_allocated(device)
            if device.type == 'cuda' else 0)


def time_steps(step: Callable[[], None], batch_size: int, warmup: int,
               steps: int, device: torch.device) -> StepTiming:
    """Run ``step`` ``warmup`` times untimed, then ``steps`` times timed.

    Every timed step is bracketed by device synchronizations, so the time is
    the step's full device time (a real training loop overlaps a little more:
    this slightly under-states throughput, never over-states it).
    """
    _warm_up(step, warmup, device)
    seconds, host = [], []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        host.append(time.perf_counter() - start)
        _sync(device)
        seconds.append(time.perf_counter() - start)
    return StepTiming(batch_size, seconds, peak_memory(device), host)


def time_steps_pipelined(step: Callable[[], None], batch_size: int,
                         warmup: int, steps: int,
                         device: torch.device) -> StepTiming:
    """As :func:`time_steps`, with one device synchronization after all
    timed steps instead of one per step: the host may queue a step while
    the device still runs the one before, as in a training loop that does
    not wait for each step (vmae_mm's, with its deferred logging and
    device-side non-finite skip). Every step is credited the mean time.
    """
    _warm_up(step, warmup, device)
    host = []
    start = time.perf_counter()
    for _ in range(steps):
        before = time.perf_counter()
        step()
        host.append(time.perf_counter() - before)
    _sync(device)
    mean = (time.perf_counter() - start) / steps
    return StepTiming(batch_size, [mean] * steps, peak_memory(device), host)
