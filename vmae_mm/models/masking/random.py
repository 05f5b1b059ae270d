"""Random masking over space-time (MAE-ST)."""
from typing import Sequence

import torch

from vmae_mm.registry import MASK_GENERATORS
from .base import BaseMaskGenerator, Device, Grid, random_subset_mask


@MASK_GENERATORS.register_module()
class RandomMasking(BaseMaskGenerator):
    """Each sample masks a uniformly random subset of all space-time tokens.

    Masked positions are drawn independently per sample and per temporal
    slot (MAE-ST, Feichtenhofer et al., 2022), so a position hidden in one
    slot may be visible in the next. ``int(mask_ratio * T' * H' * W')`` tokens
    are masked per sample, the count of VideoMAE v2's
    ``RandomMaskingGenerator`` (1411 of 1568 at ratio 0.9 on 8x14x14).

    Args:
        mask_ratio (float): Fraction of tokens masked, in ``[0, 1)``.
    """

    def num_masked(self, grid: Sequence[int]) -> int:
        T, H, W = grid
        return int(self.mask_ratio * T * H * W)

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        T, H, W = grid
        return random_subset_mask(batch_size, T * H * W,
                                  self.num_masked(grid), device)
