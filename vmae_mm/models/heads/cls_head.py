"""The finetuning classification head of VideoMAE."""
from typing import Optional, Set

import torch
from mmengine.model import BaseModule
from torch import nn

from vmae_mm.registry import MODELS


@MODELS.register_module()
class VideoMAEClsHead(BaseModule):
    """Dropout and a linear classifier over pooled features.

    Initialized as the original finetuning model: ``fc_cls`` weight from a
    truncated normal (std 0.02), zero bias, then both multiplied by
    ``init_scale`` (0.001), so training starts from near-uniform scores.

    Args:
        num_classes (int): Number of classes K.
        in_channels (int): Feature width D.
        dropout_ratio (float): Dropout before the classifier (the original's
            ``fc_drop_rate``/``head_drop_rate``; 0.5 in its UCF101/HMDB51
            recipes). Defaults to 0.
        init_scale (float): Scale of the initial weights. Defaults to 0.001.
        loss_cls (dict): Loss config, from ``MODELS``. Defaults to
            ``dict(type='CrossEntropyLoss')``.
        init_cfg (dict, optional): mmengine init config; replaces the
            original's init when set. Defaults to None.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 dropout_ratio: float = 0.0,
                 init_scale: float = 0.001,
                 loss_cls: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes <= 0:
            raise ValueError(f'num_classes must be positive, got '
                             f'{num_classes}')
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.init_scale = init_scale
        self.dropout = nn.Dropout(dropout_ratio)
        self.fc_cls = nn.Linear(in_channels, num_classes)
        self.loss_cls = MODELS.build(loss_cls or dict(type='CrossEntropyLoss'))

    def init_weights(self) -> None:
        """Truncated-normal (std 0.02) weight, zero bias, both times
        ``init_scale``; an ``init_cfg`` replaces this."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        nn.init.trunc_normal_(self.fc_cls.weight, std=0.02)
        nn.init.zeros_(self.fc_cls.bias)
        with torch.no_grad():
            self.fc_cls.weight.mul_(self.init_scale)
            self.fc_cls.bias.mul_(self.init_scale)
        self._is_init = True

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Class logits.

        Args:
            feats (Tensor): Pooled features ``(N, D)``.

        Returns:
            Tensor: Logits ``(N, K)``.
        """
        return self.fc_cls(self.dropout(feats))

    def loss(self, feats: torch.Tensor, targets: torch.Tensor) -> dict:
        """Classification loss.

        Args:
            feats (Tensor): Pooled features ``(N, D)``.
            targets (Tensor): Labels ``(N,)`` or soft targets ``(N, K)``.

        Returns:
            dict: ``loss_cls``, a scalar.
        """
        return dict(loss_cls=self.loss_cls(self(feats), targets))

    def no_weight_decay(self) -> Set[str]:
        """The bias, as the original exempts every 1-D parameter."""
        return {'fc_cls.bias'}
