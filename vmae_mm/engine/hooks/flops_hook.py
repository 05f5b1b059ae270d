"""Model FLOPs before training, throughput and MFU during it."""
import json
import os.path as osp
from typing import Optional, Sequence, Tuple

import torch
from mmengine.dist import (broadcast_object_list, get_world_size,
                           is_main_process)
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vmae_mm.analysis import (FLOP_UNIT, count_flops, format_giga,
                              format_split, format_unsupported)
from vmae_mm.registry import HOOKS

#: Dense bf16 tensor-core peak per card in TFLOP/s (hardware FLOPs: 2 per
#: multiply-add), from NVIDIA's data sheets (their headline figures are with
#: 2:4 sparsity, twice these). Matched as a substring of the device name, in
#: order: the first match wins.
BF16_PEAK_TFLOPS: Tuple[Tuple[str, float], ...] = (
    ('H200 NVL', 835.0),
    ('H200', 989.0),
    ('H100 NVL', 835.0),
    ('H100 PCIe', 756.0),
    ('H100', 989.0),  # SXM
    ('A100', 312.0),
    ('L40S', 362.0),
)

#: Hardware FLOPs per fvcore FLOP (one multiply-add is a multiply and an add).
FLOPS_PER_MULTIPLY_ADD = 2


def bf16_peak_tflops(device_name: str) -> Optional[float]:
    """The card's dense bf16 peak in TFLOP/s, or None if not in
    :data:`BF16_PEAK_TFLOPS`."""
    for key, peak in BF16_PEAK_TFLOPS:
        if key in device_name:
            return peak
    return None


