"""Drawing token masks over video frames (pure numpy, uint8 RGB).

Frames are scaled up with nearest-neighbour so every patch stays a sharp
square; a masked patch is tinted (or filled) and outlined, a visible patch
keeps its pixels exactly, so a picture can be checked pixel by pixel.
"""
import math
from typing import Sequence, Tuple

import numpy as np
import torch

from vmae_mm.models.utils.patchify import unpatchify

RGB = Tuple[int, int, int]

#: Tint blended over masked patches in mask pictures.
MASK_TINT: RGB = (255, 40, 40)
#: Blend weight of the tint.
MASK_ALPHA = 0.55
#: Flat colour of masked patches in the "masked input" row.
MASKED_FILL: RGB = (110, 110, 110)
#: Outline drawn on the border pixels of every masked patch.
GRID_COLOR: RGB = (250, 250, 250)


def mask_to_pixels(mask: torch.Tensor, grid: Sequence[int],
                   tubelet_size: int, patch_size: int) -> np.ndarray:
    """Spread a token mask over the pixels it covers.

    Args:
        mask (Tensor): Bool ``(N,)`` over the token grid, ``True`` = masked.
        grid (Sequence[int]): Token grid ``(T', H', W')``, ``N = T'*H'*W'``.
        tubelet_size (int): Frames per tubelet t.
        patch_size (int): Pixels per patch side p.

    Returns:
        ndarray: Bool ``(T'*t, H'*p, W'*p)``.
    """
    per_token = mask.detach().reshape(1, -1, 1).to('cpu', torch.uint8)
    patches = per_token.expand(-1, -1, tubelet_size * patch_size**2)
    pixels = unpatchify(patches, grid, tubelet_size, patch_size)  # (1,1,T,H,W)
    return pixels[0, 0].numpy().astype(bool)


def scale_for(size: int, min_side: int = 160) -> int:
    """Integer nearest-neighbour factor that brings ``size`` pixels to at
    least ``min_side`` (1 for frames already that large)."""
    return max(1, math.ceil(min_side / size))


def upscale(array: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling of ``(T, H, W, ...)`` by ``factor``.

    Returns:
        ndarray: ``(T, H*factor, W*factor, ...)``.
    """
    return array.repeat(factor, axis=1).repeat(factor, axis=2)


def patch_outline(pixel_mask: np.ndarray, patch_pixels: int) -> np.ndarray:
    """The border pixels of every masked patch.

    Args:
        pixel_mask (ndarray): Bool ``(T, H, W)``, patches of
            ``patch_pixels`` aligned to the origin.
        patch_pixels (int): Patch side in (scaled) pixels.

    Returns:
        ndarray: Bool ``(T, H, W)``, inside ``pixel_mask``.
    """
    _, H, W = pixel_mask.shape
    rows = np.arange(H) % patch_pixels
    cols = np.arange(W) % patch_pixels
    edge_rows = (rows == 0) | (rows == patch_pixels - 1)
    edge_cols = (cols == 0) | (cols == patch_pixels - 1)
    edges = edge_rows[:, None] | edge_cols[None, :]  # (H, W)
    return pixel_mask & edges[None]


def draw_mask(frames: np.ndarray,
              pixel_mask: np.ndarray,
              patch_pixels: int,
              tint: RGB = MASK_TINT,
              alpha: float = MASK_ALPHA) -> np.ndarray:
    """Tint masked patches and outline them; visible pixels stay as they are.

    Args:
        frames (ndarray): uint8 RGB ``(T, H, W, 3)``.
        pixel_mask (ndarray): Bool ``(T, H, W)``, ``True`` = masked.
        patch_pixels (int): Patch side in the frames' pixels.
        tint (tuple[int, int, int]): RGB tint. Defaults to
            :data:`MASK_TINT`.
        alpha (float): Weight of the tint, in ``(0, 1]``. Defaults to
            :data:`MASK_ALPHA`.

    Returns:
        ndarray: uint8 ``(T, H, W, 3)``.
    """
    out = frames.copy()
    tinted = (1.0 - alpha) * frames[pixel_mask] + alpha * np.asarray(tint)
    out[pixel_mask] = np.round(tinted).astype(np.uint8)
    out[patch_outline(pixel_mask, patch_pixels)] = GRID_COLOR
    return out


def fill_masked(frames: np.ndarray,
                pixel_mask: np.ndarray,
                patch_pixels: int,
                fill: RGB = MASKED_FILL) -> np.ndarray:
    """What the encoder sees: masked patches replaced by a flat colour
    (outlined), visible pixels unchanged.

    Args:
        frames (ndarray): uint8 RGB ``(T, H, W, 3)``.
        pixel_mask (ndarray): Bool ``(T, H, W)``, ``True`` = masked.
        patch_pixels (int): Patch side in the frames' pixels.
        fill (tuple[int, int, int]): RGB fill. Defaults to
            :data:`MASKED_FILL`.

    Returns:
        ndarray: uint8 ``(T, H, W, 3)``.
    """
    out = frames.copy()
    out[pixel_mask] = fill
    out[patch_outline(pixel_mask, patch_pixels)] = GRID_COLOR
    return out
