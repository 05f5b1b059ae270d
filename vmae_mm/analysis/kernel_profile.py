"""Where a training step's device time goes: its kernels grouped by kind.

``profile_step`` runs a step a few times under ``torch.profiler`` and sums
each kernel's own device time into a few kinds (matrix products, attention,
fused elementwise kernels, copies, the optimizer, the rest), per step, and
on a GPU also the idle time between kernels (``device_idle``). On the CPU
the operators' own CPU time stands in for kernel time.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import torch
from torch.profiler import ProfilerActivity, profile

from .device_idle import IdleReport, KernelSpan, idle_between_kernels

# Kinds in the order they are tried; the first pattern that matches a
# kernel's (lower-cased) name decides its kind.
KERNEL_KINDS: Tuple[Tuple[str, str], ...] = (
    ('attention', r'flash|fmha|cudnn.*(attn|sdpa)|sdpa|attention|'
     r'efficient_attention|scaled_dot_product'),
    ('optimizer', r'adam|multi_tensor|foreach|fused_adam'),
    # kernels that torch.compile generated (pointwise, reductions)
    ('fused elementwise', r'triton_(poi|per|red)_'),
    ('matmul', r'gemm|nvjet|cutlass|xmma|sm\d+_|cublas|aten::(mm|addmm|bmm|'
     r'linear|matmul)|conv'),
    ('copy', r'memcpy|memset|copy|cat|index|gather|scatter'),
    ('elementwise', r'elementwise|reduce|vectorized|norm|triton'),
)


# CUDA runtime calls that block the host until the device catches up.
HOST_SYNC_CALLS = re.compile(
    r'^cuda(Stream|Device|Event)Synchronize$|^cudaMemcpy$')
# CUDA runtime calls that put work on a device queue; a kernel shares its
# launch call's correlation id.
LAUNCH_CALLS = re.compile(r'^cu(da)?(Launch|GraphLaunch|Memcpy\w*Async|'
                          r'Memset\w*Async)')


def kernel_kind(name: str) -> str:
    """The kind of a kernel (or, on the CPU, operator) from its name."""
    lowered = name.lower()
    for kind, pattern in KERNEL_KINDS:
        if re.search(pattern, lowered):
            return kind
    return 'other'


@dataclass
class KernelBreakdown:
    """Device time of one step by kernel kind.

    Attributes:
        device (str): ``'cuda'`` (kernel time) or ``'cpu'`` (operator time).
        ms_per_step (dict[str, float]): Milliseconds per step by kind.
        top (list[tuple[str, float]]): The kernels that took longest, with
            their milliseconds per step.
        host_syncs_per_step (float): CUDA runtime calls per step that made
            the host wait for the device (synchronizations, blocking
            copies); each leaves the device idle while the host catches up.
        idle (IdleReport, optional): On a GPU, the gaps between kernels
            and whether the device waited for the host in them.
    """

    device: str
    ms_per_step: Dict[str, float]
    top: List[Tuple[str, float]] = field(default_factory=list)
    host_syncs_per_step: float = 0.0
    idle: Optional[IdleReport] = None

    @property
    def total_ms(self) -> float:
        return sum(self.ms_per_step.values())

    def as_dict(self) -> dict:
        record = dict(device=self.device,
                      total_ms_per_step=round(self.total_ms, 3),
                      ms_per_step={k: round(v, 3)
                                   for k, v in self.ms_per_step.items()},
                      top=[(name, round(ms, 3)) for name, ms in self.top],
                      host_syncs_per_step=round(self.host_syncs_per_step,
                                                2))
        if self.idle is not None:
            record['idle'] = self.idle.as_dict()
        return record


# A user annotation's name (``Optimizer.step#AdamW.step``); kernel names may
# hold a ``#`` too (ATen's lambdas: ``{lambda(float, float, float)#1}``).
USER_ANNOTATION = re.compile(r'^[\w.]+#[\w.]+$')


def is_device_kernel(event) -> bool:
    """A kernel or device copy of a CUDA profile: not an operator, not a
    user annotation, which spans its kernels and the gaps between them."""
    return (event.device_type == torch.autograd.DeviceType.CUDA
            and not getattr(event, 'is_user_annotation', False)
            and not USER_ANNOTATION.match(event.key))


def kernel_spans(events) -> List[KernelSpan]:
    """The device timeline of profiled events, each kernel with the start
    of the launch call that queued it (matched by correlation id)."""
    launches = {
        event.id: event.time_range.start
        for event in events
        if event.device_type == torch.autograd.DeviceType.CPU
        and LAUNCH_CALLS.match(event.name)
    }
    return [
        KernelSpan(event.name, event.time_range.start, event.time_range.end,
                   launches.get(event.id)) for event in events
        if is_device_kernel(event)
    ]


def profile_step(step: Callable[[], None], device: torch.device,
                 steps: int = 3, top: int = 25,
                 trace_path: Optional[str] = None) -> KernelBreakdown:
    """Run ``step`` ``steps`` times under the profiler (after the caller's
    warm-up) and group its own device time by kernel kind; with
    ``trace_path`` (``.json`` or ``.json.gz``) also write the profile as a
    Chrome trace there."""
    on_cuda = device.type == 'cuda'
    activities = [ProfilerActivity.CPU]
    if on_cuda:
        activities.append(ProfilerActivity.CUDA)
    with profile(activities=activities) as prof:
        for _ in range(steps):
            step()
        if on_cuda:
            torch.cuda.synchronize(device)
    if trace_path:
        os.makedirs(osp.dirname(osp.abspath(trace_path)), exist_ok=True)
        prof.export_chrome_trace(trace_path)
    per_kernel: Dict[str, float] = {}
    syncs = -1 if on_cuda else 0  # not counting the synchronize above
    for event in prof.key_averages():
        if HOST_SYNC_CALLS.match(event.key):
            syncs += event.count
        if on_cuda:
            # kernels only: operators carry their kernels' time as well
            if not is_device_kernel(event):
                continue
            micros = event.self_device_time_total
        else:
            micros = event.self_cpu_time_total
        if micros > 0:
            per_kernel[event.key] = per_kernel.get(event.key, 0.0) + micros
    by_kind: Dict[str, float] = {}
    for name, micros in per_kernel.items():
        kind = kernel_kind(name)
        by_kind[kind] = by_kind.get(kind, 0.0) + micros / 1000 / steps
    longest = sorted(per_kernel.items(), key=lambda kv: -kv[1])[:top]
    idle = (idle_between_kernels(kernel_spans(prof.events()), steps)
            if on_cuda else None)
    return KernelBreakdown('cuda' if on_cuda else 'cpu', by_kind,
                           [(name[:120], micros / 1000 / steps)
                            for name, micros in longest],
                           max(syncs, 0) / steps, idle)
