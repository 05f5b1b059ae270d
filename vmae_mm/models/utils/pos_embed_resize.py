"""Resizing a position table to another token grid, as the official
finetuning scripts do (bicubic in space, then linear in time)."""
import math
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F


def resize_pos_embed(pos_embed: torch.Tensor, src_grid: Sequence[int],
                     dst_grid: Sequence[int]) -> torch.Tensor:
    """Resize a ``(1, T'*H'*W', D)`` table from ``src_grid`` to ``dst_grid``.

    Follows VideoMAE v2's ``run_class_finetuning.py``: every frame's
    ``H' x W'`` map is resized bicubically (``align_corners=False``), then
    every spatial position is resized linearly along time. Used for 16x224
    weights run at 32x224 or 16x320.

    Args:
        pos_embed (Tensor): Table ``(1, T'*H'*W', D)``.
        src_grid (Sequence[int]): Its grid ``(T', H', W')``.
        dst_grid (Sequence[int]): The target grid.

    Returns:
        Tensor: ``(1, prod(dst_grid), D)`` in the input's dtype.

    Raises:
        ValueError: If the table's length does not match ``src_grid``.
    """
    (T, H, W), (T2, H2, W2) = tuple(src_grid), tuple(dst_grid)
    _, num_tokens, dims = pos_embed.shape
    if num_tokens != T * H * W:
        raise ValueError(f'position table has {num_tokens} tokens, which does '
                         f'not match the source grid {tuple(src_grid)}')
    if (T, H, W) == (T2, H2, W2):
        return pos_embed
    x = pos_embed.float().reshape(T, H, W, dims)
    if (H, W) != (H2, W2):
        x = x.permute(0, 3, 1, 2)  # (T', D, H', W')
        x = F.interpolate(x, size=(H2, W2), mode='bicubic',
                          align_corners=False)
        x = x.permute(0, 2, 3, 1)  # (T', H2, W2, D)
    if T != T2:
        x = x.permute(1, 2, 3, 0).reshape(H2 * W2, dims, T)  # (H2*W2, D, T')
        x = F.interpolate(x, size=T2, mode='linear', align_corners=False)
        x = x.reshape(H2, W2, dims, T2).permute(3, 0, 1, 2)  # (T2, H2, W2, D)
    return x.reshape(1, T2 * H2 * W2, dims).to(pos_embed.dtype)


def infer_grid(num_tokens: int, like: Sequence[int]) -> Tuple[int, int, int]:
    """Guess the grid of a table with ``num_tokens`` tokens, as the official
    loader does: the same number of time steps as ``like`` with a square
    space, else the same space as ``like`` with another number of steps.

    Args:
        num_tokens (int): Length of the table.
        like (Sequence[int]): The model's grid ``(T', H', W')``.

    Returns:
        tuple[int, int, int]: The source grid.

    Raises:
        ValueError: If neither guess fits.
    """
    T, H, W = like
    if num_tokens % T == 0:
        side = math.isqrt(num_tokens // T)
        if side * side * T == num_tokens:
            return T, side, side
    if num_tokens % (H * W) == 0:
        return num_tokens // (H * W), H, W
    raise ValueError(
        f'cannot tell the token grid of a position table with {num_tokens} '
        f'tokens for a model with grid {tuple(like)}: resize it with '
        f'resize_pos_embed(table, src_grid, dst_grid) before loading')
