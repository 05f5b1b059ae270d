"""Where a device sits idle between kernels, and whether it waited for the
host.

A profiled step's kernels cover only part of its wall time; the rest is
gaps between one kernel's end and the next one's start. A gap is
**starved** when the next kernel was launched by the host only after the
one before had finished (the device had nothing queued: the host is the
bottleneck there), and **queued** when the launch was already waiting (the
gap is the device's own latency between kernels, or a wait on another
stream). A gap before a kernel the profile does not link to its launch
is counted apart. ``idle_between_kernels`` works on plain intervals, so it can be
tested without a GPU; ``kernel_profile`` feeds it a CUDA profile.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple


@dataclass(frozen=True)
class KernelSpan:
    """One kernel (or device copy) on the device's timeline.

    Attributes:
        name (str): Kernel name.
        start (float): Start in microseconds.
        end (float): End in microseconds.
        launched (float, optional): When the host's launch call started
            (same clock), if the profile links the kernel to it.
    """

    name: str
    start: float
    end: float
    launched: Optional[float] = None


@dataclass
class IdleReport:
    """Idle device time of a profiled run, per step.

    Attributes:
        window_ms (float): From the first kernel's start to the last one's
            end, per step.
        busy_ms (float): Time with at least one kernel running, per step.
        starved_ms (float): Idle time before kernels the host launched
            after the device had run dry, per step.
        queued_ms (float): Idle time before kernels whose launch was
            already waiting, per step.
        unlinked_ms (float): Idle time before kernels with no known
            launch, per step.
        kernels_per_step (float): Kernels (and device copies) per step.
        largest (list[tuple[str, str, float, float]]): The kernel pairs
            with the most idle time between them: ``(before, after,
            idle ms per step, gaps per step)``, most idle first.
    """

    window_ms: float
    busy_ms: float
    starved_ms: float
    queued_ms: float
    unlinked_ms: float
    kernels_per_step: float
    largest: List[Tuple[str, str, float, float]] = field(
        default_factory=list)

    @property
    def idle_ms(self) -> float:
        return self.starved_ms + self.queued_ms + self.unlinked_ms

    def as_dict(self) -> dict:
        return dict(window_ms=round(self.window_ms, 3),
                    busy_ms=round(self.busy_ms, 3),
                    idle_ms=round(self.idle_ms, 3),
                    starved_ms=round(self.starved_ms, 3),
                    queued_ms=round(self.queued_ms, 3),
                    unlinked_ms=round(self.unlinked_ms, 3),
                    kernels_per_step=round(self.kernels_per_step, 1),
                    largest=[(before[:80], after[:80], round(ms, 3),
                              round(count, 2))
                             for before, after, ms, count in self.largest])


def idle_between_kernels(spans: Sequence[KernelSpan], steps: int,
                         top: int = 10) -> IdleReport:
    """Gaps between kernels, per step, classified by the next kernel's
    launch.

    Overlapping kernels (several streams) count as one busy stretch; a gap
    is the time from the end of the busy stretch to the next kernel's start.

    Args:
        spans (Sequence[KernelSpan]): The kernels of ``steps`` steps.
        steps (int): Steps profiled (results are per step).
        top (int): Kernel pairs to list in ``largest``. Defaults to 10.
    """
    if steps < 1:
        raise ValueError(f'steps must be at least 1, got {steps}')
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    if not ordered:
        return IdleReport(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    busy = starved = queued = unlinked = 0.0
    pairs: Dict[Tuple[str, str], List[float]] = {}
    stretch_start, stretch_end = ordered[0].start, ordered[0].end
    last = ordered[0]  # the kernel that ends the current busy stretch
    for span in ordered[1:]:
        if span.start <= stretch_end:
            if span.end > stretch_end:
                stretch_end, last = span.end, span
            continue
        busy += stretch_end - stretch_start
        gap = span.start - stretch_end
        if span.launched is None:
            unlinked += gap
        elif span.launched >= stretch_end:
            starved += gap
        else:
            queued += gap
        total = pairs.setdefault((last.name, span.name), [0.0, 0])
        total[0] += gap
        total[1] += 1
        stretch_start, stretch_end, last = span.start, span.end, span
    busy += stretch_end - stretch_start
    window = stretch_end - ordered[0].start
    per_step = 1000.0 * steps  # microseconds -> milliseconds per step
    largest = sorted(pairs.items(), key=lambda item: -item[1][0])[:top]
    return IdleReport(
        window_ms=window / per_step,
        busy_ms=busy / per_step,
        starved_ms=starved / per_step,
        queued_ms=queued / per_step,
        unlinked_ms=unlinked / per_step,
        kernels_per_step=len(ordered) / steps,
        largest=[(before, after, micros / per_step, count / steps)
                 for (before, after), (micros, count) in largest])
