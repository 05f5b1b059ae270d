"""time_steps: warm-up untimed, every timed step recorded, host time too."""
import time

import pytest
import torch

from vmae_mm.analysis.step_timer import time_steps, time_steps_pipelined


def test_time_steps_records_timed_steps_only():
    calls = []

    def step():
        calls.append(1)
        time.sleep(0.01 * (1 + (len(calls) > 2)))  # warm-up steps are short

    timing = time_steps(step, batch_size=4, warmup=2, steps=3,
                        device=torch.device('cpu'))
    assert len(calls) == 5
    assert len(timing.step_seconds) == len(timing.host_seconds) == 3
    assert min(timing.step_seconds) >= 0.02
    # on the CPU the step has finished when it returns
    assert timing.median_host == pytest.approx(timing.median_step, abs=5e-3)
    assert timing.clips_per_second == pytest.approx(
        4 * 3 / sum(timing.step_seconds))
    assert timing.peak_memory_bytes == 0


def test_pipelined_timing_credits_every_step_the_mean():
    calls = []

    def step():
        calls.append(1)
        time.sleep(0.01)

    timing = time_steps_pipelined(step, batch_size=2, warmup=1, steps=4,
                                  device=torch.device('cpu'))
    assert len(calls) == 5
    assert len(set(timing.step_seconds)) == 1 and len(
        timing.step_seconds) == 4
    assert timing.step_seconds[0] >= 0.01
    assert len(timing.host_seconds) == 4
    assert timing.clips_per_second == pytest.approx(
        2 / timing.step_seconds[0])
