"""An epoch-based training loop that resumes exactly, mid-epoch included."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from vmae_mm.registry import LOOPS
from .rng import RngState, isolated_rng, set_rng_state


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` plus what exact resumption needs.

    - Resuming mid-epoch (:meth:`resume_at`) runs only the epoch's remaining
      batches, numbered from where it stopped; the ``ResumableSampler``
      skips the consumed clips by index, without decoding them.
    - The random generators saved in the checkpoint are restored at the
      point of the loop where they were captured: before the epoch's data
      iterator is made for an end-of-epoch checkpoint, after it (the
      iterator draws a seed) for a mid-epoch one.
    - Validation runs in :func:`~vmae_mm.engine.rng.isolated_rng`, so it
      does not move the training stream (a resumed run does not repeat it).
    - In distributed runs the logged losses are averaged over processes
      (one small all-reduce per iteration), so the log shows the loss of
      the global batch rather than rank 0's share.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): Training data.
        max_epochs (int): Epochs to train.
        val_begin (int): First epoch that validates. Defaults to 1.
        val_interval (int): Validate every this many epochs. Defaults to 1.
        dynamic_intervals (list[tuple[int, int]], optional): ``(epoch,
            interval)`` milestones. Defaults to None.
        reduce_log_vars (bool): Average logged losses over processes.
            Defaults to True.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None,
                 reduce_log_vars: bool = True) -> None:
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        self.reduce_log_vars = reduce_log_vars
        self._start_batch = 0
        self._pending_rng: Optional[RngState] = None

    def resume_at(self, batches: int, rng_state: Optional[RngState]) -> None:
        """Continue the current epoch after ``batches`` batches and restore
        ``rng_state`` when training starts.

        Args:
            batches (int): Batches of the current epoch already trained (0 at
                an epoch boundary).
            rng_state (dict, optional): From :func:`get_rng_state`; None
                keeps the freshly seeded generators.
        """
        self._start_batch = batches
        self._pending_rng = rng_state

    def _restore_rng(self) -> None:
        if self._pending_rng is not None:
            set_rng_state(self._pending_rng)
            self._pending_rng = None

    def run(self) -> torch.nn.Module:
        """Train to ``max_epochs``, validating without touching the
        training generators."""
        self.runner.call_hook('before_train')
        while self._epoch < self._max_epochs and not self.stop_training:
            self.run_epoch()
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None
                    and self._epoch >= self.val_begin
                    and (self._epoch % self.val_interval == 0
                         or self._epoch == self._max_epochs)):
                with isolated_rng():
                    self.runner.val_loop.run()
        self.runner.call_hook('after_train')
        return self.runner.model

    def run_epoch(self) -> None:
        """Iterate the rest of the epoch (all of it unless resumed)."""
        start, self._start_batch = self._start_batch, 0
        if start == 0:
            self._restore_rng()
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        batches = iter(self.dataloader)
        self._restore_rng()
        for idx, data_batch in enumerate(batches, start=start):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def run_iter(self, idx: int, data_batch: Sequence[dict]) -> None:
        """One optimizer step; the hooks see the process-averaged losses."""
        self.runner.call_hook('before_train_iter', batch_idx=idx,
                              data_batch=data_batch)
        outputs = self.runner.model.train_step(
            data_batch, optim_wrapper=self.runner.optim_wrapper)
        if self.reduce_log_vars:
            outputs = average_over_processes(outputs)
        self.runner.call_hook('after_train_iter', batch_idx=idx,
                              data_batch=data_batch, outputs=outputs)
        self._iter += 1


def average_over_processes(log_vars: Dict) -> Dict:
    """Average the scalar tensors of ``log_vars`` over all processes in one
    all-reduce; other entries pass through.

    Args:
        log_vars (dict): A model's ``train_step`` output.

    Returns:
        dict: The same keys, scalar tensors replaced by their mean over
        processes (unchanged outside distributed training).
    """
    if get_world_size() == 1:
        return log_vars
    keys = [key for key, value in log_vars.items()
            if isinstance(value, torch.Tensor) and value.numel() == 1]
    if not keys:
        return log_vars
    stacked = torch.stack(
        [log_vars[key].detach().float().reshape(()) for key in keys])
    all_reduce(stacked, op='mean')
    averaged = dict(log_vars)
    averaged.update(zip(keys, stacked.unbind()))
    return averaged
