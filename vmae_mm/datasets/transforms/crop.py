"""Spatial crops of a whole clip (the same box on every frame)."""
import random
from typing import Dict, Sequence, Tuple, Union

from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS
from .crop_utils import apply_crop


def _pair(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    """``size`` as ``(width, height)``."""
    if isinstance(size, int):
        return size, size
    return int(size[0]), int(size[1])


@TRANSFORMS.register_module()
class MultiScaleCrop(BaseTransform):
    """VideoMAE's pretraining crop (TSN's multi-scale crop).

    The crop side is ``scale * min(H, W)`` for a scale from ``scales``,
    snapped to ``input_size`` when within 3 pixels; width and height scales
    may differ by at most ``max_wh_scale_gap`` steps. The box is placed at
    one of the fixed offsets (corners, centre and, with
    ``num_fixed_crops=13``, the quarter points) or, with
    ``random_crop=True``, anywhere. Follow with ``Resize`` to
    ``input_size``.

    Required Keys: ``imgs``.
    Modified Keys: ``imgs``, ``img_shape``.
    Added Keys: ``crop_bbox``, ``scales``.

    Args:
        input_size (int | Sequence[int]): Target ``(w, h)`` after resizing.
        scales (Sequence[float]): Crop scales of the short side.
            Defaults to ``(1, .875, .75, .66)``.
        max_wh_scale_gap (int): Allowed index gap between width and height
            scales. Defaults to 1.
        random_crop (bool): Random offsets instead of fixed ones.
            Defaults to False.
        num_fixed_crops (int): 5 or 13 fixed offsets. Defaults to 13.
    """

    def __init__(self,
                 input_size: Union[int, Sequence[int]],
                 scales: Sequence[float] = (1, .875, .75, .66),
                 max_wh_scale_gap: int = 1,
                 random_crop: bool = False,
                 num_fixed_crops: int = 13) -> None:
        if num_fixed_crops not in (5, 13):
            raise ValueError(
                f'num_fixed_crops must be 5 or 13, got {num_fixed_crops}')
        self.input_size = _pair(input_size)
        self.scales = tuple(scales)
        self.max_wh_scale_gap = max_wh_scale_gap
        self.random_crop = random_crop
        self.num_fixed_crops = num_fixed_crops

    def _crop_size(self, height: int, width: int) -> Tuple[int, int]:
        base = min(height, width)
        sizes = [int(base * scale) for scale in self.scales]
        widths = [self.input_size[0] if abs(s - self.input_size[0]) < 3 else s
                  for s in sizes]
        heights = [self.input_size[1] if abs(s - self.input_size[1]) < 3
                   else s for s in sizes]
        pairs = [(w, h) for i, h in enumerate(heights)
                 for j, w in enumerate(widths)
                 if abs(i - j) <= self.max_wh_scale_gap]
        return random.choice(pairs)

    def _fixed_offsets(self, height: int, width: int, crop_w: int,
                       crop_h: int) -> Tuple[int, int]:
        w_step, h_step = (width - crop_w) // 4, (height - crop_h) // 4
        offsets = [(0, 0), (4 * w_step, 0), (0, 4 * h_step),
                   (4 * w_step, 4 * h_step), (2 * w_step, 2 * h_step)]
        if self.num_fixed_crops == 13:
            offsets += [(0, 2 * h_step), (4 * w_step, 2 * h_step),
                        (2 * w_step, 4 * h_step), (2 * w_step, 0),
                        (1 * w_step, 1 * h_step), (3 * w_step, 1 * h_step),
                        (1 * w_step, 3 * h_step), (3 * w_step, 3 * h_step)]
        return random.choice(offsets)

    def sample_box(self, height: int, width: int) -> Tuple[int, int, int, int]:
        """One crop box ``(x1, y1, x2, y2)`` (exclusive ends) in a
        ``height x width`` frame, drawn from Python's ``random``; also used
        by the device-side ``BatchMultiScaleCrop``."""
        crop_w, crop_h = self._crop_size(height, width)
        crop_w, crop_h = min(crop_w, width), min(crop_h, height)
        if self.random_crop:
            x1 = random.randint(0, width - crop_w)
            y1 = random.randint(0, height - crop_h)
        else:
            x1, y1 = self._fixed_offsets(height, width, crop_w, crop_h)
        return x1, y1, x1 + crop_w, y1 + crop_h

    def transform(self, results: Dict) -> Dict:
        height, width = results['imgs'].shape[1:3]
        results['scales'] = self.scales
        return apply_crop(results, self.sample_box(height, width))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(input_size={self.input_size}, '
                f'scales={self.scales}, random_crop={self.random_crop})')


@TRANSFORMS.register_module()
class CenterCrop(BaseTransform):
    """Crop the centre ``crop_size`` of every frame.

    Required Keys: ``imgs``.
    Modified Keys: ``imgs``, ``img_shape``.
    Added Keys: ``crop_bbox``.

    Args:
        crop_size (int | Sequence[int]): ``(w, h)`` or a square side.
    """

    def __init__(self, crop_size: Union[int, Sequence[int]]) -> None:
        self.crop_size = _pair(crop_size)

    def transform(self, results: Dict) -> Dict:
        height, width = results['imgs'].shape[1:3]
        crop_w, crop_h = self.crop_size
        if crop_w > width or crop_h > height:
            raise ValueError(f'CenterCrop of {crop_w}x{crop_h} does not fit '
                             f'{width}x{height} frames; resize first')
        x1, y1 = (width - crop_w) // 2, (height - crop_h) // 2
        return apply_crop(results, (x1, y1, x1 + crop_w, y1 + crop_h))

    def __repr__(self) -> str:
        return f'{type(self).__name__}(crop_size={self.crop_size})'
