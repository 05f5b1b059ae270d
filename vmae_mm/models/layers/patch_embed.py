"""Tubelet embedding."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from ..utils.patchify import gather_tokens, patchify_channels_first


class TubeletEmbed(nn.Module):
    """Embeds ``t x p x p`` tubelets, optionally only the visible ones.

    The weights live in a Conv3d (``proj``, as in the original checkpoints);
    a convolution whose stride equals its kernel is one matrix product over
    the tubelets, and that is how it runs: as a linear layer over the
    patchified clip. cuDNN takes the Conv3d to a non-tensor-core kernel
    (1.7 ms forward and backward in a 30 ms ViT-B finetuning step on an
    H200), the product to the tensor cores. Embedding only the visible
    tokens gathers the tubelets first: with 90% masking it does a tenth of
    the work and never materializes the masked tokens' embeddings.

    Args:
        in_channels (int): Input channels C.
        embed_dims (int): Token width D.
        tubelet_size (int): Frames per tubelet t.
        patch_size (int): Pixels per side p.
    """

    def __init__(self, in_channels: int, embed_dims: int, tubelet_size: int,
                 patch_size: int) -> None:
        super().__init__()
        self.tubelet_size = tubelet_size
        self.patch_size = patch_size
        kernel = (tubelet_size, patch_size, patch_size)
        self.proj = nn.Conv3d(in_channels, embed_dims, kernel_size=kernel,
                              stride=kernel)

    def forward(self,
                video: torch.Tensor,
                keep: Optional[torch.Tensor] = None,
                count: Optional[int] = None) -> torch.Tensor:
        """Embed a clip.

        Args:
            video (Tensor): Shape ``(B, C, T, H, W)``.
            keep (Tensor, optional): Bool ``(B, N)``, the tokens to embed
                (the same count K per row). All when None.
            count (int, optional): K, if known (a sync-free gather).

        Returns:
            Tensor: ``(B, N, D)``, or ``(B, K, D)`` with ``keep``.
        """
        patches = patchify_channels_first(video, self.tubelet_size,
                                          self.patch_size)  # (B, N, C*t*p*p)
        if keep is not None:
            patches = gather_tokens(patches, keep, count)  # (B, K, C*t*p*p)
        return F.linear(patches, self.proj.weight.flatten(1), self.proj.bias)
