"""Tube masking (VideoMAE)."""
from typing import Sequence

import torch

from vmae_mm.registry import MASK_GENERATORS
from .base import BaseMaskGenerator, Device, Grid, random_subset_mask


@MASK_GENERATORS.register_module()
class TubeMasking(BaseMaskGenerator):
    """One random spatial mask per sample, repeated in every temporal slot.

    ``int(mask_ratio * H' * W')`` positions are masked per slot, as in the
    original VideoMAE (e.g. 176 of 196 at ratio 0.9, so 160 of 1568 tokens
    stay visible on an 8x14x14 grid).

    Args:
        mask_ratio (float): Fraction of spatial positions masked.
    """

    def num_masked(self, grid: Sequence[int]) -> int:
        T, H, W = grid
        return T * int(self.mask_ratio * H * W)

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        T, H, W = grid
        spatial = random_subset_mask(batch_size, H * W,
                                     int(self.mask_ratio * H * W), device)
        return spatial[:, None, :].expand(batch_size, T, H * W).reshape(
            batch_size, T * H * W)
