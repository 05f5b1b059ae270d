"""Mixup / CutMix of a normalized batch of clips, with soft targets."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from vmae_mm.registry import MODELS
from vmae_mm.structures import ActionDataSample


def smoothed_one_hot(labels: torch.Tensor, num_classes: int,
                     smoothing: float) -> torch.Tensor:
    """Targets ``(B, K)``: ``1 - smoothing + smoothing / K`` on the class,
    ``smoothing / K`` elsewhere (timm's ``mixup_target`` convention).

    Args:
        labels (Tensor): ``(B,)`` class indices.
        num_classes (int): K.
        smoothing (float): Label smoothing.
    """
    off = smoothing / num_classes
    target = torch.full((labels.numel(), num_classes), off,
                        device=labels.device)
    return target.scatter_(1, labels.view(-1, 1), 1.0 - smoothing + off)


@MODELS.register_module()
class MixupCutmix:
    """Mix every clip of a batch with the batch reversed, as timm's
    ``Mixup`` in ``'batch'`` mode (VideoMAE finetuning).

    Per batch: with probability ``prob`` the batch is mixed; then CutMix
    with probability ``switch_prob`` (when both are enabled), else Mixup.
    Mixup blends clip ``i`` with clip ``B-1-i`` at ``lam ~ Beta(mixup_alpha,
    mixup_alpha)``; CutMix pastes a box of clip ``B-1-i`` into clip ``i``,
    the same box on every frame, at ``lam ~ Beta(cutmix_alpha,
    cutmix_alpha)`` corrected to the pasted area. Targets become
    ``lam * y_i + (1 - lam) * y_{B-1-i}`` of label-smoothed one-hots and are
    written into each data sample's ``gt_label`` as a float ``(K,)``; the
    loss then takes them as soft targets (``CrossEntropyLoss``), and the
    smoothing is not applied a second time.

    Random draws use numpy's global generator, as the original does.

    Args:
        num_classes (int): K.
        mixup_alpha (float): Beta parameter of Mixup; 0 disables it.
            Defaults to 0.8.
        cutmix_alpha (float): Beta parameter of CutMix; 0 disables it.
            Defaults to 1.0.
        prob (float): Probability of mixing a batch. Defaults to 1.0.
        switch_prob (float): Probability of CutMix over Mixup when both are
            enabled. Defaults to 0.5.
        label_smoothing (float): Smoothing of the one-hot targets. Defaults
            to 0.1.
    """

    def __init__(self,
                 num_classes: int,
                 mixup_alpha: float = 0.8,
                 cutmix_alpha: float = 1.0,
                 prob: float = 1.0,
                 switch_prob: float = 0.5,
                 label_smoothing: float = 0.1) -> None:
        if num_classes < 1:
            raise ValueError(f'num_classes must be positive, got '
                             f'{num_classes}')
        if mixup_alpha < 0 or cutmix_alpha < 0:
            raise ValueError('mixup_alpha and cutmix_alpha must be >= 0')
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f'label_smoothing must be in [0, 1), got '
                             f'{label_smoothing}')
        self.num_classes = num_classes
        self.mixup_alpha = mixup_alpha
        self.cutmix_alpha = cutmix_alpha
        self.prob = prob
        self.switch_prob = switch_prob
        self.label_smoothing = label_smoothing

    def draw(self) -> Tuple[float, bool]:
        """The batch's ``lam`` (1 = no mixing) and whether to CutMix."""
        if np.random.rand() >= self.prob or (self.mixup_alpha <= 0
                                              and self.cutmix_alpha <= 0):
            return 1.0, False
        if self.mixup_alpha > 0 and self.cutmix_alpha > 0:
            use_cutmix = bool(np.random.rand() < self.switch_prob)
        else:
            use_cutmix = self.cutmix_alpha > 0
        alpha = self.cutmix_alpha if use_cutmix else self.mixup_alpha
        return float(np.random.beta(alpha, alpha)), use_cutmix

    @staticmethod
    def cutmix_box(height: int, width: int,
                   lam: float) -> Tuple[Tuple[int, int, int, int], float]:
        """A box of about ``(1 - lam)`` of the frame around a uniform random
        centre, clipped to the frame (timm's ``rand_bbox``), and ``lam``
        corrected to the area actually kept.

        Returns:
            tuple: ``((y1, y2, x1, x2), lam)``.
        """
        ratio = np.sqrt(1 - lam)
        cut_h, cut_w = int(height * ratio), int(width * ratio)
        cy, cx = np.random.randint(0, height), np.random.randint(0, width)
        y1, y2 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, height)
        x1, x2 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, width)
        lam = 1.0 - float((y2 - y1) * (x2 - x1)) / (height * width)
        return (int(y1), int(y2), int(x1), int(x2)), lam

    def mix(self, inputs: torch.Tensor, labels: torch.Tensor
            ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Mix a batch.

        Args:
            inputs (Tensor): Normalized clips ``(B, C, T, H, W)`` (any
                layout ending in ``H, W``).
            labels (Tensor): ``(B,)`` class indices.

        Returns:
            tuple[Tensor, Tensor]: Mixed clips (same shape) and soft targets
            ``(B, K)`` (float32, rows summing to 1).
        """
        lam, use_cutmix = self.draw()
        if lam < 1.0:
            if use_cutmix:
                (y1, y2, x1, x2), lam = self.cutmix_box(
                    inputs.shape[-2], inputs.shape[-1], lam)
                inputs = inputs.clone()
                inputs[..., y1:y2, x1:x2] = inputs.flip(0)[..., y1:y2, x1:x2]
            else:
                inputs = inputs * lam + inputs.flip(0) * (1.0 - lam)
        target = smoothed_one_hot(labels, self.num_classes,
                                  self.label_smoothing)
        return inputs, target * lam + target.flip(0) * (1.0 - lam)

    def __call__(self, inputs: torch.Tensor,
                 data_samples: Optional[Sequence[ActionDataSample]]
                 ) -> Tuple[torch.Tensor, List[ActionDataSample]]:
        """Mix ``inputs`` and replace each sample's ``gt_label`` by its soft
        target ``(K,)``.

        Args:
            inputs (Tensor): ``(B, C, T, H, W)`` normalized clips.
            data_samples (Sequence[ActionDataSample]): With hard
                ``gt_label``.

        Returns:
            tuple: Mixed inputs and the data samples.
        """
        if not data_samples or len(data_samples) != inputs.shape[0]:
            raise ValueError('MixupCutmix needs one data sample with a '
                             'gt_label per clip')
        labels = torch.cat([s.gt_label.reshape(-1) for s in data_samples])
        if labels.is_floating_point() or labels.numel() != len(data_samples):
            raise ValueError('MixupCutmix needs hard gt_labels (one class '
                             'index per clip); these are already soft')
        labels = labels.to(inputs.device)
        inputs, targets = self.mix(inputs, labels)
        for sample, target in zip(data_samples, targets):
            sample.set_gt_label(target)
        return inputs, list(data_samples)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_classes={self.num_classes}, '
                f'mixup_alpha={self.mixup_alpha}, '
                f'cutmix_alpha={self.cutmix_alpha}, prob={self.prob}, '
                f'switch_prob={self.switch_prob}, '
                f'label_smoothing={self.label_smoothing})')
