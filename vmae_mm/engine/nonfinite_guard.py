"""Skip optimizer steps whose loss or gradients are not finite; stop a run
that keeps producing them.

``VMAERunner`` mixes :class:`NonFiniteGuardMixin` into whichever optimizer
wrapper the config builds (``OptimWrapper``, ``BF16OptimWrapper``,
``AmpOptimWrapper`` or another subclass), so the guard needs no wrapper type
of its own and is on by default. Configure it with a top-level key::

    nonfinite_guard = dict(max_consecutive=5)   # None turns it off

Cost: one gradient-norm reduction per optimizer step, plus, in distributed
runs, an all-reduce of one flag so every process skips the same steps
(under FSDP each process only sees its gradient shard). With fused Adam or
AdamW (vmae_mm's default on CUDA) the skip itself happens on the device: the
flag goes to the fused kernel as its ``found_inf`` (as a gradient scaler
does), so the host never waits for the step; the flag reaches the host
through a non-blocking copy and is read at the next step, by which time the
device is long past it: counting, warnings and the stop come one step late.
Other optimizers read the flag at once, one host synchronization per step.
"""
import functools
from dataclasses import dataclass
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper, OptimWrapperDict


class NonFiniteTrainingError(ValueError):
    """Training produced non-finite losses or gradients for too many steps
    in a row."""


@dataclass
class _Verdict:
    """A step's non-finite flag on its way to the host."""

    flag: torch.Tensor  # () float32 on the host, > 0 when skipped
    ready: Optional['torch.cuda.Event']  # recorded after the copy, on CUDA
    loss: Optional[torch.Tensor]  # None when no backward() went through us
    norm: Optional[torch.Tensor]
    iteration: Optional[int]
    ckpt: Optional[str]

    def skipped(self) -> bool:
        if self.ready is not None:
            self.ready.synchronize()  # long done: recorded a step ago
        return bool(self.flag.item() > 0)


def skips_on_device(optimizer: torch.optim.Optimizer) -> bool:
    """Whether ``optimizer.step()`` honours a ``found_inf`` flag on the
    device: torch's Adam and AdamW with ``fused=True`` in every group."""
    return isinstance(optimizer, torch.optim.Adam) and all(
        group.get('fused') for group in optimizer.param_groups)


