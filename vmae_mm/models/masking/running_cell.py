"""Running-cell masking (VideoMAE v2's decoder masking)."""
from typing import Sequence

import torch

from vmae_mm.registry import MASK_GENERATORS
from .base import BaseMaskGenerator, Device, Grid


@MASK_GENERATORS.register_module()
class RunningCellMasking(BaseMaskGenerator):
    """VideoMAE v2's running-cell pattern over 2x2 spatial cells.

    The ``H' x W'`` plane is tiled with 2x2 cells whose four positions, in
    the order ``(0,0), (0,1), (1,0), (1,1)``, form a ring; ``m =
    int(4 * mask_ratio)`` consecutive ring positions are masked and the
    window moves one position per temporal slot, so every position is
    visible in some slot. Every cell of a sample shows the same pattern.
    With the sample's phase ``p`` drawn uniformly from ``{0, 1, 2, 3}``, the
    token at ``(t, h, w)`` is masked iff
    ``(2 * (h % 2) + w % 2 + p + t + 1) % 4 < m``, exactly the four patterns
    of VideoMAE v2's ``RunningCellMaskingGenerator``.

    ``m`` must be 1, 2 or 3, i.e. ``mask_ratio`` in ``[0.25, 1)``; the
    effective ratio is ``m / 4`` (0.6 masks half of the tokens). ``H'`` and
    ``W'`` must be even.

    Args:
        mask_ratio (float): Fraction of each 2x2 cell masked, in
            ``[0.25, 1)``. Defaults to 0.5 (VideoMAE v2's decoder masking).
    """

    def __init__(self, mask_ratio: float = 0.5) -> None:
        super().__init__(mask_ratio)
        self.masked_per_cell()

    def masked_per_cell(self) -> int:
        """Masked positions ``m`` of every 2x2 cell.

        Raises:
            ValueError: If ``m`` is not 1, 2 or 3.
        """
        masked = int(4 * self.mask_ratio)
        if not 0 < masked < 4:
            raise ValueError(
                f'RunningCellMasking masks int(4 * mask_ratio) of every 2x2 '
                f'cell, which must be 1, 2 or 3: mask_ratio must be in '
                f'[0.25, 1), got {self.mask_ratio}')
        return masked

    @staticmethod
    def _check_grid(grid: Sequence[int]) -> None:
        T, H, W = grid
        if H % 2 or W % 2:
            raise ValueError(
                f'RunningCellMasking tiles the token plane with 2x2 cells, so '
                f'its height and width must be even; got a {T}x{H}x{W} grid '
                f'(T\' x H\' x W\'). Choose an input size that is an even '
                f'multiple of the patch size')

    def num_masked(self, grid: Sequence[int]) -> int:
        self._check_grid(grid)
        T, H, W = grid
        return T * (H // 2) * (W // 2) * self.masked_per_cell()

    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        self._check_grid(grid)
        T, H, W = grid
        masked = self.masked_per_cell()
        phase = torch.randint(0, 4, (batch_size, 1, 1, 1), device=device)
        t = torch.arange(T, device=device).view(1, T, 1, 1)
        h = torch.arange(H, device=device).view(1, 1, H, 1)
        w = torch.arange(W, device=device).view(1, 1, 1, W)
        ring = 2 * (h % 2) + w % 2  # (1, 1, H', W') position in the cell
        mask = (ring + phase + t + 1) % 4 < masked  # (B, T', H', W')
        return mask.reshape(batch_size, T * H * W)
