"""Idle time between kernels, told apart by when the next one was
launched."""
import pytest

from vmae_mm.analysis.device_idle import KernelSpan, idle_between_kernels


def test_gaps_are_starved_queued_or_unlinked_by_the_next_launch():
    spans = [
        KernelSpan('a', 0, 10, launched=0),
        KernelSpan('b', 14, 20, launched=12),  # launched after a ended
        KernelSpan('c', 23, 30, launched=5),  # launch was waiting
        KernelSpan('d', 31, 40),  # no launch known
    ]
    report = idle_between_kernels(spans, steps=1)
    assert report.window_ms == pytest.approx(0.040)
    assert report.busy_ms == pytest.approx(0.032)
    assert report.starved_ms == pytest.approx(0.004)
    assert report.queued_ms == pytest.approx(0.003)
    assert report.unlinked_ms == pytest.approx(0.001)
    assert report.idle_ms == pytest.approx(report.window_ms -
                                           report.busy_ms)
    assert report.kernels_per_step == 4
    assert [pair[:2] for pair in report.largest] == [('a', 'b'), ('b', 'c'),
                                                     ('c', 'd')]


def test_overlapping_kernels_are_one_busy_stretch():
    # b runs on another stream inside a; the gap before c starts at a's end
    spans = [
        KernelSpan('c', 25, 30, launched=0),
        KernelSpan('a', 0, 20, launched=0),
        KernelSpan('b', 5, 12, launched=0),
    ]
    report = idle_between_kernels(spans, steps=1)
    assert report.busy_ms == pytest.approx(0.025)
    assert report.queued_ms == pytest.approx(0.005)
    assert report.largest == [('a', 'c', pytest.approx(0.005), 1)]


def test_pairs_are_summed_over_steps_and_reported_per_step():
    spans = []
    for step in range(2):
        t = 100 * step
        spans += [KernelSpan('x', t, t + 40, launched=t),
                  KernelSpan('y', t + 50, t + 60, launched=t + 45)]
    report = idle_between_kernels(spans, steps=2, top=1)
    # x->y (10 us) twice, y->x (40 us) once, all launched late: per step
    # 10 and 20 us
    assert report.largest == [('y', 'x', pytest.approx(0.020), 0.5)]
    assert report.starved_ms == pytest.approx(0.030)
    assert report.kernels_per_step == 2
    record = report.as_dict()
    assert record['idle_ms'] == pytest.approx(0.030)


def test_no_kernels_and_bad_step_counts():
    assert idle_between_kernels([], steps=3).idle_ms == 0
    with pytest.raises(ValueError, match='steps must be at least 1'):
        idle_between_kernels([KernelSpan('a', 0, 1)], steps=0)
