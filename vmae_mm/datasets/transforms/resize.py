"""Resizing every frame of a clip."""
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS

INTERPOLATIONS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
    'area': cv2.INTER_AREA,
}


def resize_frames(frames: np.ndarray, size: Tuple[int, int],
                  interpolation: str = 'bilinear') -> np.ndarray:
    """Resize uint8 frames ``(N, H, W, C)`` to ``size = (w, h)``."""
    if frames.shape[2] == size[0] and frames.shape[1] == size[1]:
        return frames
    flag = INTERPOLATIONS[interpolation]
    return np.stack([cv2.resize(f, size, interpolation=flag) for f in frames])


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Resize frames to a fixed size or by the short side.

    ``scale=(w, h)`` with ``keep_ratio=False`` resizes exactly;
    ``keep_ratio=True`` fits the frames inside ``(w, h)`` keeping the aspect
    (``scale=(-1, 256)`` sets the short side to 256, mmaction2's idiom).

    Required Keys: ``imgs``.
    Modified Keys: ``imgs``, ``img_shape``.
    Added Keys: ``scale_factor`` (``(sx, sy)``).

    Args:
        scale (Sequence[int]): Target ``(w, h)``; -1 for "any".
        keep_ratio (bool): Keep the aspect ratio. Defaults to True.
        interpolation (str): ``'bilinear'``, ``'bicubic'``, ``'nearest'`` or
            ``'area'``. Defaults to ``'bilinear'``.
    """

    def __init__(self,
                 scale: Sequence[int],
                 keep_ratio: bool = True,
                 interpolation: str = 'bilinear') -> None:
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f'interpolation must be one of '
                             f'{sorted(INTERPOLATIONS)}, got {interpolation!r}')
        self.scale = (int(scale[0]), int(scale[1]))
        self.keep_ratio = keep_ratio
        self.interpolation = interpolation

    def _target_size(self, height: int, width: int) -> Tuple[int, int]:
        target_w, target_h = self.scale
        if not self.keep_ratio:
            if target_w <= 0 or target_h <= 0:
                raise ValueError('Resize with keep_ratio=False needs a '
                                 f'positive (w, h), got {self.scale}')
            return target_w, target_h
        if target_w == -1:  # short side to target_h
            factor = target_h / min(height, width)
        elif target_h == -1:
            factor = target_w / min(height, width)
        else:
            factor = min(max(target_w, target_h) / max(height, width),
                         min(target_w, target_h) / min(height, width))
        return int(width * factor + 0.5), int(height * factor + 0.5)

    def transform(self, results: Dict) -> Dict:
        height, width = results['imgs'].shape[1:3]
        new_w, new_h = self._target_size(height, width)
        results['imgs'] = resize_frames(results['imgs'], (new_w, new_h),
                                        self.interpolation)
        results['img_shape'] = (new_h, new_w)
        results['scale_factor'] = np.array([new_w / width, new_h / height],
                                           dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scale={self.scale}, '
                f'keep_ratio={self.keep_ratio}, '
                f'interpolation={self.interpolation!r})')
