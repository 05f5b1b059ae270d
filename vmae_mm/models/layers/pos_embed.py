"""Position tables: the fixed sin-cos table of VideoMAE and interpolation."""
from typing import Sequence

import torch
import torch.nn.functional as F


def sincos_table(num_positions: int, dims: int) -> torch.Tensor:
    """The fixed 1-D sin-cos table of the original VideoMAE.

    Position ``p`` and channel ``j`` get ``p / 10000 ** (2 * (j // 2) / dims)``,
    then sine on even channels and cosine on odd ones. Computed in float64
    and returned as float32, as the original does through numpy.

    Args:
        num_positions (int): Number of tokens N.
        dims (int): Channel count D.

    Returns:
        Tensor: The table, shape ``(1, N, D)``, float32.
    """
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    channel = torch.arange(dims, dtype=torch.float64)
    inv_freq = torch.pow(10000.0, 2 * torch.div(channel, 2, rounding_mode='floor') / dims)
    angles = position / inv_freq  # (N, D)
    table = torch.empty_like(angles)
    table[:, 0::2] = torch.sin(angles[:, 0::2])
    table[:, 1::2] = torch.cos(angles[:, 1::2])
    return table.float()[None]


def interpolate_pos_embed(pos_embed: torch.Tensor, src_grid: Sequence[int],
                          dst_grid: Sequence[int]) -> torch.Tensor:
    """Resize a position table laid out over a token grid.

    Used to run 16x224 weights at another frame count or resolution
    (e.g. 32x224 or 16x320): the table is viewed as a ``(T', H', W')`` volume
    and resized trilinearly (bicubic in space, linear in time would differ
    only slightly; trilinear keeps one call).

    Args:
        pos_embed (Tensor): Table of shape ``(1, T'*H'*W', D)``.
        src_grid (Sequence[int]): Its grid ``(T', H', W')``.
        dst_grid (Sequence[int]): The target grid.

    Returns:
        Tensor: Table of shape ``(1, prod(dst_grid), D)``.
    """
    src_grid, dst_grid = tuple(src_grid), tuple(dst_grid)
    num_tokens, dims = pos_embed.shape[1], pos_embed.shape[2]
    if num_tokens != src_grid[0] * src_grid[1] * src_grid[2]:
        raise ValueError(
            f'position table has {num_tokens} tokens, which does not match '
            f'the source grid {src_grid}')
    if src_grid == dst_grid:
        return pos_embed
    volume = pos_embed.reshape(1, *src_grid, dims).permute(0, 4, 1, 2, 3)
    volume = F.interpolate(volume.float(), size=dst_grid, mode='trilinear',
                           align_corners=False)  # (1, D, T', H', W')
    return volume.flatten(2).transpose(1, 2).to(pos_embed.dtype)
