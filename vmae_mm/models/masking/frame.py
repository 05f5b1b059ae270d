"""Frame masking: whole temporal slots hidden."""
import math
from typing import Sequence

import torch

from vmae_mm.registry import MASK_GENERATORS
from .base import BaseMaskGenerator, Device, Grid, random_subset_mask


@MASK_GENERATORS.register_module()
class FrameMasking(BaseMaskGenerator):
    """Each sample hides a random subset of whole temporal slots.

    ``round(mask_ratio * T')`` slots are masked per sample (halves round up:
    7 of 8 slots at ratio 0.875, 2 of 3 at 0.5); every token of a
    masked slot is masked and every token of the others is visible. The
    encoder must keep at least one slot: a ratio that would mask all of them
    raises ``ValueError``.

    Args:
        mask_ratio (float): Fraction of temporal slots masked, in ``[0, 1)``.
    """

    def num_masked_slots(self, num_slots: int) -> int:
        """Masked slots out of ``num_slots`` (``T'``).

        Raises:
            ValueError: If no slot would stay visible.
        """
        masked = math.floor(self.mask_ratio * num_slots + 0.5)
        if masked >= num_slots:
            raise ValueError(
                f'FrameMasking(mask_ratio={self.mask_ratio}) would mask all '
                f'{num_slots} temporal slots (round({self.mask_ratio} * '
                f'{num_slots}) = {masked}); use a ratio below '
                f'{(num_slots - 0.5) / num_slots:.4g} or a clip with more '
                f'temporal slots')
        return masked

    def num_masked(self, grid: Sequence[int]) -> int:
        T, H, W = grid
        return self.num_masked_slots(T) * H * W

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        T, H, W = grid
        slots = random_subset_mask(batch_size, T, self.num_masked_slots(T),
                                   device)  # (B, T')
        return slots[:, :, None].expand(batch_size, T, H * W).reshape(
            batch_size, T * H * W)
