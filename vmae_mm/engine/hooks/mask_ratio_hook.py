"""A linear mask-ratio schedule."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vmae_mm.registry import HOOKS


@HOOKS.register_module()
class MaskRatioSchedulerHook(Hook):
    """Moves a mask generator's ratio linearly from ``start`` to ``end``.

    Before training iteration ``i`` (counted from 0, so a resumed run picks
    up where it stopped) it sets ``model.<generator>.mask_ratio`` to
    ``start + (end - start) * min(i / ramp_iters, 1)`` and logs it as
    ``mask_ratio``. Any registered generator works: they read
    ``mask_ratio`` on every call, and refuse a ratio they cannot honour
    (e.g. ``FrameMasking`` masking every slot) with a ``ValueError``.

    Args:
        start (float): Ratio at iteration 0, in ``[0, 1)``.
        end (float): Ratio from iteration ``ramp_iters`` on, in ``[0, 1)``.
        ramp_iters (int, optional): Iterations of the ramp. Defaults to None:
            ``max_iters - 1``, so the last iteration uses ``end``.
        generator (str): The model attribute holding the generator.
            Defaults to ``'mask_generator'`` (the encoder's);
            ``'decoder_mask_generator'`` schedules decoder masking.
    """

    priority = 'NORMAL'

    def __init__(self,
                 start: float,
                 end: float,
                 ramp_iters: Optional[int] = None,
                 generator: str = 'mask_generator') -> None:
        for name, ratio in (('start', start), ('end', end)):
            if not 0.0 <= ratio < 1.0:
                raise ValueError(
                    f'MaskRatioSchedulerHook: {name} must be a mask ratio in '
                    f'[0, 1), got {ratio}')
        if ramp_iters is not None and ramp_iters < 1:
            raise ValueError(f'MaskRatioSchedulerHook: ramp_iters must be '
                             f'positive, got {ramp_iters}')
        self.start = start
        self.end = end
        self.ramp_iters = ramp_iters
        self.generator = generator

    def _generator(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        generator = getattr(model, self.generator, None)
        if generator is None or not hasattr(generator, 'mask_ratio'):
            raise ValueError(
                f'MaskRatioSchedulerHook schedules model.{self.generator}, '
                f'but {type(model).__name__} has no mask generator there; '
                f"set generator='mask_generator' or "
                f"'decoder_mask_generator' (configured in the model)")
        return generator

    def ratio_at(self, iteration: int, max_iters: int) -> float:
        """The scheduled ratio at ``iteration`` of ``max_iters``."""
        ramp = self.ramp_iters or max(max_iters - 1, 1)
        return self.start + (self.end - self.start) * min(
            iteration / ramp, 1.0)

    def before_train(self, runner) -> None:
        self._generator(runner)  # fail before the first step, not inside it

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        ratio = self.ratio_at(runner.iter, runner.max_iters)
        self._generator(runner).mask_ratio = ratio
        runner.message_hub.update_scalar('train/mask_ratio', ratio)
