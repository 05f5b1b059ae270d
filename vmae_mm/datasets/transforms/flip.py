"""Horizontal flip of a whole clip, with label swapping."""
import random
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from vmae_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class Flip(BaseTransform):
    """Mirror every frame of the clip left-right with probability
    ``flip_ratio``.

    Direction-sensitive datasets keep it off (VideoMAE does not flip SSv2)
    or map each class to its mirror with ``flip_label_map`` (e.g. SSv2's
    "Pushing something from left to right" <-> "... from right to left"):
    the label of a flipped clip found in the map is replaced.

    Required Keys: ``imgs``.
    Optional Keys: ``label``.
    Modified Keys: ``imgs``, ``label`` (when flipped and in the map).
    Added Keys: ``flip``, ``flip_direction`` (``'horizontal'``).

    Args:
        flip_ratio (float): Probability of flipping. Defaults to 0.5.
        flip_label_map (dict[int, int], optional): Label of a flipped clip
            for each class that changes under flipping. Defaults to None.
    """

    def __init__(self,
                 flip_ratio: float = 0.5,
                 flip_label_map: Optional[Dict[int, int]] = None) -> None:
        if not 0.0 <= flip_ratio <= 1.0:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        self.flip_ratio = flip_ratio
        self.flip_label_map = ({int(k): int(v)
                                for k, v in flip_label_map.items()}
                               if flip_label_map else None)

    def transform(self, results: Dict) -> Dict:
        flip = random.random() < self.flip_ratio
        if flip:
            # (N, H, W, C) mirrored along W; a copy, not a negative-stride view
            results['imgs'] = np.ascontiguousarray(results['imgs'][:, :, ::-1])
            if self.flip_label_map is not None and 'label' in results:
                label = int(results['label'])
                results['label'] = self.flip_label_map.get(label, label)
        results['flip'] = flip
        results['flip_direction'] = 'horizontal'
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(flip_ratio={self.flip_ratio}, '
                f'flip_label_map={self.flip_label_map})')
