"""The masking-strategy interface."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Sequence, Tuple, Union

import torch

Grid = Tuple[int, int, int]
Device = Union[str, torch.device, None]


def random_subset_mask(batch_size: int, num_items: int, num_selected: int,
                       device: Device = None) -> torch.Tensor:
    """``num_selected`` uniformly random positions out of ``num_items`` per
    row, drawn for the whole batch at once (argsort of uniform noise).

    Returns:
        Tensor: Bool ``(batch_size, num_items)`` with exactly
        ``num_selected`` ``True`` per row.
    """
    noise = torch.rand(batch_size, num_items, device=device)
    chosen = noise.argsort(dim=1)[:, :num_selected]
    mask = torch.zeros(batch_size, num_items, dtype=torch.bool, device=device)
    return mask.scatter_(1, chosen, True)


class BaseMaskGenerator(metaclass=ABCMeta):
    """A masking strategy over a ``(T', H', W')`` token grid.

    Calling it returns a bool mask ``(B, N)`` with ``N = T'*H'*W'`` in token
    order (``t*H'*W' + h*W' + w``), ``True`` = masked, made for the whole batch
    on ``device`` in one vectorized call, with exactly
    :meth:`num_masked` masked tokens in every row. Randomness comes from
    torch's global generator, so seeded runs repeat.

    Args:
        mask_ratio (float): Fraction of tokens to mask, in ``[0, 1)``.
    """

    def __init__(self, mask_ratio: float) -> None:
        if not 0.0 <= mask_ratio < 1.0:
            raise ValueError(
                f'mask_ratio must be in [0, 1), got {mask_ratio}')
        self.mask_ratio = mask_ratio

    @abstractmethod
    def num_masked(self, grid: Sequence[int]) -> int:
        """Masked tokens per sample on ``grid``."""

    @abstractmethod
    def generate(self, batch_size: int, grid: Grid,
                 device: Device) -> torch.Tensor:
        """Make the masks; :meth:`__call__` validates around it."""

    def __call__(self,
                 batch_size: int,
                 grid: Sequence[int],
                 device: Optional[Device] = None) -> torch.Tensor:
        """Masks for a batch.

        Args:
            batch_size (int): B.
            grid (Sequence[int]): ``(T', H', W')``.
            device (str | torch.device, optional): Where to make them.

        Returns:
            Tensor: Bool ``(B, T'*H'*W')``, ``True`` = masked.
        """
        grid = tuple(int(g) for g in grid)
        if len(grid) != 3 or min(grid) < 1:
            raise ValueError(f'grid must be (T, H, W) token counts, got {grid}')
        return self.generate(batch_size, grid, device)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(mask_ratio={self.mask_ratio})'