@HOOKS.register_module()
class FlopsCounterHook(Hook):
    """Counts the model's FLOPs per clip before training and logs the
    achieved throughput and model FLOPs utilization (MFU) while training.

    At the first training iteration, rank 0 counts the forward FLOPs of one
    clip shaped like the first clip of the batch, with the same code as
    ``tools/analysis/get_flops.py`` (:func:`vmae_mm.analysis.count_flops`, in
    eval mode without gradients; the train/eval flags and the random state
    are restored). It logs ``FLOPs per clip: X G (fvcore: 1 multiply-add =
    1 FLOP)`` and the per-part split, stores ``flops_per_sample`` (forward,
    multiply-adds) and ``train_step_flops_per_sample`` (3x forward) in the
    message hub on every rank, and writes the report to
    ``work_dir/flops.json``.

    Every ``interval`` iterations it logs the global throughput, clips per
    second over all ranks (``batch per GPU x world size / iteration time``,
    the iteration time being :class:`~mmengine.hooks.IterTimerHook`'s, data
    loading included; the first window also holds the count itself), and
    on a GPU the MFU: achieved model FLOP/s (training
    step FLOPs per clip x clips/s x 2, a multiply-add being two hardware
    FLOPs) over the cards' dense bf16 peak. Both also go to the message hub
    as ``train/clips_per_s`` and ``train/mfu``, so the logger prints them.

    Args:
        interval (int): Log throughput every this many iterations.
            Defaults to 50.
        peak_tflops (float, optional): Peak TFLOP/s of one card, for cards
            missing from :data:`BF16_PEAK_TFLOPS` or another precision.
            Defaults to None: looked up by device name.
        out_file (str): File name in ``work_dir``. Defaults to
            ``'flops.json'``.
    """

    # Runs after IterTimerHook (same priority, registered before custom
    # hooks) has timed the iteration, and before LoggerHook (BELOW_NORMAL)
    # prints the scalars this hook adds.
    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 50,
                 peak_tflops: Optional[float] = None,
                 out_file: str = 'flops.json') -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self.peak_tflops = peak_tflops
        self.out_file = out_file
        self.train_step_flops: Optional[float] = None
        self._warned_peak = False

    @staticmethod
    def _clip_shape(data_batch: dict) -> Tuple[int, int, int, int]:
        """``(C, T, H, W)`` of the first clip of a batch of uint8 clips."""
        inputs = data_batch['inputs']
        clip = inputs[0]  # (V, C, T, H, W) or (C, T, H, W)
        if clip.ndim == 5:
            return tuple(clip.shape[1:])
        if clip.ndim == 4:
            return tuple(clip.shape)
        raise ValueError(
            f'FlopsCounterHook expects clips shaped (V, C, T, H, W) or '
            f'(C, T, H, W) in data_batch["inputs"], got {tuple(clip.shape)}')

    @staticmethod
    def _bare_model(runner):
        return runner.model.module if is_model_wrapper(
            runner.model) else runner.model

    def _preprocessor(self, runner):
        """The data preprocessor: a device-side crop in it changes the
        clips' size and makes several of them per loaded video."""
        return getattr(self._bare_model(runner), 'data_preprocessor', None)

    def _model_clip_shape(self, runner,
                          data_batch: dict) -> Tuple[int, int, int, int]:
        """``(C, T, H, W)`` of the clips the model sees."""
        shape = self._clip_shape(data_batch)
        preprocessor = self._preprocessor(runner)
        if hasattr(preprocessor, 'train_clip_shape'):
            shape = preprocessor.train_clip_shape(shape)
        return shape

    def _count(self, runner, clip_shape: Sequence[int]) -> dict:
        model = self._bare_model(runner)
        report = count_flops(model, (1, *clip_shape))
        info = report.to_dict()
        runner.logger.info(
            f'FLOPs per clip: {format_giga(report.per_sample)} ({FLOP_UNIT}); '
            f'{report.mode} forward at (C, T, H, W) = {tuple(clip_shape)}, '
            f'params {report.params / 1e6:.2f} M')
        runner.logger.info('\n'.join(format_split(report)))
        unsupported = format_unsupported(report)
        if unsupported:
            runner.logger.info(unsupported)
        path = osp.join(runner.work_dir, self.out_file)
        with open(path, 'w') as f:
            json.dump(info, f, indent=2)
        return info

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        if self.train_step_flops is not None:
            return
        if data_batch is None:
            raise ValueError('FlopsCounterHook needs the data batch at the '
                             'first training iteration to know the clip shape')
        info = [None]
        if is_main_process():
            info[0] = self._count(runner,
                                  self._model_clip_shape(runner, data_batch))
        broadcast_object_list(info)
        info = info[0]
        runner.message_hub.update_info('flops_per_sample',
                                       info['flops_per_sample'])
        runner.message_hub.update_info('train_step_flops_per_sample',
                                       info['train_step_flops_per_sample'])
        self.train_step_flops = info['train_step_flops_per_sample']

    def _peak(self, runner) -> Optional[float]:
        if self.peak_tflops is not None:
            return self.peak_tflops
        device = next(runner.model.parameters()).device
        if device.type != 'cuda':
            return None
        name = torch.cuda.get_device_name(device)
        peak = bf16_peak_tflops(name)
        if peak is None and not self._warned_peak:
            runner.logger.warning(
                f'no bf16 peak known for {name!r}; set FlopsCounterHook('
                'peak_tflops=...) to log model FLOPs utilization')
            self._warned_peak = True
        return peak

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        if 'train/time' not in runner.message_hub.log_scalars:
            raise RuntimeError(
                'FlopsCounterHook reads the iteration time of IterTimerHook; '
                'keep default_hooks.timer in the config')
        iter_time = runner.message_hub.get_scalar('train/time').mean(
            self.interval)
        batch = len(data_batch['inputs']) * getattr(
            self._preprocessor(runner), 'clips_per_input', 1)
        world = get_world_size()
        clips_per_s = batch * world / iter_time
        runner.message_hub.update_scalar('train/clips_per_s', clips_per_s)
        line = (f'Throughput: {clips_per_s:.1f} clips/s ({world} x {batch} '
                f'clips per {iter_time:.3f} s iteration)')
        peak = self._peak(runner)
        if peak is not None:
            achieved = (clips_per_s * self.train_step_flops *
                        FLOPS_PER_MULTIPLY_ADD / world / 1e12)
            mfu = achieved / peak
            runner.message_hub.update_scalar('train/mfu', mfu)
            line += (f'; MFU {100 * mfu:.1f}%: {achieved:.1f} of {peak:.0f} '
                     'TFLOP/s per card (model FLOPs = 2 x fvcore '
                     'multiply-adds, training step = 3 x forward)')
        runner.logger.info(line)
