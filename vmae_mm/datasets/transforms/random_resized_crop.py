"""Inception-style random crop of a whole clip (VideoMAE finetuning)."""
import math
import random
from typing import Dict, Sequence, Tuple

from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS
from .crop_utils import apply_crop


def sample_resized_crop_box(height: int, width: int,
                            area_range: Sequence[float],
                            aspect_ratio_range: Sequence[float],
                            max_attempts: int = 10) -> Tuple[int, int, int,
                                                             int]:
    """Draw a crop box of random area and aspect ratio.

    As VideoMAE's finetuning crop: the area is uniform in
    ``area_range * H * W``, the aspect ratio (w / h) log-uniform in
    ``aspect_ratio_range``, sides rounded; after ``max_attempts`` boxes that
    do not fit, the largest centred box within the aspect range.

    Args:
        height (int): Frame height.
        width (int): Frame width.
        area_range (Sequence[float]): Fraction of the frame area.
        aspect_ratio_range (Sequence[float]): Width over height.
        max_attempts (int): Tries before the fallback. Defaults to 10.

    Returns:
        tuple[int, int, int, int]: ``(x1, y1, x2, y2)``, exclusive ends.
    """
    log_ratio = (math.log(aspect_ratio_range[0]),
                 math.log(aspect_ratio_range[1]))
    for _ in range(max_attempts):
        target_area = random.uniform(*area_range) * height * width
        ratio = math.exp(random.uniform(*log_ratio))
        crop_w = int(round(math.sqrt(target_area * ratio)))
        crop_h = int(round(math.sqrt(target_area / ratio)))
        if 0 < crop_w <= width and 0 < crop_h <= height:
            y1 = random.randint(0, height - crop_h)
            x1 = random.randint(0, width - crop_w)
            return x1, y1, x1 + crop_w, y1 + crop_h
    in_ratio = width / height
    if in_ratio < min(aspect_ratio_range):
        crop_w, crop_h = width, int(round(width / min(aspect_ratio_range)))
    elif in_ratio > max(aspect_ratio_range):
        crop_w, crop_h = int(round(height * max(aspect_ratio_range))), height
    else:
        crop_w, crop_h = width, height
    x1, y1 = (width - crop_w) // 2, (height - crop_h) // 2
    return x1, y1, x1 + crop_w, y1 + crop_h


@TRANSFORMS.register_module()
class RandomResizedCrop(BaseTransform):
    """Crop every frame of the clip to one random box of random area and
    aspect ratio; follow with ``Resize`` to the input size (the original
    resizes the crop bilinearly to 224x224).

    Required Keys: ``imgs``.
    Modified Keys: ``imgs``, ``img_shape``.
    Added Keys: ``crop_bbox``.

    Args:
        area_range (Sequence[float]): Crop area as a fraction of the frame.
            Defaults to ``(0.08, 1.0)``.
        aspect_ratio_range (Sequence[float]): Crop width over height,
            sampled log-uniformly. Defaults to ``(3 / 4, 4 / 3)``.
    """

    def __init__(self,
                 area_range: Sequence[float] = (0.08, 1.0),
                 aspect_ratio_range: Sequence[float] = (3 / 4, 4 / 3)) -> None:
        if not 0 < area_range[0] <= area_range[1] <= 1:
            raise ValueError(f'area_range must satisfy 0 < min <= max <= 1, '
                             f'got {tuple(area_range)}')
        if not 0 < aspect_ratio_range[0] <= aspect_ratio_range[1]:
            raise ValueError('aspect_ratio_range must satisfy 0 < min <= max,'
                             f' got {tuple(aspect_ratio_range)}')
        self.area_range = tuple(float(v) for v in area_range)
        self.aspect_ratio_range = tuple(float(v) for v in aspect_ratio_range)

    def transform(self, results: Dict) -> Dict:
        height, width = results['imgs'].shape[1:3]
        box = sample_resized_crop_box(height, width, self.area_range,
                                      self.aspect_ratio_range)
        return apply_crop(results, box)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(area_range={self.area_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range})')
