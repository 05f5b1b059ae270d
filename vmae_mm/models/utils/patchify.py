"""Pure tensor plumbing between videos and tubelet tokens.

Token ``n`` of a ``(T', H', W')`` grid is ``t * H' * W' + h * W' + w``, the
order of ``Conv3d(...).flatten(2)``. Patch values are laid out
``(t, p, p, c)`` (channels last), the layout of the original decoder head.
"""
from typing import Optional, Sequence, Tuple

import torch


def token_grid(video_shape: Sequence[int], tubelet_size: int,
               patch_size: int) -> Tuple[int, int, int]:
    """The token grid ``(T', H', W')`` of a ``(T, H, W)`` clip.

    Raises:
        ValueError: If a size is not divisible by its patch size.
    """
    T, H, W = video_shape
    if T % tubelet_size or H % patch_size or W % patch_size:
        raise ValueError(
            f'clip of {T}x{H}x{W} (frames x height x width) does not divide '
            f'into {tubelet_size}x{patch_size}x{patch_size} tubelets')
    return T // tubelet_size, H // patch_size, W // patch_size


def patchify(video: torch.Tensor, tubelet_size: int,
             patch_size: int) -> torch.Tensor:
    """Cut a video into flattened tubelets.

    Args:
        video (Tensor): Shape ``(B, C, T, H, W)``.
        tubelet_size (int): Frames per tubelet t.
        patch_size (int): Pixels per side p.

    Returns:
        Tensor: Shape ``(B, N, t*p*p*C)``, values in ``(t, p, p, c)`` order.
    """
    B, C, T, H, W = video.shape
    Tg, Hg, Wg = token_grid((T, H, W), tubelet_size, patch_size)
    x = video.reshape(B, C, Tg, tubelet_size, Hg, patch_size, Wg, patch_size)
    x = x.permute(0, 2, 4, 6, 3, 5, 7, 1)  # (B, T', H', W', t, p, p, C)
    return x.reshape(B, Tg * Hg * Wg, tubelet_size * patch_size**2 * C)


def unpatchify(patches: torch.Tensor, grid: Sequence[int], tubelet_size: int,
               patch_size: int) -> torch.Tensor:
    """Inverse of :func:`patchify`.

    Args:
        patches (Tensor): Shape ``(B, N, t*p*p*C)``.
        grid (Sequence[int]): Token grid ``(T', H', W')`` with N = T'*H'*W'.

    Returns:
        Tensor: Shape ``(B, C, T, H, W)``.
    """
    B, N, P = patches.shape
    Tg, Hg, Wg = grid
    C = P // (tubelet_size * patch_size**2)
    x = patches.reshape(B, Tg, Hg, Wg, tubelet_size, patch_size, patch_size, C)
    x = x.permute(0, 7, 1, 4, 2, 5, 3, 6)  # (B, C, T', t, H', p, W', p)
    return x.reshape(B, C, Tg * tubelet_size, Hg * patch_size, Wg * patch_size)


def patchify_channels_first(video: torch.Tensor, tubelet_size: int,
                            patch_size: int) -> torch.Tensor:
    """Tubelets flattened in ``(c, t, p, p)`` order, the layout of a Conv3d
    kernel, so ``F.linear(patches, conv.weight.flatten(1))`` equals the conv.

    Args:
        video (Tensor): Shape ``(B, C, T, H, W)``.

    Returns:
        Tensor: Shape ``(B, N, C*t*p*p)``.
    """
    B, C, T, H, W = video.shape
    Tg, Hg, Wg = token_grid((T, H, W), tubelet_size, patch_size)
    x = video.reshape(B, C, Tg, tubelet_size, Hg, patch_size, Wg, patch_size)
    x = x.permute(0, 2, 4, 6, 1, 3, 5, 7)  # (B, T', H', W', C, t, p, p)
    return x.reshape(B, Tg * Hg * Wg, C * tubelet_size * patch_size**2)


def gather_tokens(tokens: torch.Tensor,
                  select: torch.Tensor,
                  count: Optional[int] = None) -> torch.Tensor:
    """Keep the selected tokens of every sample, in token order.

    Args:
        tokens (Tensor): Shape ``(B, N, D)`` (or ``(1, N, D)``, broadcast).
        select (Tensor): Bool, shape ``(B, N)``, the same count K per row.
        count (int, optional): K, when the caller knows it. Then the gather
            runs without a host-device sync (a stable argsort instead of
            boolean indexing, whose output size the host must wait for), and
            its shape is static for ``torch.compile``.

    Returns:
        Tensor: Shape ``(B, K, D)``.
    """
    B = select.shape[0]
    tokens = tokens.expand(B, -1, -1)
    if count is None:
        return tokens[select].reshape(B, -1, tokens.shape[-1])
    order = torch.argsort(select.to(torch.uint8), dim=1, descending=True,
                          stable=True)[:, :count]  # (B, K), ascending ids
    index = order[..., None].expand(-1, -1, tokens.shape[-1])
    return torch.gather(tokens, 1, index)
