"""Writes checkpoints that the safe ``torch.load`` accepts."""
from mmengine.hooks import Hook

from vmae_mm.registry import HOOKS
from ..checkpoint_types import from_portable, to_portable


@HOOKS.register_module()
class PortableCheckpointHook(Hook):
    """Converts the non-tensor state mmengine saves (message hub history,
    numpy values in ``meta``) to tensors and builtins before a checkpoint is
    written, and back after one is read; see
    :mod:`vmae_mm.engine.checkpoint_types`. ``VMAERunner`` always registers
    it; it runs last, after hooks such as EMA have added their state."""

    priority = 'LOWEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_portable(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_portable(
                checkpoint['message_hub'])
