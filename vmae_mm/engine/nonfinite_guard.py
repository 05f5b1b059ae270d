"""Skip optimizer steps whose loss or gradients are not finite; stop a run
that keeps producing them.

``VMAERunner`` mixes :class:`NonFiniteGuardMixin` into whichever optimizer
wrapper the config builds (``OptimWrapper``, ``BF16OptimWrapper``,
``AmpOptimWrapper`` or another subclass), so the guard needs no wrapper type
of its own and is on by default. Configure it with a top-level key::

    nonfinite_guard = dict(max_consecutive=5)   # None turns it off

Cost: one gradient-norm reduction and one host synchronization per
optimizer step (the skip decision is a Python branch), plus, in
distributed runs, an all-reduce of one flag so every process skips the same
steps (under FSDP each process only sees its gradient shard). mmengine's
logging already synchronizes every iteration, so the step time barely moves.
"""
import functools
from typing import Dict, Optional

import torch
import torch.distributed as dist
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper, OptimWrapperDict


class NonFiniteTrainingError(ValueError):
    """Training produced non-finite losses or gradients for too many steps
    in a row."""


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

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        finite = torch.isfinite(loss.detach()).all()
        self._loss_finite = (finite if self._loss_finite is None else
                             self._loss_finite & finite)
        self._last_loss = loss.detach()
        super().update_params(loss, step_kwargs, zero_kwargs)

    def _grad_norm(self) -> Optional[torch.Tensor]:
        grads = [p.grad for group in self.optimizer.param_groups
                 for p in group['params'] if p.grad is not None]
        if not grads:
            return None
        return torch.nn.utils.get_total_norm(grads, error_if_nonfinite=False)

    def step(self, **kwargs) -> None:
        loss_finite, self._loss_finite = self._loss_finite, None
        scaled = hasattr(self, 'loss_scaler')
        norm = None if scaled else self._grad_norm()
        device = self.optimizer.param_groups[0]['params'][0].device
        bad = torch.zeros((), dtype=torch.float32, device=device)
        if loss_finite is not None:
            bad += (~loss_finite).float().to(device)
        if norm is not None:
            bad += (~torch.isfinite(norm)).float().to(device)
        if dist.is_available() and dist.is_initialized() and \
                dist.get_world_size() > 1:
            dist.all_reduce(bad, op=dist.ReduceOp.MAX)
        if bad.item() == 0:  # the one host synchronization
            self.skipped_in_a_row = 0
            super().step(**kwargs)
            return
        self._skip(norm)

    def _skip(self, norm: Optional[torch.Tensor]) -> None:
        hub = MessageHub.get_current_instance()
        iteration = hub.get_info('iter', None)
        iteration = iteration + 1 if iteration is not None else None
        if self.skipped_in_a_row == 0:
            self._first_bad_iter = iteration
            self._ckpt_before_streak = hub.get_info('last_ckpt', None)
        self.skipped_in_a_row += 1
        self.skipped_total += 1
        loss = self._last_loss.float().mean().item()
        norm_text = f'{norm.item():.4g}' if norm is not None else 'unchecked'
        where = f'iteration {iteration}' if iteration else 'a step'
        MMLogger.get_current_instance().warning(
            f'{where}: non-finite loss ({loss:.4g}) or gradient norm '
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
