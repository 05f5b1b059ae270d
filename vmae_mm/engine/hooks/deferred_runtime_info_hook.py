"""mmengine's ``RuntimeInfoHook`` without a host synchronization per
iteration."""
from dataclasses import dataclass
from typing import Dict, List, Optional, Union

import torch
from mmengine.hooks import LoggerHook, RuntimeInfoHook

from vmae_mm.registry import HOOKS

DATA_BATCH = Optional[Union[dict, tuple, list]]


@dataclass
class _PendingScalars:
    """One iteration's logged values on their way to the host."""

    names: List[str]
    values: torch.Tensor  # (len(names),) float32 on the host
    ready: Optional['torch.cuda.Event']  # recorded after the copy, on CUDA
    plain: Dict[str, float]  # values that were never tensors

    def done(self) -> bool:
        return self.ready is None or self.ready.query()

    def wait(self) -> None:
        if self.ready is not None:
            self.ready.synchronize()


@HOOKS.register_module()
class DeferredRuntimeInfoHook(RuntimeInfoHook):
    """Publishes the model's ``log_vars`` (losses, accuracies) to the message
    hub as ``RuntimeInfoHook`` does, without waiting for the device.

    mmengine's hook turns every logged tensor into a Python number with
    ``.item()`` after every iteration, which holds the host until the device
    has finished the step: the next step's launches then start on an idle
    device. Here each iteration's values are copied to pinned host memory
    without blocking, and published, in order, once the copy has landed
    (usually during the next iteration). Before a ``LoggerHook`` writes a
    line, at an epoch's end, before validation or a checkpoint and when
    training ends, every pending value is published first (one wait), so
    what is logged and saved is exactly what ``RuntimeInfoHook`` would
    give. On the CPU nothing is deferred.

    Args:
        max_pending (int): Iterations whose values may be outstanding;
            beyond that the oldest is waited for, so the host never runs
            more than this many steps ahead of its bookkeeping.
            Defaults to 2.
    """

    def __init__(self, max_pending: int = 2) -> None:
        if max_pending < 1:
            raise ValueError(f'max_pending must be >= 1, got {max_pending}')
        self.max_pending = max_pending
        self._pending: List[_PendingScalars] = []

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        if outputs:
            self._pending.append(self._send(outputs))
        wait_all = self._logger_writes_now(runner, batch_idx)
        self.publish(runner, wait=wait_all)
        while len(self._pending) > self.max_pending:
            self._pending[0].wait()
            self.publish(runner)

    def after_train_epoch(self, runner) -> None:
        self.publish(runner, wait=True)

    def before_val(self, runner) -> None:
        self.publish(runner, wait=True)
        super().before_val(runner)

    def after_train(self, runner) -> None:
        self.publish(runner, wait=True)
        super().after_train(runner)

    def publish(self, runner, wait: bool = False) -> None:
        """Put pending values into the message hub, oldest first: those
        already on the host, or (``wait=True``) all of them."""
        while self._pending and (wait or self._pending[0].done()):
            pending = self._pending.pop(0)
            if not pending.done():
                pending.wait()
            for name, value in zip(pending.names, pending.values.tolist()):
                runner.message_hub.update_scalar(f'train/{name}', value)
            for name, value in pending.plain.items():
                runner.message_hub.update_scalar(f'train/{name}', value)

    @staticmethod
    def _send(outputs: dict) -> _PendingScalars:
        """Start copying one iteration's tensors to the host."""
        names, tensors, plain = [], [], {}
        for name, value in outputs.items():
            if isinstance(value, torch.Tensor):
                if value.numel() != 1:
                    raise ValueError(f'log_vars[{name!r}] must hold one value,'
                                     f' got shape {tuple(value.shape)}')
                names.append(name)
                tensors.append(value.detach().float().reshape(()))
            else:
                plain[name] = value
        if not tensors:
            return _PendingScalars([], torch.zeros(0), None, plain)
        stacked = torch.stack(tensors)  # (len(names),)
        if stacked.device.type != 'cuda':
            return _PendingScalars(names, stacked, None, plain)
        host = torch.empty(stacked.shape, dtype=torch.float32,
                           pin_memory=True)
        host.copy_(stacked, non_blocking=True)
        ready = torch.cuda.Event()
        ready.record()
        return _PendingScalars(names, host, ready, plain)

    @staticmethod
    def _logger_writes_now(runner, batch_idx: int) -> bool:
        """Whether a ``LoggerHook`` writes a line after this iteration
        (mmengine's rule: every ``interval`` iterations of the epoch, and at
        its end); without one, nothing forces a wait."""
        for hook in runner.hooks:
            if not isinstance(hook, LoggerHook):
                continue
            if hook.every_n_inner_iters(batch_idx, hook.interval):
                return True
            loader = getattr(runner, 'train_dataloader', None)
            if loader is not None and hook.end_of_epoch(loader, batch_idx):
                return True
        return False
