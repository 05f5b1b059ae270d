"""Batching, device transfer and normalization of uint8 clips."""
from typing import List, Optional, Sequence, Union

import torch
from torch import nn
from mmengine.model import BaseDataPreprocessor

from vmae_mm.registry import MODELS

IMAGENET_MEAN_255 = (123.675, 116.28, 103.53)
IMAGENET_STD_255 = (58.395, 57.12, 57.375)


@MODELS.register_module()
class VideoDataPreprocessor(BaseDataPreprocessor):
    """Moves uint8 clips to the model's device (a quarter of the bytes of
    float32), stacks and normalizes them there.

    Clips come as ``(V, C, T, H, W)`` per video (V views). A batch where every
    video has one view becomes ``(B, C, T, H, W)``; several views stay
    ``(B, V, C, T, H, W)`` for multi-view testing.

    Args:
        mean (Sequence[float]): Per-channel mean in 0-255 units.
            Defaults to ImageNet's.
        std (Sequence[float]): Per-channel std in 0-255 units.
            Defaults to ImageNet's.
        blending (dict, optional): A batch augment (e.g. mixup/cutmix) built
            from ``MODELS`` and applied in training. Defaults to None.
    """

    def __init__(self,
                 mean: Sequence[float] = IMAGENET_MEAN_255,
                 std: Sequence[float] = IMAGENET_STD_255,
                 blending: Optional[dict] = None) -> None:
        super().__init__(non_blocking=True)
        self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(-1, 1, 1, 1),
                             persistent=False)
        self.blending = MODELS.build(blending) if blending else None

    @staticmethod
    def _stack(inputs: Union[torch.Tensor, List[torch.Tensor]]) -> torch.Tensor:
        if isinstance(inputs, torch.Tensor):
            return inputs
        shapes = {tuple(clip.shape) for clip in inputs}
        if len(shapes) != 1:
            raise ValueError(
                f'clips in one batch must share a shape, got {sorted(shapes)};'
                ' check the crop/resize transforms of the pipeline')
        return torch.stack(inputs)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Args:
            data (dict): ``inputs`` (list of uint8 ``(V, C, T, H, W)`` or a
                stacked tensor) and optional ``data_samples``.
            training (bool): Apply ``blending``. Defaults to False.

        Returns:
            dict: ``inputs`` float ``(B, C, T, H, W)`` or ``(B, V, C, T, H, W)``
            on the model's device, and ``data_samples``.
        """
        # Copy each uint8 clip to the device first (asynchronously, from the
        # loader's pinned memory), then stack there: stacking on the host
        # would be one more full copy of the batch in the main process.
        data = self.cast_data(data)
        inputs = self._stack(data['inputs'])  # (B, V, C, T, H, W) uint8
        data_samples = data.get('data_samples')
        if inputs.ndim == 6 and inputs.shape[1] == 1:
            inputs = inputs[:, 0]  # (B, C, T, H, W)
        inputs = (inputs.float() - self.mean) / self.std
        if training and self.blending is not None:
            inputs, data_samples = self.blending(inputs, data_samples)
        return dict(inputs=inputs, data_samples=data_samples)


def build_data_preprocessor(
        cfg: Optional[Union[dict, nn.Module]]) -> nn.Module:
    """The model's data preprocessor, built from vmae_mm's registry.

    mmengine's ``BaseModel`` builds a dict from its root registry, which
    finds vmae_mm's classes only under a default scope; models call this
    instead. None gives the default :class:`VideoDataPreprocessor`.
    """
    if cfg is None:
        cfg = dict(type='VideoDataPreprocessor')
    return MODELS.build(cfg) if isinstance(cfg, dict) else cfg
