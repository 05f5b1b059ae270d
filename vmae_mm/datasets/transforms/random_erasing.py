"""Random erasing of one box through a whole clip, on uint8 frames."""
import math
import random
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS

IMAGENET_MEAN_255 = (123.675, 116.28, 103.53)
IMAGENET_STD_255 = (58.395, 57.12, 57.375)


@TRANSFORMS.register_module()
class RandomErasing(BaseTransform):
    """Erase one random box, the same on every frame, with noise (VideoMAE's
    ``--reprob 0.25 --remode pixel``, timm's ``RandomErasing`` in ``cube``
    mode).

    With probability ``erase_prob`` a box of ``area_range`` of the frame and
    log-uniform aspect ratio in ``aspect_ratio_range`` (up to 100 tries) is
    filled, on every frame, with per-pixel noise (``mode='pixel'``, fresh
    noise per frame and channel as the original draws it), one random colour
    per channel (``'rand'``) or the mean colour (``'const'``).

    The original erases after normalization with standard-normal values. This
    transform runs before normalization, on uint8, so it draws the same
    values in pixel units, ``mean + std * z`` with ``z ~ N(0, 1)``, rounded
    and clipped to 0-255; after the data preprocessor's normalization with the
    same ``mean``/``std`` they are the original's values up to rounding
    (1/58 of a standard deviation) and clipping (|z| beyond about 2.1, 3% of
    the draws). ``'const'`` fills the mean colour, i.e. the original's 0
    after normalization. Running here keeps the erasing per clip and in the
    data workers, before mixup, in the original's order.

    Required Keys: ``imgs`` (uint8 ``(N, H, W, C)``).
    Modified Keys: ``imgs``.
    Added Keys: ``erase_bbox`` (``(x1, y1, x2, y2)``, or None when nothing
    was erased).

    Args:
        erase_prob (float): Probability of erasing a clip. Defaults to 0.25.
        area_range (Sequence[float]): Box area as a fraction of the frame.
            Defaults to ``(0.02, 1 / 3)``.
        aspect_ratio_range (Sequence[float], optional): Box height over
            width, sampled log-uniformly. Defaults to ``(0.3, 1 / 0.3)``.
        mode (str): ``'pixel'``, ``'rand'`` or ``'const'``. Defaults to
            ``'pixel'``.
        mean (Sequence[float]): Normalization mean in 0-255 units (that of
            the data preprocessor). Defaults to ImageNet's.
        std (Sequence[float]): Normalization std in 0-255 units.
            Defaults to ImageNet's.
    """

    def __init__(self,
                 erase_prob: float = 0.25,
                 area_range: Sequence[float] = (0.02, 1 / 3),
                 aspect_ratio_range: Optional[Sequence[float]] = None,
                 mode: str = 'pixel',
                 mean: Sequence[float] = IMAGENET_MEAN_255,
                 std: Sequence[float] = IMAGENET_STD_255) -> None:
        if not 0.0 <= erase_prob <= 1.0:
            raise ValueError(f'erase_prob must be in [0, 1], got {erase_prob}')
        if mode not in ('pixel', 'rand', 'const'):
            raise ValueError("mode must be 'pixel', 'rand' or 'const', got "
                             f'{mode!r}')
        if not 0 < area_range[0] <= area_range[1] < 1:
            raise ValueError(f'area_range must satisfy 0 < min <= max < 1, '
                             f'got {tuple(area_range)}')
        aspect_ratio_range = aspect_ratio_range or (0.3, 1 / 0.3)
        self.erase_prob = erase_prob
        self.area_range = tuple(float(v) for v in area_range)
        self.aspect_ratio_range = tuple(float(v) for v in aspect_ratio_range)
        self.mode = mode
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)

    def _box(self, height: int,
             width: int) -> Optional[Tuple[int, int, int, int]]:
        log_ratio = (math.log(self.aspect_ratio_range[0]),
                     math.log(self.aspect_ratio_range[1]))
        for _ in range(100):
            area = random.uniform(*self.area_range) * height * width
            ratio = math.exp(random.uniform(*log_ratio))
            box_h = int(round(math.sqrt(area * ratio)))
            box_w = int(round(math.sqrt(area / ratio)))
            if box_w < width and box_h < height:
                y1 = random.randint(0, height - box_h)
                x1 = random.randint(0, width - box_w)
                return x1, y1, x1 + box_w, y1 + box_h
        return None

    def _values(self, shape: Tuple[int, ...]) -> np.ndarray:
        """Fill values in pixel units, ``shape = (N, h, w, C)``."""
        channels = shape[-1]
        if self.mode == 'pixel':
            z = np.random.standard_normal(shape).astype(np.float32)
        elif self.mode == 'rand':
            z = np.random.standard_normal(channels).astype(np.float32)
        else:
            z = np.zeros(channels, dtype=np.float32)
        values = self.mean[:channels] + self.std[:channels] * z
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)

    def transform(self, results: Dict) -> Dict:
        results['erase_bbox'] = None
        if random.random() > self.erase_prob:
            return results
        imgs = results['imgs']
        box = self._box(*imgs.shape[1:3])
        if box is None:
            return results
        x1, y1, x2, y2 = box
        imgs = imgs.copy()  # the input may be shared with other samples
        region = (imgs.shape[0], y2 - y1, x2 - x1, imgs.shape[3])
        imgs[:, y1:y2, x1:x2] = self._values(region)
        results['imgs'] = imgs
        results['erase_bbox'] = box
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(erase_prob={self.erase_prob}, '
                f'area_range={self.area_range}, mode={self.mode!r})')
