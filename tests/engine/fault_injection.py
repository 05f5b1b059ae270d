"""Test-only components for training runs in subprocesses: a deterministic
mask, hooks that stall a run after a checkpoint (so the test can SIGKILL it
at a known point), slow a checkpoint write down, make the loss NaN for
chosen iterations, or record the checkpoint files.

Only the runs' configs import this module (``custom_imports``, see
:func:`tests.engine.run_configs.write_config`): registered here, these
types would join the test session's registries, which other tests
parametrize over.
"""
import glob
import json
import os.path as osp
import time
from typing import Sequence

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vmae_mm.models.masking.base import BaseMaskGenerator, Device, Grid
from vmae_mm.registry import HOOKS, MASK_GENERATORS


@MASK_GENERATORS.register_module(force=True)
class FixedMasking(BaseMaskGenerator):
    """The same mask for every sample and every call, drawn once from its
    own generator: masks that do not depend on torch's global random state,
    so runs that split a batch differently over processes mask every clip
    alike."""

    def num_masked(self, grid: Sequence[int]) -> int:
        T, H, W = grid
        return int(self.mask_ratio * T * H * W)

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        T, H, W = grid
        order = torch.randperm(T * H * W,
                               generator=torch.Generator().manual_seed(0))
        row = torch.zeros(T * H * W, dtype=torch.bool)
        row[order[:self.num_masked(grid)]] = True
        return row.to(device).expand(batch_size, -1).clone()


@HOOKS.register_module(force=True)
class StallAfterIterHook(Hook):
    """After iteration ``iteration`` (1-based, after its checkpoint), write
    ``marker`` and sleep: the test kills the run there."""

    priority = 'LOWEST'

    def __init__(self, iteration: int, marker: str) -> None:
        self.iteration = iteration
        self.marker = marker

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 != self.iteration:
            return
        if is_main_process():
            with open(self.marker, 'w') as f:
                f.write(str(runner.iter + 1))
        time.sleep(600)


@HOOKS.register_module(force=True)
class NonFiniteLossHook(Hook):
    """Multiply the decoder's output by NaN during iterations ``begin`` to
    ``end`` (1-based, inclusive): the loss and every gradient become NaN."""

    def __init__(self, begin: int, end: int) -> None:
        self.begin, self.end = begin, end
        self._handle = None

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self.begin <= runner.iter + 1 <= self.end:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            self._handle = model.neck.register_forward_hook(
                lambda module, args, output: output * float('nan'))

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None


@HOOKS.register_module(force=True)
class SlowCheckpointHook(Hook):
    """Pad the checkpoint of iteration ``iteration`` with ``megabytes`` of
    zeros and write ``marker`` just before it is serialized: the test kills
    the run while the file is being written."""

    def __init__(self, iteration: int, megabytes: int, marker: str) -> None:
        self.iteration = iteration
        self.megabytes = megabytes
        self.marker = marker

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if checkpoint['meta']['iter'] != self.iteration:
            return
        checkpoint['padding'] = torch.zeros(self.megabytes * 2**18)
        with open(self.marker, 'w') as f:
            f.write(str(self.iteration))


@HOOKS.register_module(force=True)
class RecordCheckpointFilesHook(Hook):
    """Append the ``*.pth`` files of the work dir, as each checkpoint is
    about to be written, to ``record`` (one JSON list per line)."""

    def __init__(self, record: str) -> None:
        self.record = record

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        present = sorted(
            osp.basename(p) for p in glob.glob(osp.join(runner.work_dir,
                                                        '*.pth')))
        with open(self.record, 'a') as f:
            f.write(json.dumps(present) + '\n')
