"""The one place that applies a crop box to a clip and keeps the books."""
from typing import Dict, Sequence

import numpy as np


def apply_crop(results: Dict, box: Sequence[int]) -> Dict:
    """Crop ``results['imgs']`` to ``box`` and record it.

    Args:
        results (dict): Has ``imgs`` uint8 ``(N, H, W, C)``.
        box (Sequence[int]): ``(x1, y1, x2, y2)`` in current pixel
            coordinates, ``x2``/``y2`` exclusive.

    Returns:
        dict: ``imgs`` ``(N, y2-y1, x2-x1, C)``, ``img_shape`` updated, and
        ``crop_bbox`` the box in the coordinates of the frames before this
        crop.
    """
    x1, y1, x2, y2 = (int(v) for v in box)
    height, width = results['imgs'].shape[1:3]
    if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
        raise ValueError(f'crop box {(x1, y1, x2, y2)} is outside the '
                         f'{width}x{height} frames')
    results['imgs'] = results['imgs'][:, y1:y2, x1:x2]
    results['img_shape'] = (y2 - y1, x2 - x1)
    results['crop_bbox'] = np.array([x1, y1, x2, y2])
    return results
