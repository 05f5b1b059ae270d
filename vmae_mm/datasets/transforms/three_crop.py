"""Three crops along the long side for multi-view testing."""
from typing import Dict, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS
from .crop import _pair
from .crop_utils import apply_crop


@TRANSFORMS.register_module()
class ThreeCrop(BaseTransform):
    """Take three ``crop_size`` crops spread evenly along the long side
    (left/centre/right or top/centre/bottom), each of every frame; the views
    multiply by 3.

    As VideoMAE's test: resize the short side to the crop size first; crop
    ``k`` starts at ``int(k * (long - crop) / 2)`` along the long side and is
    centred along the short one. The output stacks the crops crop-major:
    ``(3 * N, h, w, C)`` for ``N`` input frames, so ``FormatShape`` makes
    ``3 * num_clips`` views.

    Required Keys: ``imgs``.
    Modified Keys: ``imgs``, ``img_shape``.
    Added Keys: ``crop_bbox`` (``(3, 4)``, one box per crop).

    Args:
        crop_size (int | Sequence[int]): ``(w, h)`` or a square side.
    """

    def __init__(self, crop_size: Union[int, Sequence[int]]) -> None:
        self.crop_size = _pair(crop_size)

    def _boxes(self, height: int, width: int) -> np.ndarray:
        crop_w, crop_h = self.crop_size
        if crop_w > width or crop_h > height:
            raise ValueError(f'ThreeCrop of {crop_w}x{crop_h} does not fit '
                             f'{width}x{height} frames; resize the short '
                             'side to the crop size first')
        if width >= height:  # crops along x
            step = (width - crop_w) / 2
            y1 = (height - crop_h) // 2
            starts = [(int(k * step), y1) for k in range(3)]
        else:
            step = (height - crop_h) / 2
            x1 = (width - crop_w) // 2
            starts = [(x1, int(k * step)) for k in range(3)]
        return np.array([(x, y, x + crop_w, y + crop_h) for x, y in starts])

    def transform(self, results: Dict) -> Dict:
        height, width = results['imgs'].shape[1:3]
        boxes = self._boxes(height, width)
        crops = [apply_crop(dict(imgs=results['imgs']), box)['imgs']
                 for box in boxes]
        results['imgs'] = np.concatenate(crops)  # (3 * N, h, w, C)
        results['img_shape'] = crops[0].shape[1:3]
        results['crop_bbox'] = boxes
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(crop_size={self.crop_size})'
