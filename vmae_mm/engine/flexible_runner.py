"""Sharded training (FSDP) for the large models, through mmengine's
``FlexibleRunner``.

Select it with ``_base_ = [..., '_base_/strategies/fsdp.py']``: parameters,
gradients and optimizer state are split over the processes, and every
transformer block (encoder and decoder) is its own FSDP unit, gathered just
before it runs. ``tools/dist_train.sh`` launches it like any other config.
"""
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import FlexibleRunner

from vmae_mm.models.layers.block import Block
from vmae_mm.registry import FUNCTIONS, RUNNERS
from .hooks.portable_checkpoint_hook import PortableCheckpointHook
from .loader_workers import StopsLoaderWorkers
from .nonfinite_guard import install_nonfinite_guard, settle_nonfinite_guard
from .runner import DEFAULT_NONFINITE_GUARD


@FUNCTIONS.register_module()
def transformer_block_wrap_policy(module, recurse: bool,
                                  nonwrapped_numel: int) -> bool:
    """FSDP auto-wrap policy: each ``Block`` (encoder and decoder) becomes
    one FSDP unit; the rest (patch embedding, norms, decoder head) stays in
    the root unit.

    Args:
        module (nn.Module): A candidate module.
        recurse (bool): FSDP asks whether to descend into ``module``.
        nonwrapped_numel (int): Parameters not yet wrapped (unused).

    Returns:
        bool: Descend (``recurse``) or wrap ``module``.
    """
    return True if recurse else isinstance(module, Block)


@RUNNERS.register_module()
class VMAEFlexibleRunner(StopsLoaderWorkers, FlexibleRunner):
    """``FlexibleRunner`` with the parts of :class:`VMAERunner` that apply to
    strategies: :class:`PortableCheckpointHook` always registered, the
    non-finite step guard (``nonfinite_guard`` config key) and the data
    loaders' workers stopped when a run ends.

    Not (yet) here: atomic checkpoint writes, validated auto-resume and the
    exact mid-epoch resume of ``VMAERunner`` (the strategy writes the
    checkpoint itself); a resumed FSDP run restarts its epoch.
    """

    def register_hooks(self, default_hooks=None, custom_hooks=None) -> None:
        super().register_hooks(default_hooks, custom_hooks)
        if not any(isinstance(h, PortableCheckpointHook) for h in self.hooks):
            self.register_hook(PortableCheckpointHook())

    def train(self):
        model = super().train()
        settle_nonfinite_guard(self.optim_wrapper)
        return model

    def load_or_resume(self) -> None:
        # ``train()`` calls this right after the strategy has built the
        # optimizer wrapper, before the first step: install the guard here.
        guard = self.cfg.get('nonfinite_guard', DEFAULT_NONFINITE_GUARD)
        if guard is not None and isinstance(self.optim_wrapper,
                                            (OptimWrapper, OptimWrapperDict)):
            install_nonfinite_guard(self.optim_wrapper, **guard)
        super().load_or_resume()
