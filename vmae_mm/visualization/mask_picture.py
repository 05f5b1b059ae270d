"""One picture of a clip under several masking strategies."""
from dataclasses import dataclass
from typing import List, Literal, Optional, Sequence

import numpy as np
import torch

from vmae_mm.models.masking import BaseMaskGenerator
from vmae_mm.registry import MASK_GENERATORS
from .grid_image import GridLayout, compose_grid
from .mask_overlay import draw_mask, mask_to_pixels, scale_for, upscale
from .reconstruction import draw_model_mask

#: Ratios the strategies are shown at: each family's usual setting. Frame
#: masking at 0.875 hides 7 of 8 temporal slots (the ratio nearest to 0.9
#: that whole slots allow); running cells mask half of each 2x2 cell, as
#: VideoMAE v2's decoder masking does. A newly registered strategy is shown
#: at 0.75.
DEFAULT_RATIOS = dict(TubeMasking=0.9, RandomMasking=0.9, FrameMasking=0.875,
                      BlockMasking=0.9, RunningCellMasking=0.5)
FALLBACK_RATIO = 0.75

Strategies = Literal['all', 'configured']


@dataclass
class MaskRow:
    """A strategy to draw: its label and its generator."""

    label: str
    generator: BaseMaskGenerator


def _describe(generator: BaseMaskGenerator) -> str:
    return f'{type(generator).__name__} {generator.mask_ratio:g}'


def strategies_to_show(model: torch.nn.Module,
                       which: Strategies = 'all') -> List[MaskRow]:
    """The model's configured generators, then (``'all'``) every registered
    strategy at its :data:`DEFAULT_RATIOS` ratio.

    Args:
        model (nn.Module): A model with ``mask_generator`` and optionally
            ``decoder_mask_generator``.
        which (str): ``'configured'`` or ``'all'``. Defaults to ``'all'``.

    Returns:
        list[MaskRow]: One entry per row.
    """
    if which not in ('all', 'configured'):
        raise ValueError(f"strategies must be 'all' or 'configured', got "
                         f'{which!r}')
    rows = [MaskRow(f'configured\n{_describe(model.mask_generator)}',
                    model.mask_generator)]
    decoder = getattr(model, 'decoder_mask_generator', None)
    if decoder is not None:
        rows.append(MaskRow(
            f'decoder mask\n{_describe(decoder)}\n(tinted: not predicted)',
            decoder))
    if which == 'all':
        for name in sorted(MASK_GENERATORS.module_dict):
            ratio = DEFAULT_RATIOS.get(name, FALLBACK_RATIO)
            rows.append(MaskRow(
                f'{name}\nmask_ratio {ratio:g}',
                MASK_GENERATORS.build(dict(type=name, mask_ratio=ratio))))
    return rows


@dataclass
class MaskPicture:
    """A drawn mask picture.

    Attributes:
        image (ndarray): uint8 RGB image; row 0 is the clip, row ``i + 1``
            shows ``masks[i]``.
        layout (GridLayout): Where each frame lies in ``image``.
        labels (list[str]): Label of each mask row.
        masks (list[Tensor]): Bool ``(N,)`` per mask row, ``True`` = masked.
        scale (int): Nearest-neighbour factor of the frames.
        skipped (list[str]): Strategies that cannot mask this grid, with
            the reason.
    """

    image: np.ndarray
    layout: GridLayout
    labels: List[str]
    masks: List[torch.Tensor]
    scale: int
    skipped: List[str]


def mask_picture(clip: torch.Tensor,
                 rows: Sequence[MaskRow],
                 grid: Sequence[int],
                 tubelet_size: int,
                 patch_size: int,
                 seed: int = 0,
                 frame_names: Optional[Sequence[str]] = None,
                 min_side: int = 160) -> MaskPicture:
    """Draw the clip, then one row per strategy with its mask over it.

    Every strategy draws its mask under the same ``seed``. A strategy that
    cannot mask ``grid`` (e.g. 16-token blocks on a 2x2 plane) is left out
    and reported in ``skipped``.

    Args:
        clip (Tensor): uint8 ``(C, T, H, W)``.
        rows (Sequence[MaskRow]): Strategies.
        grid (Sequence[int]): Token grid ``(T', H', W')`` of the clip.
        tubelet_size (int): Frames per tubelet.
        patch_size (int): Pixels per patch side.
        seed (int): Seed of every mask. Defaults to 0.
        frame_names (Sequence[str], optional): Header names of the frames.
        min_side (int): Frames are scaled up (nearest-neighbour) to at
            least this many pixels. Defaults to 160.

    Returns:
        MaskPicture: The image and what it shows.
    """
    frames = clip.permute(1, 2, 3, 0).cpu().numpy()  # (T, H, W, C)
    factor = scale_for(min(frames.shape[1:3]), min_side)
    big = upscale(frames, factor)
    drawn = [('clip', big)]
    labels, masks, skipped = [], [], []
    for row in rows:
        try:
            mask = draw_model_mask(row.generator, grid, seed)
        except ValueError as err:
            skipped.append(f'{_describe(row.generator)}: {err}')
            continue
        pixel_mask = upscale(
            mask_to_pixels(mask, grid, tubelet_size, patch_size), factor)
        label = f'{row.label}\n{int(mask.sum())}/{mask.numel()} masked'
        drawn.append((label, draw_mask(big, pixel_mask,
                                       patch_size * factor)))
        labels.append(row.label)
        masks.append(mask)
    image, layout = compose_grid(drawn, tubelet_size, frame_names)
    return MaskPicture(image, layout, labels, masks, factor, skipped)