class NonFiniteGuardMixin:
    """Optimizer-wrapper mixin: a step whose loss (any accumulated one) or
    global gradient norm is NaN/Inf is skipped (no parameter or optimizer
    state update; gradients are cleared; the lr schedule, which follows the
    iteration count, stays on time) and logged with its iteration. After
    ``max_consecutive`` skipped steps in a row, :class:`NonFiniteTrainingError`
    names the iterations and the last checkpoint saved before them.

    With a loss scaler (``AmpOptimWrapper``), only the loss is checked:
    overflowing fp16 gradients are the scaler's business (it skips the step
    and lowers the scale itself).
    """

    def init_guard(self, max_consecutive: int) -> None:
        """Set the guard's state.

        Args:
            max_consecutive (int): Skipped steps in a row that stop the run.
        """
        if max_consecutive < 1:
            raise ValueError('nonfinite_guard.max_consecutive must be >= 1, '
                             f'got {max_consecutive}')
        self.max_consecutive = max_consecutive
        self.skipped_in_a_row = 0
        self.skipped_total = 0
        self._first_bad_iter: Optional[int] = None
        self._ckpt_before_streak: Optional[str] = None
        self._loss_finite: Optional[torch.Tensor] = None
        self._last_loss: Optional[torch.Tensor] = None
        self._pending: Optional[_Verdict] = None

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """Note whether ``loss`` is finite, then back-propagate it; both
        ``update_params`` and a hand-written ``backward``/``step`` loop
        come through here."""
        finite = torch.isfinite(loss.detach()).all()
        self._loss_finite = (finite if self._loss_finite is None else
                             self._loss_finite & finite)
        self._last_loss = loss.detach()
        super().backward(loss, **kwargs)

    def _grad_norm(self) -> Optional[torch.Tensor]:
        grads = [p.grad for group in self.optimizer.param_groups
                 for p in group['params'] if p.grad is not None]
        if not grads:
            return None
        return torch.nn.utils.get_total_norm(grads, error_if_nonfinite=False)

    def step(self, **kwargs) -> None:
        self.settle()
        loss_finite, self._loss_finite = self._loss_finite, None
        scaled = hasattr(self, 'loss_scaler')
        norm = None if scaled else self._grad_norm()
        device = self.optimizer.param_groups[0]['params'][0].device
        bad = torch.zeros((), dtype=torch.float32, device=device)
        if loss_finite is not None:
            bad += (~loss_finite).float().to(device)
        if norm is not None:
            bad += (~torch.isfinite(norm)).float().to(device)
        # exactly 1.0 when bad: the fused kernels skip on found_inf == 1 and
        # subtract it from their step counts
        bad = (bad > 0).float()
        if dist.is_available() and dist.is_initialized() and \
                dist.get_world_size() > 1:
            dist.all_reduce(bad, op=dist.ReduceOp.MAX)
        if not scaled and skips_on_device(self.optimizer):
            self._step_on_device(bad, norm, **kwargs)
            return
        if bad.item() == 0:  # the one host synchronization
            self.skipped_in_a_row = 0
            super().step(**kwargs)
            return
        hub = MessageHub.get_current_instance()
        self._skip(self._verdict(bad, norm, hub))

    def _verdict(self, flag: torch.Tensor, norm: Optional[torch.Tensor],
                 hub: MessageHub,
                 ready: Optional['torch.cuda.Event'] = None) -> _Verdict:
        iteration = hub.get_info('iter', None)
        return _Verdict(flag, ready, self._last_loss, norm,
                        iteration + 1 if iteration is not None else None,
                        hub.get_info('last_ckpt', None))

    def _step_on_device(self, bad: torch.Tensor,
                        norm: Optional[torch.Tensor], **kwargs) -> None:
        """Step with the flag as the fused kernel's ``found_inf`` (the
        kernel leaves parameters, moments and step counts alone when it is
        set) and send the flag to the host without waiting for it."""
        self.optimizer.found_inf = bad
        try:
            super().step(**kwargs)
        finally:
            del self.optimizer.found_inf
        ready = None
        if bad.device.type == 'cuda':
            flag = torch.empty((), dtype=torch.float32, pin_memory=True)
            flag.copy_(bad, non_blocking=True)
            ready = torch.cuda.Event()
            ready.record()
        else:
            flag = bad
        self._pending = self._verdict(flag, norm,
                                      MessageHub.get_current_instance(),
                                      ready)

    def settle(self) -> None:
        """Count (and warn about, or stop at) the last step that skipped on
        the device; a no-op when there is none. Called by the next step and
        when training ends."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.skipped():
            self._skip(pending)
        else:
            self.skipped_in_a_row = 0

    def _skip(self, verdict: _Verdict) -> None:
        iteration = verdict.iteration
        if self.skipped_in_a_row == 0:
            self._first_bad_iter = iteration
            self._ckpt_before_streak = verdict.ckpt
        self.skipped_in_a_row += 1
        self.skipped_total += 1
        norm = verdict.norm
        loss_text = (f'{verdict.loss.float().mean().item():.4g}'
                     if verdict.loss is not None else 'unchecked')
        norm_text = f'{norm.item():.4g}' if norm is not None else 'unchecked'
        where = f'iteration {iteration}' if iteration else 'a step'
        MMLogger.get_current_instance().warning(
            f'{where}: non-finite loss ({loss_text}) or gradient norm '
            f'({norm_text}) on some process: optimizer step skipped '
            f'({self.skipped_in_a_row} in a row, the run stops at '
            f'{self.max_consecutive}; {self.skipped_total} in total)')
        if self.skipped_in_a_row >= self.max_consecutive:
            span = (f'iterations {self._first_bad_iter}-{iteration}'
                    if iteration else f'{self.skipped_in_a_row} steps')
            ckpt = self._ckpt_before_streak
            advice = (f'the last checkpoint before them is {ckpt}: resume '
                      f'from it (--resume {ckpt}) with a lower learning rate'
                      if ckpt else 'no checkpoint was saved before them: '
                      'restart with a lower learning rate')
            raise NonFiniteTrainingError(
                f'training diverged: the loss or gradient norm was NaN/Inf '
                f'for {self.skipped_in_a_row} optimizer steps in a row '
                f'({span}); {advice}, gradient clipping '
                '(optim_wrapper.clip_grad) or after checking the data')


@functools.lru_cache(maxsize=None)
def _guarded_class(base: type) -> type:
    return type(f'NonFiniteGuarded{base.__name__}',
                (NonFiniteGuardMixin, base),
                dict(__module__=__name__, __doc__=base.__doc__))


def install_nonfinite_guard(optim_wrapper, max_consecutive: int = 5):
    """Give ``optim_wrapper`` (each wrapper of an ``OptimWrapperDict``) the
    guard, keeping its own class's behaviour; idempotent.

    Args:
        optim_wrapper (OptimWrapper | OptimWrapperDict): A built wrapper.
        max_consecutive (int): Skipped steps in a row that stop the run.
            Defaults to 5.

    Returns:
        The same object, guarded.
    """
    if isinstance(optim_wrapper, OptimWrapperDict):
        for wrapper in optim_wrapper.optim_wrappers.values():
            install_nonfinite_guard(wrapper, max_consecutive)
        return optim_wrapper
    if not isinstance(optim_wrapper, OptimWrapper):
        raise TypeError('the non-finite guard needs an OptimWrapper, got '
                        f'{type(optim_wrapper).__name__}')
    if not isinstance(optim_wrapper, NonFiniteGuardMixin):
        optim_wrapper.__class__ = _guarded_class(type(optim_wrapper))
        optim_wrapper.init_guard(max_consecutive)
    return optim_wrapper


def settle_nonfinite_guard(optim_wrapper) -> None:
    """Settle the last step's verdict of every guarded wrapper in
    ``optim_wrapper`` (a wrapper, an ``OptimWrapperDict`` or anything
    else, which is left alone)."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        for wrapper in optim_wrapper.optim_wrappers.values():
            settle_nonfinite_guard(wrapper)
    elif isinstance(optim_wrapper, NonFiniteGuardMixin):
        optim_wrapper.settle()
