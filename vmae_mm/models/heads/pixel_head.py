"""Pixel reconstruction target and loss."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from vmae_mm.registry import MODELS
from ..utils.patchify import gather_tokens, patchify

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@MODELS.register_module()
class VideoMAEPretrainHead(BaseModule):
    """Builds VideoMAE's pixel target and the MSE loss on masked tokens.

    The input is un-normalized back to pixels in ``[0, 1]`` with ``mean`` and
    ``std``; with ``norm_pix=True`` every tubelet is normalized per channel by
    its own mean and unbiased std (``+ 1e-6`` on the std), exactly as the
    original; the target is laid out ``(t, p, p, c)``.

    Args:
        tubelet_size (int): Frames per tubelet. Defaults to 2.
        patch_size (int): Pixels per side. Defaults to 16.
        norm_pix (bool): Per-patch normalized target. Defaults to True.
        mean (Sequence[float]): Per-channel mean of the input normalization,
            in ``[0, 1]`` units. Defaults to ImageNet's.
        std (Sequence[float]): Per-channel std, in ``[0, 1]`` units.
            Defaults to ImageNet's.
    """

    def __init__(self,
                 tubelet_size: int = 2,
                 patch_size: int = 16,
                 norm_pix: bool = True,
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD) -> None:
        super().__init__()
        self.tubelet_size = tubelet_size
        self.patch_size = patch_size
        self.norm_pix = norm_pix
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1, 1),
                             persistent=False)

    def _pixel_patches(self, inputs: torch.Tensor) -> torch.Tensor:
        """Un-normalized pixels in ``[0, 1]`` as patches ``(B, N, t*p*p*C)``."""
        pixels = inputs.float() * self.std + self.mean  # (B, C, T, H, W)
        return patchify(pixels, self.tubelet_size, self.patch_size)

    def _normalize(self, patches: torch.Tensor,
                   channels: int) -> torch.Tensor:
        """Per-patch, per-channel normalization (unbiased std, ``+ 1e-6``)."""
        if not self.norm_pix:
            return patches
        B, N, _ = patches.shape
        patches = patches.reshape(B, N, -1, channels)  # (B, N, t*p*p, C)
        mean = patches.mean(dim=-2, keepdim=True)
        std = patches.var(dim=-2, unbiased=True, keepdim=True).sqrt()
        return ((patches - mean) / (std + 1e-6)).reshape(B, N, -1)

    @torch.no_grad()
    def target(self, inputs: torch.Tensor) -> torch.Tensor:
        """Per-token pixel target for every token.

        Args:
            inputs (Tensor): Normalized clip ``(B, C, T, H, W)``.

        Returns:
            Tensor: float32 ``(B, N, t*p*p*C)``.
        """
        return self._normalize(self._pixel_patches(inputs), inputs.shape[1])

    def loss(self,
             pred: torch.Tensor,
             inputs: torch.Tensor,
             target_mask: torch.Tensor,
             mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Mean squared error over the predicted tokens that were masked.

        Args:
            pred (Tensor): ``(B, N_tgt, t*p*p*C)``, in token order.
            inputs (Tensor): Normalized clip ``(B, C, T, H, W)``.
            target_mask (Tensor): Bool ``(B, N)``, the predicted tokens.
            mask (Tensor, optional): Bool ``(B, N)``, the encoder's mask; only
                predicted tokens that it hides count (decoder masking may
                predict visible ones too). Defaults to ``target_mask``.

        Returns:
            Tensor: Scalar loss.
        """
        num_targets = pred.shape[1]
        with torch.no_grad():  # only the predicted tokens are normalized
            patches = gather_tokens(self._pixel_patches(inputs), target_mask,
                                    num_targets)  # (B, N_tgt, t*p*p*C)
            target = self._normalize(patches, inputs.shape[1])
        if mask is None or mask is target_mask:
            return F.mse_loss(pred.float(), target)
        per_token = (pred.float() - target).pow(2).mean(dim=-1)  # (B, N_tgt)
        counted = gather_tokens(mask[..., None], target_mask,
                                num_targets)[..., 0].float()
        return (per_token * counted).sum() / counted.sum().clamp(min=1.0)
