"""Cross entropy over hard labels or soft targets."""
import torch
import torch.nn.functional as F
from torch import nn

from vmae_mm.registry import MODELS


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Cross entropy that takes class indices or class distributions.

    Hard labels ``(B,)`` use label smoothing: the target puts
    ``1 - label_smoothing`` on the class and spreads ``label_smoothing``
    uniformly over all classes (timm's ``LabelSmoothingCrossEntropy``, used by
    the official finetuning without mixup). Soft targets ``(B, K)`` (mixup /
    cutmix) are used as given, ``mean(sum(-target * log_softmax(logits)))``
    (timm's ``SoftTargetCrossEntropy``): the blending that makes them applies
    its own smoothing, as timm's ``Mixup`` does, so it is not applied twice.

    Args:
        label_smoothing (float): Smoothing of hard labels. Defaults to 0.
        loss_weight (float): Multiplier of the loss. Defaults to 1.
    """

    def __init__(self, label_smoothing: float = 0.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f'label_smoothing must be in [0, 1), got '
                             f'{label_smoothing}')
        self.label_smoothing = label_smoothing
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """Mean loss over the batch.

        Args:
            logits (Tensor): ``(B, K)``.
            target (Tensor): Class indices ``(B,)`` (integer) or class
                distributions ``(B, K)`` (floating point).

        Returns:
            Tensor: Scalar loss, computed in float32.
        """
        logits = logits.float()
        if target.ndim == 1:
            if target.is_floating_point():
                raise TypeError('hard labels must be integer class indices; '
                                'soft targets must be (B, num_classes)')
            loss = F.cross_entropy(logits, target,
                                   label_smoothing=self.label_smoothing)
        elif target.shape == logits.shape:
            log_prob = F.log_softmax(logits, dim=-1)  # (B, K)
            loss = (-target.float() * log_prob).sum(dim=-1).mean()
        else:
            raise ValueError(f'target of shape {tuple(target.shape)} fits '
                             f'neither labels (B,) nor soft targets '
                             f'{tuple(logits.shape)}')
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'label_smoothing={self.label_smoothing}, '
                f'loss_weight={self.loss_weight}')
